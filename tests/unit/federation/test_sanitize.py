"""Remote HTML sanitising: Mastodon's allowlist, heading rewrite, caps, plain text."""

from __future__ import annotations

import pytest

from federation.sanitize import (
    LINK_REL,
    LINK_SCHEMES,
    MAX_COSTLY_CHARS,
    MAX_INPUT_CHARS,
    MAX_OUTPUT_CHARS,
    MAX_TAGS,
    plain_text,
    sanitize_html,
)

REL = f'rel="{LINK_REL}"'

# A status as Mastodon renders it: mention, hashtag, and a link shortened with
# invisible/ellipsis spans.
MASTODON_POST = (
    '<p><span class="h-card" translate="no"><a href="https://city.example/@it" '
    'class="u-url mention">@<span>it</span></a></span> new release of '
    '<a href="https://tools.example/tags/opendata" class="mention hashtag" rel="tag">'
    "#<span>opendata</span></a> at "
    '<a href="https://code.example/city/permits/releases/v2" target="_blank" '
    'rel="nofollow noopener" translate="no"><span class="invisible">https://</span>'
    '<span class="ellipsis">code.example/city/permits/rel</span>'
    '<span class="invisible">eases/v2</span></a></p><p>Second paragraph<br>new line</p>'
)


def test_a_mastodon_status_keeps_its_structure() -> None:
    assert sanitize_html(MASTODON_POST) == (
        '<p><span class="h-card"><a href="https://city.example/@it" class="u-url mention" '
        f"{REL}>@<span>it</span></a></span> new release of "
        f'<a href="https://tools.example/tags/opendata" class="mention hashtag" {REL}>'
        "#<span>opendata</span></a> at "
        f'<a href="https://code.example/city/permits/releases/v2" {REL}>'
        '<span class="invisible">https://</span>'
        '<span class="ellipsis">code.example/city/permits/rel</span>'
        '<span class="invisible">eases/v2</span></a></p><p>Second paragraph<br>new line</p>'
    )


@pytest.mark.parametrize(
    "tag", ["p", "span", "del", "pre", "code", "em", "strong", "b", "i", "u", "blockquote"]
)
def test_allowed_tags_are_kept(tag: str) -> None:
    assert sanitize_html(f"<{tag}>x</{tag}>") == f"<{tag}>x</{tag}>"


def test_lists_are_kept() -> None:
    source = "<ul><li>a</li><li>b</li></ul><ol><li>c</li></ol>"
    assert sanitize_html(source) == source


@pytest.mark.parametrize(
    "source", ["<div>x</div>", "<section>x</section>", "<font>x</font>", "<table>x</table>"]
)
def test_other_tags_are_unwrapped_keeping_their_text(source: str) -> None:
    assert sanitize_html(source) == "x"


@pytest.mark.parametrize("level", range(1, 7))
def test_headings_become_strong_paragraphs(level: int) -> None:
    source = f'<h{level} id="top" class="h-entry">Title <em>here</em></h{level}>after'
    assert sanitize_html(source) == "<p><strong>Title <em>here</em></strong></p>after"


def test_heading_inside_a_paragraph_closes_it_first() -> None:
    assert sanitize_html("<p>a<h2>b</h2>c") == "<p>a</p><p><strong>b</strong></p>c"


def test_heading_text_in_an_attribute_or_text_is_not_rewritten() -> None:
    out = sanitize_html('<a href="https://x.example/?q=<h1>">&lt;h1&gt;</a>')
    assert "<p>" not in out
    assert "&lt;h1&gt;" in out


@pytest.mark.parametrize("scheme", sorted(LINK_SCHEMES))
def test_allowed_link_schemes_are_kept(scheme: str) -> None:
    href = f"{scheme}://example.org/x" if scheme not in {"xmpp", "magnet"} else f"{scheme}:x"
    assert f'href="{href}"' in sanitize_html(f'<a href="{href}">l</a>')


def test_scheme_check_ignores_case() -> None:
    assert 'href="HTTPS://x.example"' in sanitize_html('<a href="HTTPS://x.example">l</a>')


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,hi",
        "file:///etc/passwd",
        "mailto:a@b.example",
        "ftp://x.example/",
        "/relative/path",
        "../up",
        "//other.example/x",
        "?q=1",
    ],
)
def test_other_links_lose_their_href(href: str) -> None:
    assert sanitize_html(f'<a href="{href}">l</a>') == f"<a {REL}>l</a>"


def test_links_get_our_rel_and_lose_target() -> None:
    out = sanitize_html('<a href="https://x.example" rel="me" target="_blank">l</a>')
    assert out == f'<a href="https://x.example" {REL}>l</a>'


@pytest.mark.parametrize(
    ("classes", "kept"),
    [
        ("h-card", "h-card"),
        ("p-name u-url dt-published e-content", "p-name u-url dt-published e-content"),
        ("mention hashtag", "mention hashtag"),
        ("ellipsis invisible", "ellipsis invisible"),
        ("mention status-link evil", "mention"),
        ("x-card h- hcard", None),
        ("MENTION", None),
    ],
)
def test_only_known_classes_survive(classes: str, kept: str | None) -> None:
    out = sanitize_html(f'<span class="{classes}">s</span>')
    assert out == (f'<span class="{kept}">s</span>' if kept else "<span>s</span>")


def test_class_on_other_tags_is_dropped() -> None:
    assert sanitize_html('<p class="mention">x</p>') == "<p>x</p>"


@pytest.mark.parametrize(
    "attribute", ['style="color:red"', 'id="x"', 'title="t"', 'lang="en"', 'dir="rtl"']
)
def test_other_attributes_are_dropped(attribute: str) -> None:
    assert sanitize_html(f"<span {attribute}>s</span>") == "<span>s</span>"


def test_list_numbering_attributes_are_kept_when_integers() -> None:
    out = sanitize_html('<ol start="3" reversed="yes"><li value="-2">a</li><li value="x">b</ol>')
    assert out == '<ol start="3" reversed=""><li value="-2">a</li><li>b</li></ol>'


def test_comments_are_removed() -> None:
    assert sanitize_html("a<!-- secret -->b") == "ab"


@pytest.mark.parametrize("tag", ["script", "style", "template", "textarea", "title"])
def test_code_and_markup_containers_lose_their_content(tag: str) -> None:
    assert sanitize_html(f"a<{tag}>hidden</{tag}>b") == "ab"


def test_lone_surrogates_from_json_do_not_break_sanitising() -> None:
    assert sanitize_html("a\ud800b") == "a\ufffdb"
    assert plain_text("a\udfffb") == "a\ufffdb"


def test_sanitising_twice_changes_nothing() -> None:
    once = sanitize_html(MASTODON_POST + "<h3>t</h3><ol start=2><li>x</ol>")
    assert sanitize_html(once) == once


# --- caps ----------------------------------------------------------------------------------


def test_input_is_cut_at_the_character_cap_before_parsing() -> None:
    source = "a" * (MAX_INPUT_CHARS - 2) + "<b>tail</b>"  # the cut leaves "<b" at the end
    assert sanitize_html(source) == "a" * (MAX_INPUT_CHARS - 2)


def test_input_is_cut_before_the_tag_beyond_the_tag_cap() -> None:
    source = "<i>x</i>" * (MAX_TAGS // 2) + "<b>tail</b>"
    out = sanitize_html(source)
    assert out == "<i>x</i>" * (MAX_TAGS // 2)


def test_input_is_cut_before_the_costly_character_beyond_its_cap() -> None:
    source = "x&amp;" * MAX_COSTLY_CHARS + "&lt;tail&gt;"
    assert sanitize_html(source) == "x&amp;" * MAX_COSTLY_CHARS


@pytest.mark.parametrize("char", ["&", "\u00a0", "\u0080", "\u00bf", "«"])
def test_costly_characters_share_one_cap(char: str) -> None:
    at_cap = ("a" + char) * MAX_COSTLY_CHARS
    assert plain_text(at_cap + "tail").endswith("tail")
    assert plain_text(at_cap + "b" + char + "tail").endswith("b")


def test_text_without_costly_characters_is_kept_whole() -> None:
    source = "é€😀 " * (MAX_COSTLY_CHARS // 2)
    assert sanitize_html(source) == source


def test_cutting_inside_a_tag_drops_the_tag() -> None:
    source = "x" * (MAX_INPUT_CHARS - 20) + '<a href="javascript:alert(1)">l</a>'
    assert sanitize_html(source) == "x" * (MAX_INPUT_CHARS - 20)


def test_output_that_grows_past_its_cap_becomes_escaped_text() -> None:
    # Each > becomes &gt;: the input cap's worth would be four times the output cap.
    out = sanitize_html(">" * MAX_INPUT_CHARS)
    assert len(out) <= MAX_OUTPUT_CHARS
    assert out.startswith("<p>&gt;")
    assert out.endswith("&gt;…</p>")
    assert out[3:-5].replace("&gt;", "") == ""


def test_output_fallback_keeps_text_but_no_markup() -> None:
    source = '<a href="https://x.example">l</a>' * 4000 + ">" * 200_000
    out = sanitize_html(source)
    assert len(out) <= MAX_OUTPUT_CHARS
    assert "<a" not in out
    assert out.startswith("<p>" + "l" * 4000)


# --- plain text ----------------------------------------------------------------------------


def test_plain_text_of_a_mastodon_status() -> None:
    assert plain_text(MASTODON_POST) == (
        "@it new release of #opendata at https://code.example/city/permits/releases/v2"
        "\n\nSecond paragraph\nnew line"
    )


def test_plain_text_decodes_entities_and_returns_text_not_html() -> None:
    assert plain_text("<p>a &amp; b &lt;i&gt; &quot;c&quot;&nbsp;d</p>") == 'a & b <i> "c" d'


def test_plain_text_drops_script_and_style_content() -> None:
    assert plain_text("<p>a<script>alert(1)</script><style>p{}</style>b</p>") == "ab"


def test_plain_text_separates_blocks_and_collapses_whitespace() -> None:
    source = "<h1>Title</h1><p>  one \t two  </p><ul><li>x</li><li>y</li></ul><div>z</div>"
    assert plain_text(source) == "Title\n\none two\n\nx\ny\n\nz"


def test_plain_text_of_nothing() -> None:
    assert plain_text("") == ""
    assert plain_text("<p></p><br>") == ""
    assert sanitize_html("") == ""


def test_plain_text_is_bounded() -> None:
    assert len(plain_text("<p>x</p>" * 200_000)) <= MAX_INPUT_CHARS
