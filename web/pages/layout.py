"""The page frame shared by every HTML view; all interpolated text is escaped here or by callers.

Accessibility rules every page follows (checked by tests/web/test_pages_a11y.py with axe-core):
one `h1` per page and no skipped heading levels, every control labelled, a skip link to
`<main id="main">`, a visible focus ring, text contrast of at least 4.5:1, and no horizontal
scrolling down to 320 CSS pixels wide. No scripts: the CSP forbids them.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from aiohttp import web

STYLE = """
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;line-height:1.5;
color:#1a1a1a;background:#fff;overflow-wrap:anywhere}
.wrap{max-width:64rem;margin:0 auto;padding:1rem}
header{border-bottom:1px solid #767676;background:#f4f6f8}
header .wrap{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
header ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
.brand{font-weight:700;font-size:1.1rem}
footer{border-top:1px solid #767676;margin-top:2rem;color:#3d3d3d}
a{color:#0645ad;text-underline-offset:.15em}
a:visited{color:#5a2a82}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,
main:focus-visible{outline:3px solid #b35900;outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
clip-path:inset(50%);white-space:nowrap}
.skip{position:absolute;left:-999rem;top:.5rem;background:#fff;padding:.5rem 1rem;z-index:1}
.skip:focus{left:.5rem}
h1{font-size:1.75rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.3rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:1rem 0 .25rem}
.kind,.meta{font-size:.9rem;color:#3d3d3d}
ul.plain{list-style:none;padding:0;margin:0}
ul.plain>li{padding:.6rem 0;border-bottom:1px solid #d0d0d0}
ul.plain>li:last-child{border-bottom:0}
ul.orgs{list-style:none;padding:0}
ul.orgs li{padding:.5rem 0;border-bottom:1px solid #d0d0d0}
.result h3{margin:0}
.result p{margin:.25rem 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
form.search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:0 0 1rem}
form.search label{display:block;font-weight:600;width:100%}
form.search input[type=search]{flex:1 1 12rem;min-width:0;font:inherit;padding:.5rem;
border:1px solid #595959;border-radius:.25rem}
button{font:inherit;padding:.5rem 1rem;border:1px solid #0645ad;border-radius:.25rem;
background:#0645ad;color:#fff;cursor:pointer}
.layout{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,16rem);gap:2rem}
.facets h2{margin-top:0}
.facets h3{font-size:1rem}
.facets ul{list-style:none;padding:0;margin:0 0 .5rem}
.facets li{padding:.1rem 0}
.facets a[aria-current]{font-weight:700;color:#1a1a1a}
.count{color:#3d3d3d}
.active{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0}
.active li{border:1px solid #595959;border-radius:1rem;padding:0 .75rem}
nav.pages ul{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0}
code,.handle{font-family:ui-monospace,Menlo,Consolas,monospace;background:#f4f6f8;
padding:0 .25rem;border-radius:.2rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #d0d0d0;vertical-align:top}
@media (max-width:40rem){
.layout{grid-template-columns:minmax(0,1fr);gap:1rem}
dl.facts{grid-template-columns:minmax(0,1fr)}
dl.facts dd{margin-bottom:.5rem}
table,thead,tbody,tr,th,td{display:block}
thead{position:absolute;left:-999rem}
tr{border-bottom:1px solid #d0d0d0;padding:.4rem 0}
td{border:0;padding:.1rem 0}
h1{font-size:1.5rem}
}
"""


def href(path: str, **params: str | None) -> str:
    """A same-site link with its query string; empty values are left out. Not yet escaped."""
    query = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in params.items() if v)
    return f"{path}?{query}" if query else path


def page(
    title: str, body_html: str, *, node_name: str, status: int = 200, lang: str = "en"
) -> web.Response:
    """Wrap already-escaped body HTML in the common frame."""
    html = (
        "<!doctype html>\n"
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · {escape(node_name)}</title>"
        f"<style>{STYLE}</style></head><body>"
        '<a class="skip" href="#main">Skip to main content</a>'
        '<header><div class="wrap">'
        f'<a class="brand" href="/">{escape(node_name)}</a>'
        '<nav aria-label="Site"><ul>'
        '<li><a href="/catalog/search">Catalog</a></li>'
        '<li><a href="/#organisations">Organisations</a></li>'
        '<li><a href="/requests">Requests</a></li>'
        "</ul></nav></div></header>"
        f'<main id="main" tabindex="-1"><div class="wrap">{body_html}</div></main>'
        '<footer><div class="wrap">'
        f"<p>{escape(node_name)} is a commonsnode node: a federated catalog of open-source "
        'tools for governments. <a href="/api/v1/openapi.json">JSON API</a></p>'
        "</div></footer>"
        "</body></html>"
    )
    return web.Response(text=html, content_type="text/html", status=status)
