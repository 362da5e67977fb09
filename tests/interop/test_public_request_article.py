"""A public request's `Article` as Mastodon reads it: plain `name`, a one-line `summary`,
`content` HTML that Mastodon's allowlist keeps as it is (our sanitiser is modelled on it), a
link back to the request's page, a `#commission` hashtag, and public addressing; and as a peer
node reads it: the same structured terms, the plain description, no recipients."""

from __future__ import annotations

from typing import Any

from commonsnode.model.requests import new_request, parse_request_terms, transition
from federation.convert.commissions import is_request, request_body
from federation.jsonld.normalise import normalise
from federation.public_requests import public_article
from federation.sanitize import sanitize_html
from federation.vocab import AS_PUBLIC, DEFAULT_CONTEXT

ORIGIN = "https://city.example"
CITY = f"{ORIGIN}/orgs/city"
IRI = f"{ORIGIN}/requests/r1"
NOW = 1_700_000_000.0
BODY: dict[str, Any] = {
    "kind": "new-tool",
    "title": "A permit <portal>",
    "description": "Citizens apply for building permits online & track them.",
    "requirements": ["EUPL-1.2"],
    "budget": {
        "min": {"amount": 1_000_000, "currency": "EUR"},
        "max": {"amount": 4_000_050, "currency": "EUR"},
    },
    "deadline": "2023-12-01T00:00:00Z",
    "criteria": {"price": 40, "timeline": 30, "reputation": 20, "approach": 10},
}


def article() -> dict[str, Any]:
    request = new_request("r1", CITY, parse_request_terms(BODY), NOW)
    request = transition(request, "publish", CITY, NOW)
    return public_article(request, IRI, origin=ORIGIN, followers=f"{CITY}/followers")


def test_mastodon_reads_a_titled_summarised_linked_and_tagged_public_article() -> None:
    document = article()
    assert document["type"] == "Article"
    assert document["name"] == "A permit <portal>"  # plain text: Mastodon escapes it
    assert document["summary"] == (
        "Request for new-tool: EUR 10,000.00 – EUR 40,000.50, bids until 2023-12-01T00:00:00Z"
    )
    assert document["url"] == f"{ORIGIN}/requests/r1"
    assert document["to"] == [AS_PUBLIC]
    assert document["cc"] == [f"{CITY}/followers"]
    assert document["tag"] == [
        {"type": "Hashtag", "href": f"{ORIGIN}/requests?tag=commission", "name": "#commission"}
    ]
    html = document["content"]
    assert document["mediaType"] == "text/html"
    assert sanitize_html(html) == html  # nothing Mastodon's allowlist would strip
    assert "<strong>A permit &lt;portal&gt;</strong>" in html
    assert "online &amp; track them" in html
    assert "Budget: EUR 10,000.00 – EUR 40,000.50" in html
    assert "Deadline: 2023-12-01T00:00:00Z" in html
    assert "price 40, timeline 30, reputation 20, approach 10" in html
    assert f'<a href="{ORIGIN}/requests/r1"' in html
    assert ">#commission</a>" in html
    assert document["published"] == "2023-11-14T22:13:20Z"


def test_a_peer_reads_the_terms_and_the_plain_description_after_json_ld() -> None:
    document = normalise({"@context": DEFAULT_CONTEXT, **article()})
    assert is_request(document)
    body = request_body(document)
    assert body["recipients"] == []  # public: nobody in particular
    assert body["description"] == BODY["description"]  # from `source`, not the HTML
    assert body["title"] == BODY["title"]
    assert body["budget"] == BODY["budget"]
    assert body["criteria"] == BODY["criteria"]
    assert parse_request_terms(body).budget.max.amount == 4_000_050
