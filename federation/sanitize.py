"""Remote HTML → safe HTML (Mastodon's allowlist) and → plain text, before anything is stored.

The parser's work is bounded before it runs, because html5ever has superlinear paths:
nesting costs the square of the depth (100 000 nested `<ol>` take over a minute); each
`&` or U+0080–U+00BF character costs time in proportion to the input after it (512 Ki
no-break spaces take 5 s); one tag's distinct attributes cost the square of their number.
So the raw input is cut to its first MAX_INPUT_CHARS characters (ample: publiccode.yml
caps a long description at 10 000), then just before its (MAX_TAGS + 1)-th `<`, then just
before its (MAX_COSTLY_CHARS + 1)-th `&` or U+0080–U+00BF character: each worst case
stays near 0.1–0.2 s. Cutting a string short is always safe: the parser drops a tag left
unfinished at the end. Sanitised output longer than MAX_OUTPUT_CHARS (escaping can grow
text fourfold) is replaced by its escaped plain text, cut to fit. Content past any cap is
lost, not rejected.
"""

from __future__ import annotations

import html
import re
from typing import Final

import nh3

MAX_INPUT_CHARS: Final = 256 * 1024  # characters of raw input the parser sees
MAX_TAGS: Final = 8192  # `<` characters the parser sees
MAX_COSTLY_CHARS: Final = 16_384  # `&` and U+0080–U+00BF characters the parser sees
MAX_OUTPUT_CHARS: Final = 512 * 1024  # characters of sanitised HTML returned

ALLOWED_TAGS: Final = frozenset(
    {"p", "span", "br", "a", "del", "pre", "code", "em", "strong", "b", "i", "u"}
    | {"ul", "ol", "li", "blockquote"}
)
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})  # become <p><strong>
ALLOWED_ATTRIBUTES: Final = {
    "*": frozenset(),  # replaces Ammonia's default of lang and title on every tag
    "span": frozenset({"class"}),
    "a": frozenset({"href", "class"}),  # rel is set by the sanitiser, whatever was sent
    "ol": frozenset({"start", "reversed"}),
    "li": frozenset({"value"}),
}
LINK_SCHEMES: Final = frozenset(
    {"http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet", "gemini"}
)
LINK_REL: Final = "nofollow noopener noreferrer"
ALLOWED_CLASSES: Final = frozenset({"mention", "hashtag", "ellipsis", "invisible"})
# Removed with their content, not just unwrapped: their text is code, styling or markup.
_DROPPED_WITH_CONTENT: Final = frozenset(
    {"script", "style", "template", "iframe", "object", "embed", "noscript", "noembed"}
    | {"noframes", "svg", "math", "textarea", "select", "title", "xmp"}
)

_MICROFORMAT = re.compile(r"(?:h|p|u|dt|e)-[a-z0-9]+(?:-[a-z0-9]+)*")
_INTEGER = re.compile(r"-?[0-9]{1,9}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_TAG_OPEN = re.compile(r"<")
_COSTLY = re.compile(r"[&\x80-\xbf]")
# One tag of the sanitiser's output. Text there never holds a raw `<`, and a quoted
# attribute value is consumed whole, so a `<` inside one is never taken for a tag.
_TAG = re.compile(r'<[^<>"]*(?:"[^"]*"[^<>"]*)*>')
_TAG_NAME = re.compile(r"<(/?)([a-z0-9]+)")
_HEADING_TAG = re.compile(r"<(/?)h[1-6]>")
_BLOCKS: Final = frozenset({"p", "pre", "blockquote", "ul", "ol", *_HEADINGS})  # text: \n\n
_BLANK_RUNS = re.compile(r"\n{3,}")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_PARTIAL_ENTITY = re.compile(r"&[a-z]*\Z")


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    """Keep known classes only, and integer list numbering; must never raise."""
    if name == "class":
        kept = [c for c in value.split() if c in ALLOWED_CLASSES or _MICROFORMAT.fullmatch(c)]
        return " ".join(kept) or None
    if name in ("start", "value"):
        return value.strip() if _INTEGER.fullmatch(value.strip()) else None
    if name == "reversed":
        return ""
    return value


_CLEANER: Final = nh3.Cleaner(
    tags=ALLOWED_TAGS | _HEADINGS,
    clean_content_tags=_DROPPED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    link_rel=LINK_REL,
    url_schemes=LINK_SCHEMES,
    url_relative="deny",  # a relative link in remote content would point into our site
    strip_comments=True,
)


def _cut_before(text: str, pattern: re.Pattern[str], limit: int) -> str:
    """`text` up to just before the (limit + 1)-th match of the one-character `pattern`."""
    for seen, match in enumerate(pattern.finditer(text)):
        if seen == limit:
            return text[: match.start()]
    return text


def _bounded_input(raw: str) -> str:
    text = _cut_before(raw[:MAX_INPUT_CHARS], _TAG_OPEN, MAX_TAGS)
    text = _cut_before(text, _COSTLY, MAX_COSTLY_CHARS)
    return _SURROGATE.sub("\ufffd", text)  # lone surrogates (valid JSON) break nh3


def _clean(raw: str) -> str:
    """Sanitised HTML, headings still in place."""
    return _CLEANER.clean(_bounded_input(raw))


def _rename_heading(match: re.Match[str]) -> str:
    tag = match.group(0)
    heading = _HEADING_TAG.fullmatch(tag)
    if heading is None:
        return tag
    return "</strong></p>" if heading.group(1) else "<p><strong>"


def _text_break(match: re.Match[str]) -> str:
    name = _TAG_NAME.match(match.group(0))
    if name is None:
        return ""
    closing, tag = name.groups()
    if tag in _BLOCKS:
        return "\n\n"
    return "\n" if tag in ("br", "li") and not closing else ""


def _text_of(cleaned: str) -> str:
    text = html.unescape(_TAG.sub(_text_break, cleaned))
    lines = (_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def sanitize_html(raw: str) -> str:
    """Safe HTML for our pages from a remote `content`/`summary`; bounded, see module doc.

    Headings are kept through sanitising (nh3 cannot rename tags) and then rewritten in its
    well-formed output: `<hN>` → `<p><strong>`, as Mastodon shows them.
    """
    cleaned = _clean(raw)
    out = _TAG.sub(_rename_heading, cleaned)
    if len(out) <= MAX_OUTPUT_CHARS:
        return out
    escaped = html.escape(_text_of(cleaned), quote=False)
    budget = MAX_OUTPUT_CHARS - len("<p>…</p>")
    return "<p>" + _PARTIAL_ENTITY.sub("", escaped[:budget]) + "…</p>"


def plain_text(raw: str) -> str:
    """Text without markup for summaries and search; paragraphs become blank lines.

    The result is text, not HTML: escape it before putting it in a page. Script and style
    content is dropped, not shown; at most MAX_INPUT_CHARS characters.
    """
    return _text_of(_clean(raw))[:MAX_INPUT_CHARS]
