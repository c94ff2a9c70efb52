// The web app's behaviour, served as a file so the Content-Security-Policy needs no inline script.
'use strict';
const $ = id => document.getElementById(id);
const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
const words = s => String(s ?? '').replace(/[_-]/g, ' ');
const OUTCOME = {license_required: 'Licence required', no_license_required: 'No licence required', insufficient_information: 'Insufficient information'};
const plain = o => OUTCOME[o] || words(o);

// The key lives in sessionStorage (this tab only), never in localStorage.
localStorage.removeItem('cg-key');
$('key').value = sessionStorage.getItem('cg-key') || '';
$('key').addEventListener('change', () => sessionStorage.setItem('cg-key', $('key').value));
const headers = () => ({'Content-Type': 'application/json', 'X-API-Key': $('key').value});

// Tabs: click, or arrow keys / Home / End within the tab list.
const tabs = [...document.querySelectorAll('[role=tab]')];
function select(tab) {
  tabs.forEach(t => { const on = t === tab; t.setAttribute('aria-selected', on); t.tabIndex = on ? 0 : -1; $(t.dataset.tab).classList.toggle('active', on); });
  if (tab.dataset.tab === 'simulate' && !scenarios) loadScenarios();
  if (tab.dataset.tab === 'compare') $('w-summary').textContent = 'Current request: ' + summary(decideRequest());
}
tabs.forEach((t, i) => {
  t.onclick = () => select(t);
  t.onkeydown = e => {
    const j = {ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1}[e.key];
    if (j === undefined) return;
    e.preventDefault(); const next = tabs[(j + tabs.length) % tabs.length]; next.focus(); select(next);
  };
});

function fail(out, text) { out.innerHTML = '<p class="err" role="alert">' + esc(text) + '</p>'; return null; }
// Every call ends in a result or a shown error: network failures, 5xx and non-JSON bodies included.
async function call(path, body, out, method) {
  out.innerHTML = '<p class="working">working…</p>';
  call.detail = [];
  let r, data;
  try {
    r = await fetch(path, {method: method || (body ? 'POST' : 'GET'), headers: headers(), body: body ? JSON.stringify(body) : undefined});
  } catch (e) { return fail(out, 'The server could not be reached: ' + e.message); }
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok || data === null) {
    const d = data?.detail;
    call.detail = Array.isArray(d) ? d : [];
    const text = Array.isArray(d) ? d.map(x => (x.loc || []).filter(p => p !== 'body').join('.') + ': ' + x.msg).join('\n') : (d || r.statusText || 'unreadable answer');
    return fail(out, r.status + ': ' + text);
  }
  out.innerHTML = '';
  return data;
}

// ---- Decide: the request is read from every [data-path] field of the visible kind's fieldsets.
function setPath(obj, path, value) {
  const parts = path.split('.');
  let o = obj;
  parts.slice(0, -1).forEach((p, i) => { const nextIsIndex = /^\d+$/.test(parts[i + 1]); o[p] ??= nextIsIndex ? [] : {}; o = o[p]; });
  o[parts[parts.length - 1]] = value;
}
function fields() {
  const remote = $('d-kind').value === 'remote_access';
  const scope = [...document.querySelectorAll('#d-common [data-path]'), ...document.querySelectorAll((remote ? '#d-remote' : '#d-shipment') + ' [data-path]')];
  return scope;
}
// "name, percent, listed, country": the fields the Affiliates rule's arithmetic needs.
function owner(line) {
  const [name, percent, listed, country] = line.split(',').map(x => x.trim());
  const o = {percent: Number(percent)};
  if (name) o.name = name;
  if (/^(yes|no)$/i.test(listed || '')) o.listed = /^yes$/i.test(listed);
  if (country) o.country = country;
  return o;
}
const certified = {};  // conditions ticked on the checklist, sent as certifications
function decideRequest() {
  const req = {};
  const lists = {};
  for (const el of fields()) {
    const path = el.dataset.path;
    if (el.type === 'checkbox' && el.dataset.value) { lists[path] ??= []; if (el.checked) lists[path].push(el.dataset.value); continue; }
    if (el.type === 'checkbox') { if (el.checked || path === 'assume_serious_risk_determination') setPath(req, path, el.checked); continue; }
    const v = el.value.trim();
    if (v === '') continue;
    if (el.dataset.type === 'bool') setPath(req, path, v === 'true');
    else if (el.dataset.type === 'owners') setPath(req, path, v.split('\n').filter(l => l.trim()).map(owner));
    else if (el.dataset.type === 'list') setPath(req, path, v.split(',').map(s => s.trim()).filter(Boolean));
    else if (el.type === 'number') setPath(req, path, Number(v));
    else setPath(req, path, v);
  }
  Object.entries(lists).forEach(([p, v]) => { if (v.length) setPath(req, p, v); });
  if (req.kind !== 'remote_access' && Object.keys(certified).length) req.certifications = {...certified};
  return req;
}
function summary(req) {
  if (req.kind === 'remote_access') return `remote access to ${req.accelerators?.[0]?.count ?? ''} × ${req.accelerators?.[0]?.item ?? ''} in ${req.datacenter_country ?? '?'} for a customer in ${req.customer?.country ?? '?'} on ${req.date}`;
  return `${req.kind} of ${req.quantity ?? 1} × ${req.item} from ${req.from_country || 'US'} to ${req.to_country} on ${req.date}` + (req.overlays ? ` with ${req.overlays.join(', ')}` : '');
}
$('d-kind').addEventListener('change', () => { const remote = $('d-kind').value === 'remote_access'; $('d-remote').hidden = !remote; $('d-shipment').hidden = remote; });

const link = c => {
  const text = esc([c?.cfr, c?.document].filter(Boolean).join('; ') || c?.url || '');
  const conf = c?.confidence && c.confidence !== 'primary' ? ' <em>[' + esc(c.confidence) + ']</em>' : '';
  return (c?.url && /^https:\/\//.test(c.url) ? '<a href="' + esc(c.url) + '" rel="noreferrer" target="_blank">' + text + '</a>' : text) + conf;
};
// Each finding under its rule's title from the registry (GET /v1/rules), the rule id secondary.
let rules = null;
async function rulesReady() {
  if (rules) return;
  try { rules = await (await fetchFile('/v1/rules')).json(); } catch (e) { rules = null; }  // ids alone until it loads
}
function ruleTitle(id) {
  if (!rules) return '';
  if (rules[id]) return rules[id].title;
  const family = Object.keys(rules).filter(k => k.endsWith('.*') && id.startsWith(k.slice(0, -1))).sort((a, b) => b.length - a.length)[0];
  return family ? rules[family].title : '';
}
const finding = f => {
  const title = ruleTitle(f.rule);
  return '<li>' + (title ? '<strong>' + esc(title) + '</strong>: ' : '') + esc(f.text) + '<br><span class="cite">' + link(f.citation) + ' <code class="rule" title="rule id">' + esc(f.rule) + '</code></span></li>';
};
const policy = d => d.review_policy ? ' — ' + esc(words(d.review_policy)) : '';

// A missing fact is a question; answering it sets the form field it names and decides again.
function question(m, i) {
  let h = '<div class="question" id="q-' + i + '"><p><strong>' + esc(m.question) + '</strong>' + (m.kind !== 'fact' ? ' <em>(' + esc(words(m.kind)) + ')</em>' : '') + '</p><ul>' +
    Object.entries(m.outcomes).map(([k, v]) => '<li>' + esc(k) + ' → ' + esc(v) + '</li>').join('') + '</ul>';
  const el = fields().find(e => e.dataset.path === m.fact);
  const keys = Object.keys(m.outcomes);
  if (m.kind !== 'fact') h += '<p class="muted">The law itself is unclear here; no answer of yours settles it.</p>';
  else if (el && keys.every(k => ['yes', 'no'].includes(k.toLowerCase()))) h += keys.map(k => '<button type="button" data-fact="' + esc(m.fact) + '" data-answer="' + (k.toLowerCase() === 'yes') + '">Answer: ' + esc(k) + '</button>').join('');
  else if (el && el.tagName === 'SELECT') h += [...el.options].filter(o => o.value).map(o => '<button type="button" data-fact="' + esc(m.fact) + '" data-answer="' + esc(o.value) + '">Answer: ' + esc(o.text) + '</button>').join('');
  else if (el) h += '<label>Answer <input data-answer-for="' + esc(m.fact) + '" size="12"></label><button type="button" data-fact="' + esc(m.fact) + '">Answer and decide again</button>';
  else h += '<p class="muted">Give this fact in the request (field <code>' + esc(m.fact) + '</code>).</p>';
  return h + '</div>';
}
$('d-out').addEventListener('change', e => {
  const box = e.target.closest('select[data-condition]');
  if (!box) return;
  if (box.value === '') delete certified[box.dataset.condition]; else certified[box.dataset.condition] = box.value === 'true';
  decide();
});
$('d-out').addEventListener('click', e => {
  if (e.target.id === 'd-clear-certs') { Object.keys(certified).forEach(k => delete certified[k]); decide(); return; }
  const b = e.target.closest('button[data-fact]');
  if (!b) return;
  const el = fields().find(x => x.dataset.path === b.dataset.fact);
  const typed = $('d-out').querySelector('[data-answer-for="' + CSS.escape(b.dataset.fact) + '"]');
  const value = b.dataset.answer ?? typed?.value ?? '';
  if (el.type === 'checkbox') el.checked = value === 'true'; else el.value = value;
  decide();
});

function showDecision(d, req) {
  const decisive = d.findings.filter(f => f.role === 'decisive'), context = d.findings.filter(f => f.role !== 'decisive');
  let h = '<div class="outcome ' + esc(d.outcome) + '">' + esc(plain(d.outcome)) + policy(d) + '</div>';
  h += '<p>' + esc(summary(req)) + '. Item: ' + esc(d.item.name) + ' (' + esc(d.item.eccn_paragraph || d.item.eccn || words(d.item.eccn_status)) + ').</p>';
  if (d.license_exceptions.length) h += '<p>Licence exceptions: ' + esc(d.license_exceptions.join(', ')) + '</p>';
  if (d.missing_facts.length) h += '<h3>Questions to settle</h3>' + d.missing_facts.map(question).join('');
  h += '<h3>What decides it</h3>' + (decisive.length ? '<ol class="findings decisive">' + decisive.map(finding).join('') + '</ol>' : '<p class="muted">No single finding decides it.</p>');
  if (context.length) h += '<details><summary>Context (' + context.length + ' findings)</summary><ol class="findings context">' + context.map(finding).join('') + '</ol></details>';
  const stated = Object.entries(certified);
  if (stated.length) h += '<p>Certifications stated: ' + esc(stated.map(([k, v]) => words(k) + (v ? ' (certified)' : ' (cannot certify)')).join('; ')) + ' <button type="button" id="d-clear-certs">Clear them</button></p>';
  const state = id => certified[id] === undefined ? '' : String(certified[id]);
  const opt = (id, v, t) => '<option value="' + v + '"' + (state(id) === v ? ' selected' : '') + '>' + t + '</option>';
  if (d.conditions.length) h += '<h3>The exporter must certify</h3><p class="muted">Mark each condition; the request is decided again with it.</p><ul class="checklist">' + d.conditions.map(c => '<li><label>' + (certified[c.id] ? '☑ ' : '☐ ') + esc(c.text) + ' <select data-condition="' + esc(c.id) + '">' + opt(c.id, '', 'not stated') + opt(c.id, 'true', 'certified') + opt(c.id, 'false', 'cannot certify') + '</select></label> <span class="cite">' + link(c.citation) + '</span></li>').join('') + '</ul>';
  for (const a of d.alternatives || []) h += '<div class="alt"><h3>Another reading: ' + esc(words(a.reading)) + '</h3><p class="outcome ' + esc(a.outcome) + '">' + esc(plain(a.outcome)) + policy(a) + '</p><ol class="findings">' + (a.findings.some(f => f.role === 'decisive') ? a.findings.filter(f => f.role === 'decisive') : a.findings).map(finding).join('') + '</ol></div>';
  if (d.receipt) h += '<p class="muted">Audit receipt: row #' + esc(d.audit_id) + ', leaf ' + esc(d.receipt.leaf_index) + ' of ' + esc(d.receipt.tree_size) + ', root <span class="hash">' + esc(d.receipt.root_hash) + '</span></p>';
  return h;
}
// The memo is the server's (built from the audit row as recorded, with its receipt): shown here,
// printed with the print CSS, downloaded as HTML or PDF.
async function fetchFile(path) {
  const r = await fetch(path, {headers: headers()});
  if (!r.ok) throw new Error(path + ': ' + r.status + ' ' + r.statusText);
  return r;
}
let memoUrl = null, memoRow = null;
async function showMemo(id) {
  try {
    const text = await (await fetchFile('/v1/audit/' + id + '/memo.html')).text();
    const article = new DOMParser().parseFromString(text, 'text/html').querySelector('article');
    $('memo').replaceChildren(...article.childNodes); $('memo').hidden = false;
    if (memoUrl) URL.revokeObjectURL(memoUrl);
    memoUrl = URL.createObjectURL(new Blob([text], {type: 'text/html'}));
    $('d-download').href = memoUrl; $('d-download').download = 'decision-memo-' + id + '.html';
    memoRow = id; $('d-memo-actions').hidden = false; $('d-memo-error').textContent = '';
  } catch (e) { $('d-memo-error').textContent = 'memo: ' + e.message; }
}
async function downloadMemo(b, id, error) {
  const label = b.textContent;
  b.disabled = true; b.textContent = 'Preparing the PDF…';
  try {
    const url = URL.createObjectURL(await (await fetchFile('/v1/audit/' + id + '/memo.pdf')).blob());
    const a = Object.assign(document.createElement('a'), {href: url, download: 'decision-memo-' + id + '.pdf'});
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    error.textContent = '';
  } catch (e) { error.textContent = 'memo: ' + e.message; }
  b.disabled = false; b.textContent = label;
}
$('d-pdf').onclick = () => downloadMemo($('d-pdf'), memoRow, $('d-memo-error'));
async function decide() {
  const req = decideRequest();
  await rulesReady();
  $('d-memo-actions').hidden = true; $('memo').hidden = true;
  const d = await call('/v1/decide', req, $('d-out'));
  if (!d) return;
  $('d-out').innerHTML = showDecision(d, req);
  await showMemo(d.audit_id);
}
$('d-form').addEventListener('submit', e => { e.preventDefault(); decide(); });
$('d-print').onclick = () => window.print();

// ---- Compare: always the current Decide request; "what changed and why" from the decisive findings.
function changes(rows) {
  const base = rows[0].d, baseTexts = new Set(base.findings.filter(f => f.role === 'decisive').map(f => f.text));
  return rows.map((r, i) => {
    if (i === 0) return 'the baseline';
    const same = r.d.outcome === base.outcome && r.d.review_policy === base.review_policy;
    const added = r.d.findings.filter(f => f.role === 'decisive' && !baseTexts.has(f.text)).map(f => f.text);
    const head = same ? 'Same answer as ' + rows[0].label + '.' : 'Changes from "' + plain(base.outcome) + (base.review_policy ? ', ' + words(base.review_policy) : '') + '" to "' + plain(r.d.outcome) + (r.d.review_policy ? ', ' + words(r.d.review_policy) : '') + '".';
    return head + (added.length ? ' Because: ' + added.join(' ') : '');
  });
}
function compareTable(rows, heading) {
  const why = changes(rows);
  return '<div class="scroll" tabindex="0" role="region" aria-label="Results table (scrolls sideways on narrow screens)"><table class="stack"><tr><th>' + esc(heading) + '</th><th>Outcome</th><th>Review policy</th><th>What changed and why</th></tr>' +
    rows.map((r, i) => '<tr><th>' + esc(r.label) + '</th><td data-label="Outcome" class="' + esc(r.d.outcome) + '">' + esc(plain(r.d.outcome)) + '</td><td data-label="Review policy">' + esc(words(r.d.review_policy) || '—') + '</td><td data-label="What changed and why">' + esc(why[i]) + '</td></tr>').join('') + '</table></div>';
}
$('w-dates-go').onclick = async () => {
  const req = decideRequest(); $('w-summary').textContent = 'Current request: ' + summary(req);
  const dates = $('w-dates').value.split(',').map(s => s.trim()).filter(Boolean);
  if (!dates.length) return fail($('w-out'), 'dates: give at least one date');
  const ds = await call('/v1/decide', dates.map(d => ({...req, date: d})), $('w-out'));
  if (ds) $('w-out').innerHTML = compareTable(ds.map((d, i) => ({label: dates[i], d, req: {...req, date: dates[i]}})), 'Date');
};
$('w-go').onclick = async () => {
  const req = decideRequest(); delete req.overlays; $('w-summary').textContent = 'Current request: ' + summary(req);
  const rows = await call('/v1/whatif', {request: req}, $('w-out'));
  if (rows) $('w-out').innerHTML = compareTable(rows.map(r => ({label: r.overlays.map(words).join(' + ') || 'the law as enacted', d: r.decision, req})), 'Rules applied');
};

// ---- Classify: the chip's reading and the catalog charts (Vega-Lite specs from the server, drawn
// by vega-embed; expressions run by vega-interpreter, so the page's CSP needs no 'unsafe-eval').
const VEGA = {renderer: 'svg', actions: false, ast: true, expr: window.vegaExpressionInterpreter};
let views = [];
async function catalogCharts(item, date) {
  views.forEach(v => v.finalize()); views = [];
  const q = new URLSearchParams({date, item});
  const specs = await (await fetchFile('/v1/charts/catalog?' + q)).json();
  $('c-charts').hidden = false;
  for (const [id, spec] of [['c-density', specs.density], ['c-bandwidth', specs.bandwidth]]) views.push((await vegaEmbed('#' + id, spec, VEGA)).view);
}
$('c-go').onclick = async () => {
  const out = $('c-out'), item = $('c-item').value.trim(), date = $('c-date').value;
  $('c-charts').hidden = true;
  await rulesReady();
  const c = await call('/v1/classify', {item, date}, out);
  if (!c) return;
  const zone = c.jan2026_case_by_case_zone === null ? 'unknown' : c.jan2026_case_by_case_zone ? 'inside' : 'outside';
  out.innerHTML = '<p><b>' + esc(c.eccn_paragraph || c.eccn || words(c.eccn_status)) + '</b> — TPP ' + esc(Math.round(c.tpp ?? NaN)) + ', performance density ' + esc(c.performance_density?.toFixed(2)) + ', DRAM ' + esc(c.total_dram_bandwidth_gbs) + ' GB/s; ' + esc(zone) + ' the January 2026 case-by-case window</p><ol class="findings">' + c.findings.map(finding).join('') + '</ol>';
  try { await catalogCharts(item, date); }
  catch (e) { $('c-charts').hidden = true; out.insertAdjacentHTML('beforeend', '<p class="err" role="alert">chart: ' + esc(e.message) + '</p>'); }
};

// ---- Screen: every hit with why it matched.
const parts = x => typeof x === 'object' && x !== null ? Object.entries(x).map(([k, v]) => esc(words(k)) + ': ' + (Array.isArray(v) ? esc(v.join(' ')) : typeof v === 'object' ? '{' + parts(v) + '}' : esc(v))).join('; ') : esc(x);
$('s-go').onclick = async () => {
  const r = await call('/v1/screen', {name: $('s-name').value, country: $('s-country').value || null}, $('s-out'));
  if (!r) return;
  $('s-out').innerHTML = '<p><b>' + (r.hit ? 'Possible match' : 'No match') + '</b> at threshold ' + esc(r.threshold) + ' against ' + esc(r.list.source) + ' (sha256 ' + esc(r.list.sha256.slice(0, 12)) + ')</p>' +
    '<div class="scroll" tabindex="0" role="region" aria-label="Results table (scrolls sideways on narrow screens)"><table><tr><th>Score</th><th>Entry</th><th>Matched alias</th><th>Why</th><th>Notice</th></tr>' + r.hits.map(h => {
      const x = h.explanation || {};
      return '<tr><td>' + h.score.toFixed(3) + '</td><td>' + esc(h.entry_name) + '<br><span class="cite">' + esc(h.source) + '</span></td><td>' + esc(x.matched_alias || h.matched_name) + (x.alias_kind ? ' <span class="cite">(' + esc(words(x.alias_kind)) + ')</span>' : '') + '</td><td class="why">' +
        (x.query_normalised ? 'normalised: ' + parts(x.query_normalised) + ' ↔ ' + parts(x.alias_normalised) + '<br>' : '') + (x.components ? 'score parts: ' + parts(x.components) : '') + '</td><td>' + esc(h.federal_register_notice) + '</td></tr>';
    }).join('') + '</table></div>';
};

// Batch: one request per row, in order, with progress; bad rows are reported and the run goes on.
const MAX_BATCH = 1000;
function csvRows(text) {
  const rows = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const cells = [], re = /("([^"]|"")*"|[^,]*)(,|$)/g;
    let m;
    while ((m = re.exec(line)) && m[0] !== '') { cells.push(m[1].startsWith('"') ? m[1].slice(1, -1).replaceAll('""', '"') : m[1].trim()); if (!m[3]) break; }
    rows.push(cells);
  }
  if (rows.length && /^name$/i.test(rows[0][0] || '')) rows.shift();
  return rows;
}
const csvCell = v => /[",\n]/.test(String(v ?? '')) ? '"' + String(v).replaceAll('"', '""') + '"' : String(v ?? '');
let batchUrl = null;
$('s-batch').onclick = async () => {
  const out = $('s-batch-out'), file = $('s-file').files[0], progress = $('s-progress');
  $('s-batch-download').hidden = true;
  if (!file) return fail(out, 'file: choose a CSV file first');
  const rows = csvRows(await file.text());
  if (!rows.length) return fail(out, 'file: no rows');
  if (rows.length > MAX_BATCH) return fail(out, `file: ${rows.length} rows; at most ${MAX_BATCH} per run`);
  const results = [['row', 'name', 'country', 'hit', 'best_score', 'entry', 'matched_alias', 'notice', 'audit_id', 'error']];
  let hits = 0, bad = 0;
  progress.max = rows.length; progress.value = 0; progress.hidden = false;
  for (const [i, [name, country]] of rows.entries()) {
    out.innerHTML = '<p class="working">Screening row ' + (i + 1) + ' of ' + rows.length + '…</p>';
    let error = '', r = null;
    if (!name) error = 'name: empty';
    else {
      try {
        const resp = await fetch('/v1/screen', {method: 'POST', headers: headers(), body: JSON.stringify({name, country: country || null})});
        const data = await resp.json().catch(() => null);
        if (resp.ok && data) r = data;
        else error = resp.status + ': ' + (Array.isArray(data?.detail) ? data.detail.map(d => (d.loc || []).filter(p => p !== 'body').join('.') + ': ' + d.msg).join('; ') : data?.detail || resp.statusText);
      } catch (e) { error = 'network: ' + e.message; }
    }
    const best = r?.hits?.[0];
    if (r?.hit) hits++;
    if (error) bad++;
    results.push([i + 1, name, country, r ? (r.hit ? 'yes' : 'no') : '', best?.score ?? '', best?.entry_name ?? '', best?.matched_name ?? '', best?.federal_register_notice ?? '', r?.audit_id ?? '', error]);
    progress.value = i + 1;
  }
  progress.hidden = true;
  if (batchUrl) URL.revokeObjectURL(batchUrl);
  batchUrl = URL.createObjectURL(new Blob([results.map(r => r.map(csvCell).join(',')).join('\n') + '\n'], {type: 'text/csv'}));
  $('s-batch-download').href = batchUrl; $('s-batch-download').hidden = false;
  out.innerHTML = '<p>' + rows.length + ' rows screened: ' + hits + ' possible matches, ' + bad + ' rows not screened.</p>' +
    (bad ? '<ul class="err">' + results.slice(1).filter(r => r[9]).map(r => '<li>row ' + r[0] + ': ' + esc(r[9]) + '</li>').join('') + '</ul>' : '');
};

// ---- Simulate: one request per click (the charts come with the answer); each scenario's export
// inputs can be edited for the run, and field errors are shown next to the field.
let scenarios = null;
const DEFAULT_SCENARIOS = ['full-ban', 'h200-allowed', 'b30a-allowed'];
function editor(s) {
  if (!s.exports.length) return '';
  const input = (attrs, value, label) => '<label>' + label + ' <input type="number" step="any" ' + attrs + ' value="' + esc(value ?? '') + '"></label>';
  return '<details class="edit" data-scenario="' + esc(s.name) + '"' + (DEFAULT_SCENARIOS.includes(s.name) ? '' : ' hidden') + '><summary>Edit the inputs of ' + esc(s.title) + '</summary>' +
    s.exports.map((e, j) => '<fieldset data-export="' + j + '"><legend>' + esc(e.item) + ' exports (' + esc(e.unit) + ', median; the range moves with it)</legend>' +
      Object.entries(e.volume).map(([y, v]) => input('data-field="volume" data-year="' + y + '" min="0"', v, y)).join('') +
      input('data-field="approval_rate" min="0" max="1"', e.approval_rate, 'Approval rate (0–1, fixed)') +
      input('data-field="until" min="2015" max="2040" placeholder="while it stands"', e.until, 'Last year of the policy') + '</fieldset>').join('') + '</details>';
}
async function loadScenarios() {
  const list = await call('/v1/scenarios', null, $('m-out'));
  if (!list) return;
  scenarios = Object.fromEntries(list.map(s => [s.name, s]));
  $('m-pick').innerHTML = '<legend>Scenarios</legend>' + list.map(s => '<label title="' + esc(s.description) + '"><input type="checkbox" name="scenario" value="' + esc(s.name) + '"' + (DEFAULT_SCENARIOS.includes(s.name) ? ' checked' : '') + '> ' + esc(s.title) + '</label>').join('');
  $('m-edit').innerHTML = list.map(editor).join('');
}
$('m-pick').addEventListener('change', e => {
  const box = e.target.closest('input[name=scenario]');
  const ed = box && $('m-edit').querySelector('details[data-scenario="' + CSS.escape(box.value) + '"]');
  if (ed) ed.hidden = !box.checked;
});
// The edits of the chosen scenarios (only values that differ), each field remembered by its error path.
function edits(chosen) {
  const out = [], fieldsAt = {};
  for (const name of chosen) {
    const s = scenarios[name], ed = $('m-edit').querySelector('details[data-scenario="' + CSS.escape(name) + '"]');
    if (!ed) continue;
    const changes = [];
    ed.querySelectorAll('fieldset[data-export]').forEach(fs => {
      const e = s.exports[Number(fs.dataset.export)], c = {item: e.item}, at = {};
      fs.querySelectorAll('input').forEach(i => {
        const v = i.value.trim(), f = i.dataset.field;
        if (f === 'volume') { if (v !== '' && Number(v) !== e.volume[i.dataset.year]) { (c.volume ??= {})[i.dataset.year] = Number(v); at['volume.' + i.dataset.year] = i; } }
        else if (v !== '' && Number(v) !== e[f]) { c[f] = Number(v); at[f] = i; }
      });
      const path = 'edits.' + out.length + '.exports.' + changes.length + '.';
      if (Object.keys(c).length > 1) { Object.entries(at).forEach(([k, i]) => { fieldsAt[path + k] = i; }); fieldsAt[path + 'item'] = fs.querySelector('input'); changes.push(c); }
    });
    if (changes.length) out.push({scenario: name, exports: changes});
  }
  return [out, fieldsAt];
}
// Where the listed export figures stop within the years run: carried forward, or ended.
function ends(runs, first, last) {
  const out = [];
  for (const [name, exports] of runs) for (const e of exports) {
    if (e.first_year > first) out.push(`${name}: ${e.item} exports start in ${e.first_year}; none before.`);
    if (e.until !== null && e.until < last) out.push(`${name}: ${e.item} exports end after ${e.until} (the scenario ends the policy).`);
    else if (e.last_listed_year < last) out.push(`${name}: ${e.item} export figures are listed to ${e.last_listed_year}; later years carry the last figure forward${e.grows_after ? ' with its growth rate' : ' unchanged'} while the policy stands.`);
  }
  return out;
}
let simViews = [];
$('m-go').onclick = async () => {
  simViews.forEach(v => v.finalize()); simViews = [];
  $('m-fan').innerHTML = $('m-channels').innerHTML = '';
  $('m-edit').querySelectorAll('.field-err').forEach(x => x.remove());
  $('m-edit').querySelectorAll('[aria-invalid]').forEach(x => x.removeAttribute('aria-invalid'));
  if (!scenarios) { await loadScenarios(); if (!scenarios) return; }
  const chosen = [...document.querySelectorAll('#m-pick input:checked')].map(i => i.value);
  if (!chosen.length) return fail($('m-out'), 'scenarios: tick at least one');
  const [changes, fieldsAt] = edits(chosen);
  const body = {scenarios: chosen, draws: Number($('m-draws').value), first_year: Number($('m-first').value), last_year: Number($('m-last').value), edits: changes, charts: true};
  const r = await call('/v1/simulate', body, $('m-out'));
  if (!r) {
    for (const d of call.detail || []) {
      const loc = (d.loc || []).filter(p => p !== 'body').join('.');
      const key = Object.keys(fieldsAt).filter(k => loc.startsWith(k)).sort((a, b) => b.length - a.length)[0];
      const el = key && fieldsAt[key];
      if (el) { el.setAttribute('aria-invalid', 'true'); el.closest('details').open = true; el.closest('label').insertAdjacentHTML('afterend', '<span class="field-err err">' + esc(d.msg) + '</span>'); }
    }
    return;
  }
  const rows = r.results.filter(x => x.metric === 'flow_ratio');
  const years = [...new Set(rows.map(x => x.year))], names = [...new Set(rows.map(x => x.scenario))];
  const edited = Object.fromEntries(changes.map(c => [c.scenario, c]));
  const runs = chosen.map((n, k) => [names[k], scenarios[n].exports.map(e => {
    const c = edited[n]?.exports.find(x => x.item === e.item);
    return c?.until !== undefined ? {...e, until: c.until} : e;
  })]);
  const cell = (n, y) => { const x = rows.find(v => v.scenario === n && v.year === y); return x ? x.median.toFixed(1) + ' [' + x.p5.toFixed(1) + '–' + x.p95.toFixed(1) + ']' : '—'; };
  $('m-out').innerHTML = '<p>US:China compute gained per year (' + esc(r.basis) + '), median [5–95%]</p><div class="scroll" tabindex="0" role="region" aria-label="Results table (scrolls sideways on narrow screens)"><table><tr><th>Scenario</th>' + years.map(y => '<th>' + y + '</th>').join('') + '</tr>' +
    names.map(n => '<tr><th>' + esc(n) + '</th>' + years.map(y => '<td>' + cell(n, y) + '</td>').join('') + '</tr>').join('') + '</table></div>' +
    '<h3>Where the inputs end</h3><ul class="notes">' + [...ends(runs, body.first_year, body.last_year), ...(r.notes || [])].map(n => '<li>' + esc(n) + '</li>').join('') + '</ul>';
  try {
    for (const [id, spec] of [['m-fan', r.charts.fan], ['m-channels', r.charts.channels]]) simViews.push((await vegaEmbed('#' + id, spec, VEGA)).view);
  } catch (e) { $('m-out').insertAdjacentHTML('beforeend', '<p class="err" role="alert">chart: ' + esc(e.message) + '</p>'); }
};

// ---- Licences: what remains on each licence line, and the headroom under the volume cap.
const num = v => v === null || v === undefined ? '—' : Number(v).toLocaleString('en-US', {maximumFractionDigits: 0});
$('l-go').onclick = async () => {
  const list = await call('/v1/licences', null, $('l-out'));
  if (!list) return;
  if (!list.length) { $('l-out').innerHTML = '<p class="muted">No licences on file (POST /v1/licences registers one).</p>'; return; }
  const today = new Date().toISOString().slice(0, 10);
  $('l-out').innerHTML = '<div class="scroll" tabindex="0" role="region" aria-label="Licences (scrolls sideways on narrow screens)"><table class="stack"><tr><th>Licence</th><th>Destination</th><th>Valid</th><th>Line</th><th>Licensed</th><th>Shipped</th><th>Remaining</th><th>Value remaining (USD)</th></tr>' +
    list.flatMap(l => l.lines.map(x => '<tr><th>' + esc(l.number) + '</th><td data-label="Destination">' + esc(l.destination) + '</td><td data-label="Valid">' + esc(l.issued) + ' to ' + esc(l.expires) + (l.expires < today ? ' <strong class="err">(expired)</strong>' : '') + '</td><td data-label="Line">' + esc(x.line_no) + ': ' + esc(x.item) + '</td><td data-label="Licensed">' + num(x.quantity) + '</td><td data-label="Shipped">' + num(x.quantity_used) + '</td><td data-label="Remaining" class="remaining">' + num(x.remaining_quantity) + '</td><td data-label="Value remaining (USD)">' + num(x.remaining_value_usd) + '</td></tr>')).join('') + '</table></div>';
};
$('l-cap-form').addEventListener('submit', async e => {
  e.preventDefault();
  await rulesReady();
  const q = new URLSearchParams({date: $('l-date').value, quantity: $('l-qty').value || '0'});
  const c = await call('/v1/cap/' + encodeURIComponent($('l-product').value.trim()) + '?' + q, null, $('l-cap-out'));
  if (!c) return;
  const rows = [['Product', esc(c.product)], ['US shipments for US end use (TPP)', num(c.us_tpp)], ['Cap share', c.share === null ? '—' : esc(c.share * 100) + '%'], ['Limit (TPP)', num(c.limit_tpp)], ['Shipped under the cap (TPP)', num(c.capped_tpp)], ['Headroom (TPP)', num(c.headroom_tpp)], ['Headroom (units)', num(c.headroom_units)]];
  $('l-cap-out').innerHTML = (c.applies ? '<p class="' + (c.fits ? 'ok' : 'err') + '" id="l-fits">' + (c.fits ? num($('l-qty').value || 0) + ' more units fit under the cap.' : num($('l-qty').value) + ' more units do NOT fit: headroom is ' + num(c.headroom_units) + ' units.') + '</p><table>' + rows.map(([k, v]) => '<tr><th>' + k + '</th><td>' + v + '</td></tr>').join('') + '</table>' : '<p id="l-fits">The volume cap does not apply to ' + esc(c.product) + ' on ' + esc($('l-date').value) + '.</p>') +
    (c.findings.length ? '<ol class="findings">' + c.findings.map(finding).join('') + '</ol>' : '');
});

// ---- Audit: filters, paging, and each row's inclusion proof checked here with WebCrypto.
const PAGE_SIZE = 20;
let auditOffset = 0;
const hex = h => Uint8Array.from(h.match(/../g).map(b => parseInt(b, 16)));
const toHex = b => [...new Uint8Array(b)].map(x => x.toString(16).padStart(2, '0')).join('');
const sha = async (prefix, ...parts) => new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array([prefix, ...parts.flatMap(p => [...p])])));
async function verifyInclusion(leaf, index, size, proof, root) {  // RFC 9162 2.1.3.2, as store/merkle.py
  if (index >= size) return false;
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) { r = await sha(1, p, r); while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
    else r = await sha(1, r, p);
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && toHex(r) === root;
}
const answer = x => x.response?.outcome ?? (x.response?.hit === undefined ? '' : x.response.hit ? 'hit' : 'no hit');
async function audit() {
  const q = new URLSearchParams({limit: PAGE_SIZE, offset: auditOffset});
  if ($('a-kind').value) q.set('kind', $('a-kind').value);
  if ($('a-key').value.trim()) q.set('key_label', $('a-key').value.trim());
  if ($('a-since').value) q.set('since', $('a-since').value + 'T00:00:00');
  if ($('a-until').value) q.set('until', $('a-until').value + 'T00:00:00');
  if ($('a-outcome').value) q.set('outcome', $('a-outcome').value);
  $('a-prev').disabled = $('a-next').disabled = true; $('a-detail').innerHTML = '';
  const r = await call('/v1/audit?' + q, null, $('a-out'));
  if (!r) return;
  $('a-out').innerHTML = '<p>' + r.total + ' rows match; showing ' + (r.total ? auditOffset + 1 : 0) + '–' + Math.min(auditOffset + PAGE_SIZE, r.total) + '</p>' +
    '<div class="scroll" tabindex="0" role="region" aria-label="Results table (scrolls sideways on narrow screens)"><table><tr><th>Row</th><th>When (UTC)</th><th>Kind</th><th>Key</th><th>Answer</th></tr>' + r.rows.map(x => '<tr><td><button type="button" data-row="' + x.id + '" aria-label="Details of row ' + x.id + '">#' + x.id + '</button></td><td>' + esc(x.created_at.slice(0, 19).replace('T', ' ')) + '</td><td>' + esc(x.kind) + '</td><td>' + esc(x.key_label) + '</td><td>' + esc(plain(answer(x))) + '</td></tr>').join('') + '</table></div>';
  $('a-page').textContent = 'page ' + (auditOffset / PAGE_SIZE + 1) + ' of ' + Math.max(1, Math.ceil(r.total / PAGE_SIZE));
  $('a-prev').disabled = auditOffset === 0; $('a-next').disabled = auditOffset + PAGE_SIZE >= r.total;
}
$('a-form').addEventListener('submit', e => { e.preventDefault(); auditOffset = 0; audit(); });
$('a-prev').onclick = () => { auditOffset = Math.max(0, auditOffset - PAGE_SIZE); audit(); };
$('a-next').onclick = () => { auditOffset += PAGE_SIZE; audit(); };
$('a-detail').addEventListener('click', e => {
  const b = e.target.closest('button[data-memo]');
  if (b) downloadMemo(b, Number(b.dataset.memo), $('a-memo-error'));
});
$('a-out').addEventListener('click', async e => {
  const b = e.target.closest('button[data-row]');
  if (!b) return;
  const out = $('a-detail'), id = Number(b.dataset.row);
  const rc = await call('/v1/audit/' + id + '/receipt', null, out);
  if (!rc) return;
  const leaf = await sha(0, new TextEncoder().encode(rc.leaf_data));
  const row = JSON.parse(rc.leaf_data);
  const leafOk = toHex(leaf) === rc.leaf_hash && row.id === id && row.leaf_index === rc.leaf_index;
  const ok = leafOk && await verifyInclusion(leaf, rc.leaf_index, rc.tree_size, rc.inclusion_proof.map(hex), rc.root_hash);
  out.innerHTML = '<h3>Row #' + id + '</h3><p class="' + (ok ? 'ok' : 'err') + '" id="a-verdict">' + (ok ? 'Inclusion proof checked in this page: the row is leaf ' + rc.leaf_index + ' of the tree of ' + rc.tree_size + ' with root ' : 'The proof does NOT check against root ') + '<span class="hash">' + esc(rc.root_hash) + '</span></p>' +
    '<table><tr><th>Leaf hash</th><td class="hash">' + esc(rc.leaf_hash) + '</td></tr><tr><th>Proof</th><td class="hash">' + rc.inclusion_proof.map(esc).join('<br>') + '</td></tr><tr><th>Kind</th><td>' + esc(row.kind) + '</td></tr><tr><th>Key</th><td>' + esc(row.key_label) + '</td></tr><tr><th>Regime date</th><td>' + esc(row.regime_date) + '</td></tr></table>' +
    (row.kind === 'decide' ? '<p><button type="button" id="a-memo" data-memo="' + id + '">Download the decision memo (PDF)</button> <span id="a-memo-error" class="err" role="alert"></span></p>' : '') +
    '<details><summary>Request and answer as recorded</summary><pre class="hash">' + esc(JSON.stringify(JSON.parse(row.request), null, 1)) + '\n\n' + esc(JSON.stringify(JSON.parse(row.response), null, 1)) + '</pre></details>';
  out.querySelector('h3').tabIndex = -1; out.querySelector('h3').focus();
});
