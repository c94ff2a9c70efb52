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
<script src="/static/page.js"></script></body></html>
"""

DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>computegate API</title>
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-ui/init.js"></script></body></html>
"""
