// The web page's behaviour, served as a file so the Content-Security-Policy needs no inline script.
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
  if (!r.ok) { out.innerHTML = '<p class="err">' + esc(r.status + ': ' + (Array.isArray(data.detail) ? data.detail.map(d => (d.loc||[]).join('.') + ': ' + d.msg).join('\n') : data.detail)) + '</p>'; return null; }
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
function chart() { fetch('/v1/charts/catalog.svg?date=' + encodeURIComponent($('c-date').value), {headers: {'X-API-Key': $('key').value}})
  .then(r => r.ok ? r.blob() : null).then(b => { if (b) $('c-chart').src = URL.createObjectURL(b); }); }
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
