"""Hostile remote HTML: script injection, and inputs built to exhaust the sanitiser.

security.md rule 9 and checklist "Pathological HTML (ReDoS), 10 MB `content`, 100 000
tags ⇒ bounded time/memory". Every output is re-parsed and must hold only allowlisted
tags, attributes, classes and link schemes. Bounds are asserted on sizes, never on time:
the caps in federation/sanitize.py keep each case near 0.1 s.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from federation.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    LINK_REL,
    LINK_SCHEMES,
    MAX_INPUT_CHARS,
    MAX_OUTPUT_CHARS,
    MAX_TAGS,
    plain_text,
    sanitize_html,
)

MICROFORMAT = re.compile(r"(?:h|p|u|dt|e)-\S+")
# What a browser's URL parser drops before it reads the scheme.
URL_IGNORED = re.compile(r"[\x00-\x20]+\Z|\A[\x00-\x20]+|[\t\n\r]")


class Collector(HTMLParser):
    """Every start tag of the output with its (entity-decoded) attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.others: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_comment(self, data: str) -> None:
        self.others.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.others.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.others.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.others.append(f"unknown declaration {data!r}")


def assert_safe(out: str) -> list[tuple[str, dict[str, str | None]]]:
    """Fail unless `out` holds nothing a browser could run or style; returns its tags."""
    collector = Collector()
    collector.feed(out)
    collector.close()
    assert collector.others == []
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, tag
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset()) | ({"rel"} if tag == "a" else set())
        assert set(attrs) <= allowed, (tag, attrs)
        if tag == "a":
            assert attrs["rel"] == LINK_REL
        href = attrs.get("href")
        if href is not None:
            scheme = URL_IGNORED.sub("", href).partition(":")[0].lower()
            assert scheme in LINK_SCHEMES, href
        for name in (attrs.get("class") or "").split():
            assert name in ALLOWED_CLASSES or MICROFORMAT.fullmatch(name), name
    return collector.tags


XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x onerror=alert(1)>",
    '<p onclick="alert(1)">x</p>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<input onfocus=alert(1) autofocus>",
    '<a href="https://ok.example/"onclick="alert(1)">x</a>',
    '<a href="https://ok.example/" onmouseover="alert(1)" style="x" target="_blank" id="i">x</a>',
    '<span class="mention" data-x="1" onmouseover=alert(1)>x</span>',
    "<a href='https://ok.example/' title='\"><script>alert(1)</script>'>x</a>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="java&#10;script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="&#0000106avascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<a href="//evil.example/">protocol-relative</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<style>@import 'javascript:alert(1)';</style>",
    '<span style="background:url(javascript:alert(1))">x</span>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:/"><link rel=stylesheet href="https://evil.example/x.css">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<title><img src=x onerror=alert(1)></title>",
    "<template><img src=x onerror=alert(1)></template>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<select><style></select><img src=x onerror=alert(1)>",
    "<p>x</p><plaintext><img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<!-- --!><img src=x onerror=alert(1)>-->",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "<?xml-stylesheet href='https://evil.example/x.xsl'?><p>x</p>",
    '<a href="https://ok.example/" rel="opener" target="_top">x</a>',
]


@pytest.mark.parametrize("vector", XSS)
def test_script_injection_vectors_leave_nothing_executable(vector: str) -> None:
    """Attack: markup that runs script, loads content or styles the page."""
    out = sanitize_html(vector)
    assert_safe(out)
    assert sanitize_html(out) == out  # stable: a second pass finds nothing to remove
    assert "alert(1)" not in re.sub(r"&[a-z]+;", "", "".join(re.findall(r"<[^>]*>", out)))


def test_a_link_survives_with_only_its_safe_parts() -> None:
    out = sanitize_html(
        '<a href="https://ok.example/" onmouseover="alert(1)" style="x" target="_blank">x</a>'
    )
    assert assert_safe(out) == [("a", {"href": "https://ok.example/", "rel": LINK_REL})]


# --- resource exhaustion --------------------------------------------------------------------

N = 100_000
NESTED = {
    "ol": "<ol>" * N,
    "ul-li": "<ul><li>" * N,
    "div": "<div>" * N,
    "blockquote": "<blockquote>" * N,
    "b": "<b>" * N,
    "span": "<span class='h-card'>" * N,
    "a": "<a href='https://x.example/'>" * N,
    "table": "<table><tr><td>" * N,
    "formatting": "<b><i><u><em><strong><del><code>" * N,
    "misnested": "<b><p></b></p>" * N,
    "adoption-agency": "<a><p><a>" * N,
    "svg": "<svg><g>" * N,
}
FLAT = {
    "b": "<b>x</b>" * N,
    "br": "<br>" * N,
    "links": '<a href="https://x.example/a" class="mention">@a</a> ' * N,
    "headings": "<h1>t</h1>" * N,
    "unknown": "<x-y>z</x-y>" * N,
    "comments": "<!--c-->" * N,
    "list-items": "<li value=1>x" * N,
}
REDOS = {
    "open-angles": "<" * MAX_INPUT_CHARS,
    "unfinished-tags": "<a" * (MAX_INPUT_CHARS // 2),
    "unclosed-attribute": '<a href="' + "x" * MAX_INPUT_CHARS,
    "attribute-starts": '<a x="' * (MAX_INPUT_CHARS // 6),
    "alternating-quotes": '<a title="' + "'\"" * (MAX_INPUT_CHARS // 2),
    "bare-ampersands": "&" * MAX_INPUT_CHARS,
    "failed-references": "&zz" * (MAX_INPUT_CHARS // 3),
    "numeric-prefixes": "&#x" * (MAX_INPUT_CHARS // 3),
    "references-in-an-attribute": '<a href="https://x.example/?' + "&a" * MAX_INPUT_CHARS,
    "ampersands-before-text": "&" * 50_000 + "a" * MAX_INPUT_CHARS,
    "no-break-spaces": "\u00a0" * MAX_INPUT_CHARS,
    "latin1-punctuation": "«»°±" * (MAX_INPUT_CHARS // 4),
    "end-tags": "</" * MAX_INPUT_CHARS,
    "cdata": "<![CDATA[" * (MAX_INPUT_CHARS // 9),
    "comment-openers": "<!--" * (MAX_INPUT_CHARS // 4),
    "nul-and-cr": "\x00\r" * MAX_INPUT_CHARS,
    "greater-thans": ">" * (4 * MAX_INPUT_CHARS),
    "distinct-attributes": "<a " + " ".join(f"a{i}=1" for i in range(N)) + ">",
    "same-attribute": "<a " + "x=1 " * N + ">",
    "long-class-for-our-regex": '<span class="h-' + "a-" * N + '!">x</span>',
    "many-classes": '<span class="' + "mention " * N + '">x</span>',
    "long-list-number": '<ol start="' + "9" * N + '"><li value="-' + "1" * N + '">x</ol>',
}


def assert_bounded(source: str) -> None:
    out = sanitize_html(source)
    assert len(out) <= MAX_OUTPUT_CHARS
    tags = assert_safe(out)
    assert len(tags) <= 3 * MAX_TAGS
    assert len(plain_text(source)) <= MAX_INPUT_CHARS


@pytest.mark.parametrize("source", NESTED.values(), ids=NESTED.keys())
def test_deeply_nested_tags_are_bounded(source: str) -> None:
    """Attack: 100 000 levels of nesting; html5ever's cost grows with depth squared."""
    assert_bounded(source)


@pytest.mark.parametrize("source", FLAT.values(), ids=FLAT.keys())
def test_a_hundred_thousand_tags_are_bounded(source: str) -> None:
    """Attack: 100 000 sibling tags, each adding output (rel on links, closing tags)."""
    assert_bounded(source)


@pytest.mark.parametrize("source", REDOS.values(), ids=REDOS.keys())
def test_backtracking_and_superlinear_inputs_are_bounded(source: str) -> None:
    """Attack: inputs that make regex-based or tokenizer-based sanitisers take quadratic
    or exponential time: unfinished constructs, failed references, long attributes."""
    assert_bounded(source)


@pytest.mark.parametrize(
    "source",
    [
        "x" * 10_000_000,
        "<p>word word</p>" * 625_000,
        '<a href="https://x.example/' + "a" * 10_000_000 + '">x</a>',
        "<b>" + "&amp;" * 2_000_000 + "</b>",
    ],
    ids=["text", "paragraphs", "one-attribute", "references"],
)
def test_ten_megabytes_of_content_are_cut_before_parsing(source: str) -> None:
    """Attack: a 10 MB `content` (from a fetch limit raised by mistake, or an import)."""
    assert len(source) >= 10_000_000
    assert_bounded(source)


def test_text_past_the_caps_is_dropped_not_smuggled() -> None:
    """The cut keeps the beginning: nothing after it reaches the parser or the output."""
    source = "x" * MAX_INPUT_CHARS + "<script>alert(1)</script>AFTER"
    assert "AFTER" not in plain_text(source)
    assert sanitize_html(source) == "x" * MAX_INPUT_CHARS
