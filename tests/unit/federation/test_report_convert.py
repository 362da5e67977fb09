"""Report narratives: Markdown rendered without raw HTML or unsafe links; Articles round-trip."""

from __future__ import annotations

import re
from typing import Any

import pytest

from commonsnode.model.reports import check_facts, check_text, new_local_report
from federation.convert.reports import (
    ReportDocumentError,
    from_ap,
    is_report,
    local_report_id,
    to_ap,
)
from federation.iris import LocalIris
from federation.markdown import render_markdown

IRIS = LocalIris("https://city.example")
FACTS: dict[str, Any] = {
    "organisation_kind": "national-government",
    "organisation_size": "5000+",
    "country": "FR",
    "hosting": "saas",
    "start_date": "2022-01-10",
    "duration_months": 30,
    "outcome": "production",
    "would_recommend": True,
    "one_time_cost": {"amount": 99_00, "currency": "EUR"},
    "yearly_cost": {"amount": 1_200_00, "currency": "EUR"},
    "effort_person_days": 3,
    "version": "4.1",
    "lessons": "Ask for an exit plan.",
}


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="javascript:alert(1)">x</a>',
        "<img src=x onerror=alert(1)>",
        "![x](javascript:alert(1))",
        '[x](https://ok.example "t" onmouseover="alert(1)")',
    ],
)
def test_no_markdown_makes_script_or_unsafe_links(markdown: str) -> None:
    tags = re.findall(r"<[a-z][^>]*>", render_markdown(markdown).lower())
    assert tags, "some text is kept"
    assert all(t.split()[0].strip("<>") in ("p", "a", "em", "strong") for t in tags), tags
    hrefs = [h for t in tags for h in re.findall(r'href="([^"]*)"', t)]
    assert all(h.startswith("https://") for h in hrefs), hrefs
    assert not any(" on" in t for t in tags), tags


def test_markdown_keeps_emphasis_lists_and_safe_links() -> None:
    html = render_markdown("# Title\n\n*a* **b** [site](https://ok.example)\n\n- one\n- two")
    assert "<p><strong>Title</strong></p>" in html
    assert "<em>a</em>" in html
    assert '<a href="https://ok.example" rel="nofollow noopener noreferrer">site</a>' in html
    assert "<li>one</li>" in html
    assert render_markdown("[in](/admin)").count("href") == 0  # relative: no link into our site


def test_an_article_round_trips_its_text_and_facts() -> None:
    text = check_text({"title": "Pilot", "summary": "S & T", "narrative": "It *worked*."})
    report = new_local_report("r1", "l1", "o1", text, check_facts(FACTS), 1_700_000_000.0)
    article = to_ap(report, IRIS, "city", "https://b.example/listings/9", None)
    assert article["inReplyTo"] == article["context"] == "https://b.example/listings/9"
    assert article["cost"] == {
        "oneTime": {"amount": 9900, "currency": "EUR"},
        "yearly": {"amount": 120000, "currency": "EUR"},
    }
    assert article["duration"] == "P30M"
    assert "EUR 99.00" in article["content"]
    assert is_report(article)
    back_text, back_facts, html = from_ap(article)
    assert back_text == text
    assert back_facts == report.facts
    assert "<em>worked</em>" in html
    assert local_report_id(IRIS, article["id"]) == "r1"
    assert local_report_id(IRIS, article["id"] + "/x") is None


def test_a_peer_without_markdown_source_has_its_html_sanitised() -> None:
    text = check_text({"title": "T"})
    report = new_local_report("r1", "l1", "o1", text, check_facts(FACTS), 1.0)
    article = to_ap(report, IRIS, "city", "https://b.example/listings/9", None)
    article.pop("source")
    article["content"] = '<p onclick="x">Hi</p><script>bad()</script>'
    article["duration"] = "P2Y6M"
    _, facts, html = from_ap(article)
    assert html == "<p>Hi</p>"
    assert facts.duration_months == 30
    with pytest.raises(ReportDocumentError):
        from_ap({**article, "duration": "30 months"})
    with pytest.raises(ReportDocumentError):
        from_ap({**article, "cost": {"oneTime": {"amount": 1.5, "currency": "EUR"}}})
    with pytest.raises(ReportDocumentError):
        from_ap({**article, "type": "Note"})
