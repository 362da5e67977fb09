"""Markdown → safe HTML for experience reports: markdown-it-py (CommonMark), raw HTML disabled,
then the same sanitiser as any remote HTML, so a report shows what Mastodon would allow."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from markdown_it import MarkdownIt

from federation.sanitize import sanitize_html

# `html: False`: `<script>` typed in a narrative stays text. markdown-it's own link check
# already refuses javascript:, vbscript:, file: and data: links; the sanitiser then keeps only
# absolute links with the schemes in sanitize.LINK_SCHEMES (no relative links into our site).
_RENDERER: Final = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


@lru_cache(maxsize=256)  # pages render local reports on every view; a hostile text costs ~1 s
def render_markdown(text: str) -> str:
    """Sanitised HTML of a Markdown text (headings shown as bold paragraphs, images dropped)."""
    if not text.strip():
        return ""
    return sanitize_html(_RENDERER.render(text))
