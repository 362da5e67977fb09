"""The page frame shared by every HTML view; all interpolated text is escaped here or by callers."""

from __future__ import annotations

from html import escape

from aiohttp import web

STYLE = """
body{font-family:system-ui,sans-serif;margin:0;line-height:1.5;color:#1a1a1a;background:#fff}
header,main,footer{max-width:48rem;margin:0 auto;padding:1rem}
header{border-bottom:1px solid #ccc}
a{color:#0645ad}
.kind{font-size:.9rem;color:#444}
ul.orgs{list-style:none;padding:0}
ul.orgs li{padding:.5rem 0;border-bottom:1px solid #eee}
"""


def page(title: str, body_html: str, *, node_name: str, status: int = 200) -> web.Response:
    """Wrap already-escaped body HTML in the common frame."""
    html = (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · {escape(node_name)}</title>"
        f"<style>{STYLE}</style></head><body>"
        f'<header><a href="/">{escape(node_name)}</a></header>'
        f"<main>{body_html}</main>"
        '<footer><a href="/api/v1/openapi.json">API</a></footer>'
        "</body></html>"
    )
    return web.Response(text=html, content_type="text/html", status=status)
