"""The web page: plain HTML and a little JavaScript over the /v1 API."""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>computegate</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
 header{background:#1d2430;color:#fff;padding:.8rem 1.2rem;display:flex;gap:1rem;align-items:center}
 header h1{font-size:1.2rem;margin:0} header input{width:22rem}
 nav button{margin-right:.3rem} main{padding:1rem 1.2rem;max-width:72rem}
 section{display:none;background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:1rem;margin-bottom:1rem}
 section.active{display:block} label{display:inline-block;margin:.3rem .8rem .3rem 0}
 input,select,textarea{font:inherit;padding:.25rem} textarea{width:100%;height:9rem;font-family:monospace}
 .outcome{font-size:1.2rem;font-weight:600;margin:.6rem 0} .license_required{color:#b42318}
 .no_license_required{color:#067647} .insufficient_information{color:#b54708}
 ol.findings li{margin:.35rem 0} .cite{color:#667085;font-size:.85rem} table{border-collapse:collapse}
 td,th{border:1px solid #dde1e7;padding:.25rem .5rem;text-align:left;vertical-align:top} .err{color:#b42318;white-space:pre-wrap}
</style></head><body>
<header><h1>computegate</h1><label>API key <input id="key" placeholder="cg_…" autocomplete="off"></label></header>
<main>
<nav>
 <button data-tab="decide">Decide</button><button data-tab="classify">Classify a chip</button>
 <button data-tab="compare">Compare overlays</button><button data-tab="screen">Screen a name</button>
 <button data-tab="simulate">Simulate</button><button data-tab="audit">Audit log</button>
</nav>
<section id="decide" class="active"><h2>Is a licence required?</h2>
 <label>Kind <select id="d-kind"><option>export</option><option>reexport</option><option>transfer</option></select></label>
 <label>Item <input id="d-item" value="H200"></label><label>Quantity <input id="d-qty" type="number" value="500" min="1"></label>
 <label>From <input id="d-from" size="3" placeholder="US"></label><label>To <input id="d-to" size="3" value="CN"></label>
 <label>Date <input id="d-date" type="date" value="2026-01-16"></label><br>
 <label>End user <input id="d-name" value="Shanghai customer"></label><label>HQ <input id="d-hq" size="3" value="CN"></label>
 <label>Parent HQ <input id="d-parent" size="3"></label>
 <label><input id="d-el" type="checkbox"> Entity List</label><label><input id="d-meu" type="checkbox"> Military end user</label>
 <br><button id="d-go">Decide</button>
 <div id="d-out"></div></section>
<section id="classify"><h2>Classify a chip</h2>
 <label>Item <input id="c-item" value="MI325X"></label><label>Date <input id="c-date" type="date" value="2026-01-16"></label>
 <button id="c-go">Classify</button><div id="c-out"></div>
 <p><img id="c-chart" alt="Catalog: TPP against performance density and against DRAM bandwidth" style="max-width:100%"></p></section>
<section id="compare"><h2>Same request on other dates, or under each what-if overlay</h2>
 <p>Uses the request from the Decide tab, or edit the JSON:</p><textarea id="w-json"></textarea>
 <label>Dates <input id="w-dates" value="2026-01-14,2026-01-16" size="30"></label>
 <button id="w-dates-go">Compare dates</button> <button id="w-go">Compare overlays</button><div id="w-out"></div></section>
<section id="screen"><h2>Screen a name</h2>
 <label>Name <input id="s-name" value="华为技术有限公司" size="40"></label><label>Country <input id="s-country" size="3" value="CN"></label>
 <button id="s-go">Screen</button><div id="s-out"></div></section>
<section id="simulate"><h2>Compute balance</h2>
 <label>Scenarios <input id="m-sc" value="full-ban,h200-allowed,b30a-allowed" size="50"></label>
 <label>Draws <input id="m-draws" type="number" value="2000"></label><button id="m-go">Run</button><div id="m-out"></div><div id="m-chart"></div></section>
<section id="audit"><h2>Audit log</h2><label>Kind <select id="a-kind"><option value="">any</option><option>decide</option><option>screen</option></select></label>
 <button id="a-go">Load</button><div id="a-out"></div></section>
</main>
<script>
const $ = id => document.getElementById(id);
const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const cite = c => esc([c?.cfr, c?.document].filter(Boolean).join('; ') + (c?.confidence && c.confidence !== 'primary' ? ' [' + c.confidence + ']' : ''));
$('key').value = localStorage.getItem('cg-key') || '';
$('key').addEventListener('change', () => localStorage.setItem('cg-key', $('key').value));
document.querySelectorAll('nav button').forEach(b => b.onclick = () => {
  document.querySelectorAll('section').forEach(s => s.classList.toggle('active', s.id === b.dataset.tab));
  if (b.dataset.tab === 'compare' && !$('w-json').value) $('w-json').value = JSON.stringify(decideRequest(), null, 1);
});
async function call(path, body, out) {
  out.innerHTML = 'working…';
  const r = await fetch(path, {method: body ? 'POST' : 'GET', headers: {'Content-Type': 'application/json', 'X-API-Key': $('key').value}, body: body ? JSON.stringify(body) : undefined});
  const data = await r.json();
  if (!r.ok) { out.innerHTML = '<p class="err">' + esc(r.status + ': ' + (Array.isArray(data.detail) ? data.detail.map(d => (d.loc||[]).join('.') + ': ' + d.msg).join('\\n') : data.detail)) + '</p>'; return null; }
  return data;
}
function decideRequest() {
  const req = {kind: $('d-kind').value, date: $('d-date').value, item: $('d-item').value, quantity: Number($('d-qty').value), to_country: $('d-to').value,
    end_user: {name: $('d-name').value || null, headquarters: $('d-hq').value || null, ultimate_parent_headquarters: $('d-parent').value || null, entity_list: $('d-el').checked, military_end_user: $('d-meu').checked}};
  if ($('d-from').value) req.from_country = $('d-from').value;
  return req;
}
function showDecision(d) {
  let h = '<div class="outcome ' + d.outcome + '">' + esc(d.outcome.replaceAll('_', ' ')) + (d.review_policy ? ' — ' + esc(d.review_policy.replaceAll('_', ' ')) : '') + '</div>';
  h += '<p>Item: ' + esc(d.item.name) + ' (' + esc(d.item.eccn_paragraph || d.item.eccn || d.item.eccn_status) + '); regime ' + esc(d.regime.date) + (d.audit_id ? '; audit #' + d.audit_id : '') + '</p>';
  if (d.license_exceptions.length) h += '<p>Licence exceptions: ' + esc(d.license_exceptions.join(', ')) + '</p>';
  h += '<h3>Why</h3><ol class="findings">' + d.findings.map(f => '<li>' + esc(f.text) + '<br><span class="cite">' + esc(f.rule) + ' — ' + cite(f.citation) + '</span></li>').join('') + '</ol>';
  if (d.conditions.length) h += '<h3>The exporter must certify</h3><ul>' + d.conditions.map(c => '<li>' + esc(c.text) + ' <span class="cite">' + cite(c.citation) + '</span></li>').join('') + '</ul>';
  if (d.missing_facts.length) h += '<h3>Missing facts</h3><ul>' + d.missing_facts.map(m => '<li>' + esc(m.question) + '<ul>' + Object.entries(m.outcomes).map(([k, v]) => '<li>' + esc(k) + ' → ' + esc(v) + '</li>').join('') + '</ul></li>').join('') + '</ul>';
  return h;
}
$('d-go').onclick = async () => { const d = await call('/v1/decide', decideRequest(), $('d-out')); if (d) $('d-out').innerHTML = showDecision(d); };
function chart() { $('c-chart').src = '/v1/charts/catalog.svg?date=' + encodeURIComponent($('c-date').value); }
$('c-go').onclick = async () => { chart(); const c = await call('/v1/classify', {item: $('c-item').value, date: $('c-date').value}, $('c-out'));
  if (c) $('c-out').innerHTML = '<p><b>' + esc(c.eccn_paragraph || c.eccn || c.eccn_status) + '</b> — TPP ' + esc(Math.round(c.tpp)) + ', PD ' + esc(c.performance_density?.toFixed(2)) + ', DRAM ' + esc(c.total_dram_bandwidth_gbs) + ' GB/s; Jan-2026 window: ' + esc(c.jan2026_case_by_case_zone) + '</p><ol class="findings">' + c.findings.map(f => '<li>' + esc(f.text) + ' <span class="cite">' + cite(f.citation) + '</span></li>').join('') + '</ol>'; };
$('w-go').onclick = async () => { let req; try { req = JSON.parse($('w-json').value); } catch (e) { $('w-out').innerHTML = '<p class="err">invalid JSON: ' + esc(e.message) + '</p>'; return; }
  const rows = await call('/v1/whatif', {request: req}, $('w-out'));
  if (rows) $('w-out').innerHTML = '<table><tr><th>overlays</th><th>outcome</th><th>review policy</th></tr>' + rows.map(r => '<tr><td>' + esc(r.overlays.join(', ') || 'enacted law') + '</td><td>' + esc(r.outcome) + '</td><td>' + esc(r.review_policy || '—') + '</td></tr>').join('') + '</table>'; };
$('w-dates-go').onclick = async () => { let req; try { req = JSON.parse($('w-json').value || JSON.stringify(decideRequest())); } catch (e) { $('w-out').innerHTML = '<p class="err">invalid JSON: ' + esc(e.message) + '</p>'; return; }
  const dates = $('w-dates').value.split(',').map(s => s.trim()).filter(Boolean);
  const ds = await call('/v1/decide', dates.map(d => ({...req, date: d})), $('w-out'));
  if (ds) $('w-out').innerHTML = '<table><tr><th></th>' + dates.map(d => '<th>' + esc(d) + '</th>').join('') + '</tr>' +
    [['outcome', d => d.outcome], ['review policy', d => d.review_policy || '—'], ['exceptions', d => d.license_exceptions.join(', ') || 'none'], ['conditions', d => d.conditions.length], ['missing facts', d => d.missing_facts.map(m => m.fact).join(', ') || 'none']]
      .map(([label, f]) => '<tr><th>' + label + '</th>' + ds.map(d => '<td>' + esc(f(d)) + '</td>').join('') + '</tr>').join('') + '</table>'; };
$('s-go').onclick = async () => { const r = await call('/v1/screen', {name: $('s-name').value, country: $('s-country').value || null}, $('s-out'));
  if (r) $('s-out').innerHTML = '<p><b>' + (r.hit ? 'HIT' : 'no hit') + '</b> against ' + esc(r.list.source) + ' (sha256 ' + esc(r.list.sha256.slice(0, 12)) + ')</p><table><tr><th>score</th><th>entry</th><th>via</th><th>notice</th></tr>' + r.hits.map(h => '<tr><td>' + h.score.toFixed(3) + '</td><td>' + esc(h.entry_name) + '</td><td>' + esc(h.matched_name) + '</td><td>' + esc(h.federal_register_notice) + '</td></tr>').join('') + '</table>'; };
$('m-go').onclick = async () => { const r = await call('/v1/simulate', {scenarios: $('m-sc').value.split(',').map(s => s.trim()).filter(Boolean), draws: Number($('m-draws').value)}, $('m-out'));
  if (!r) return; const rows = r.results.filter(x => x.metric === 'flow_ratio');
  const years = [...new Set(rows.map(x => x.year))]; const names = [...new Set(rows.map(x => x.scenario))];
  fetch('/v1/simulate/chart.svg', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-API-Key': $('key').value}, body: JSON.stringify({scenarios: names, draws: Number($('m-draws').value)})})
    .then(r => r.ok ? r.text() : '').then(svg => { $('m-chart').innerHTML = svg; });
  $('m-out').innerHTML = '<p>US:China compute gained per year (' + esc(r.basis) + '), median [5–95%]</p><table><tr><th>scenario</th>' + years.map(y => '<th>' + y + '</th>').join('') + '</tr>' + names.map(n => '<tr><td>' + esc(n) + '</td>' + years.map(y => { const x = rows.find(v => v.scenario === n && v.year === y); return '<td>' + x.median.toFixed(1) + ' [' + x.p5.toFixed(1) + '–' + x.p95.toFixed(1) + ']</td>'; }).join('') + '</tr>').join('') + '</table>'; };
$('a-go').onclick = async () => { const q = $('a-kind').value ? '?kind=' + encodeURIComponent($('a-kind').value) : ''; const r = await call('/v1/audit' + q, null, $('a-out'));
  if (r) $('a-out').innerHTML = '<p>' + r.total + ' rows</p><table><tr><th>#</th><th>when</th><th>kind</th><th>key</th><th>answer</th></tr>' + r.rows.map(x => '<tr><td>' + x.id + '</td><td>' + esc(x.created_at) + '</td><td>' + esc(x.kind) + '</td><td>' + esc(x.key_label) + '</td><td>' + esc(x.response.outcome ?? (x.response.hit ? 'hit' : 'no hit')) + '</td></tr>').join('') + '</table>'; };
</script></body></html>
"""
