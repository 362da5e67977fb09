"""Tool listings ↔ ActivityStreams `Article`: readable by Mastodon, structured for our peers.

`to_ap` renders a local listing (name, summary, sanitised HTML content, hashtags, plus the
publiccode.yml facts under our terms); `from_ap` reads a peer's Article back into facts,
bounded and sanitised, refusing documents that are not listings.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import escape
from typing import Any

from commonsnode.model.listings import (
    MAX_ITEMS,
    MAX_LONG,
    MAX_NAME,
    MAX_PARTIES,
    MAX_PARTY,
    MAX_SHORT,
    MAX_TOKEN,
    DeclaredParty,
    ListingFacts,
    ListingText,
    ToolListing,
    declared_parties,
)
from federation.iris import LocalIris
from federation.jsonld.shapes import as_list, first, id_of, str_or_none
from federation.sanitize import plain_text, sanitize_html
from federation.vocab import AS_PUBLIC, DEFAULT_CONTEXT

LISTING_TYPE = "Article"
MAX_LANGUAGES = 50
_WORD = re.compile(r"[^0-9A-Za-z]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ListingDocumentError(ValueError):
    """An Article we cannot read as a listing; the message says why."""


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hashtag(category: str) -> str:
    """`digital-citizenship` → `#DigitalCitizenship`: Mastodon hashtags take no hyphens."""
    return "#" + "".join(part[:1].upper() + part[1:] for part in _WORD.split(category) if part)


def _content(text: ListingText) -> str:
    paragraphs = [p.strip() for p in text.long_description.split("\n\n") if p.strip()]
    body = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    if text.features:
        body += "<ul>" + "".join(f"<li>{escape(f)}</li>" for f in text.features) + "</ul>"
    return sanitize_html(body)


def _optional(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, (), [])}


def to_ap(listing: ToolListing, iris: LocalIris, handle: str) -> dict[str, Any]:
    """The Article of a local listing, without @context (the activity or the page adds it)."""
    facts = listing.facts
    main = facts.text()
    iri = iris.listing(listing.id)
    article: dict[str, Any] = {
        "id": iri,
        "type": LISTING_TYPE,
        "attributedTo": iris.org(handle),
        "name": facts.name,
        "summary": escape(main.short_description),
        "content": _content(main),
        "mediaType": "text/html",
        "url": iri,
        "published": iso(listing.published_at),
        "to": [AS_PUBLIC],
        "cc": [iris.org_followers(handle)],
        "tag": [{"type": "Hashtag", "name": hashtag(c)} for c in facts.categories],
        "repository": facts.repository,
        "license": facts.license,
        "developmentStatus": facts.development_status,
        "softwareType": facts.software_type,
        "platforms": list(facts.platforms),
        "categories": list(facts.categories),
        **_optional(
            landingUrl=facts.landing_url,
            softwareVersion=facts.software_version,
            releaseDate=facts.release_date,
            availableLanguages=list(facts.available_languages),
            maintenanceType=facts.maintenance_type,
            usedBy=list(facts.used_by),
            countries=list(facts.countries),
            **_parties(facts.parties),
        ),
    }
    if facts.descriptions:  # the languages travel too, even when there is only one
        article["summaryMap"] = {
            d.language: escape(d.short_description) for d in facts.descriptions
        }
        article["contentMap"] = {d.language: _content(d) for d in facts.descriptions}
    if listing.updated_at > listing.published_at:
        article["updated"] = iso(listing.updated_at)
    return article


# Who funded, built and maintains the tool: one term per credit role.
_PARTY_TERMS = {"funder": "fundedBy", "builder": "builtBy", "maintainer": "maintenanceContractors"}


def _parties(parties: tuple[DeclaredParty, ...]) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    for party in parties:
        entry = {"name": party.name, **({"url": party.iri} if party.iri else {})}
        found.setdefault(_PARTY_TERMS[party.role], []).append(entry)
    return found


def _read_parties(document: dict[str, Any]) -> tuple[DeclaredParty, ...]:
    def pairs(term: str) -> tuple[tuple[str | None, str | None], ...]:
        entries = as_list(document.get(term), MAX_PARTIES)
        return tuple(
            (
                _plain(entry.get("name"), MAX_PARTY) or None,
                _http(entry.get("url")),
            )
            for entry in entries
            if isinstance(entry, dict)
        )

    return declared_parties(*(pairs(_PARTY_TERMS[r]) for r in ("funder", "builder", "maintainer")))


def tombstone(listing: ToolListing, iris: LocalIris) -> dict[str, Any]:
    """What a withdrawn listing's IRI answers (with 410), and the object of its Delete."""
    return {
        "id": iris.listing(listing.id),
        "type": "Tombstone",
        "formerType": LISTING_TYPE,
        "deleted": iso(listing.withdrawn_at or listing.updated_at),
    }


def with_context(document: dict[str, Any]) -> dict[str, Any]:
    return {"@context": DEFAULT_CONTEXT, **document}


def is_listing(document: Any) -> bool:
    """An Article that carries our listing terms; any other object is not ours to read."""
    return (
        isinstance(document, dict)
        and first(document.get("type")) == LISTING_TYPE
        and "repository" in document
        and "softwareType" in document
    )


def _text(value: Any, limit: int) -> str:
    text = str_or_none(value)
    return "" if text is None else plain_text(text)[:limit].strip()


def _plain(value: Any, limit: int) -> str:
    """A plain-text field (`name`): kept as text, control characters dropped; pages escape it."""
    text = str_or_none(value) or ""
    return _CONTROL.sub("", text)[:limit].strip()


def _token(document: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = str_or_none(first(document.get(key)))
    if value is not None and 0 < len(value.strip()) <= MAX_TOKEN:
        return value.strip()
    if required:
        raise ListingDocumentError(f"{key}: required, a short text")
    return None


def _tokens(document: dict[str, Any], key: str) -> tuple[str, ...]:
    values = (str_or_none(v) for v in as_list(document.get(key), MAX_ITEMS))
    return tuple(v.strip() for v in values if v and 0 < len(v.strip()) <= MAX_TOKEN)


def _language_map(document: dict[str, Any], key: str) -> dict[str, Any]:
    value = document.get(key)
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in list(value.items())[:MAX_LANGUAGES] if isinstance(k, str) and k}


def _descriptions(document: dict[str, Any]) -> tuple[ListingText, ...]:
    summaries = _language_map(document, "summaryMap")
    contents = _language_map(document, "contentMap")
    languages = list(dict.fromkeys([*summaries, *contents]))
    texts = [
        ListingText(
            language=language[:MAX_TOKEN],
            short_description=_text(summaries.get(language, document.get("summary")), MAX_SHORT),
            long_description=_text(contents.get(language, document.get("content")), MAX_LONG),
        )
        for language in languages
    ]
    if not texts:
        texts = [
            ListingText(
                language="und",
                short_description=_text(document.get("summary"), MAX_SHORT),
                long_description=_text(document.get("content"), MAX_LONG),
            )
        ]
    return tuple(texts)


def _http(value: Any) -> str | None:
    url = id_of(first(value))
    return url if url and url.startswith(("https://", "http://")) and len(url) <= 2048 else None


def published_of(document: dict[str, Any], default: float) -> float:
    """The Article's `published` time, or `default` when absent or unreadable."""
    value = str_or_none(document.get("published"))
    try:
        return (
            datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if value else default
        )
    except ValueError:
        return default


def from_ap(document: dict[str, Any]) -> ListingFacts:
    """The facts of a peer's listing Article; ListingDocumentError when it is not one."""
    if not is_listing(document):
        raise ListingDocumentError("not an Article carrying a tool listing")
    repository = _http(document.get("repository"))
    name = _plain(document.get("name"), MAX_NAME)
    if repository is None or not name:
        raise ListingDocumentError("a listing needs a name and an http(s) repository")
    return ListingFacts(
        name=name,
        repository=repository,
        descriptions=_descriptions(document),
        license=_token(document, "license", required=True) or "",
        development_status=_token(document, "developmentStatus", required=True) or "",
        software_type=_token(document, "softwareType", required=True) or "",
        platforms=_tokens(document, "platforms"),
        categories=_tokens(document, "categories"),
        landing_url=_http(document.get("landingUrl")),
        software_version=_token(document, "softwareVersion"),
        release_date=_token(document, "releaseDate"),
        available_languages=_tokens(document, "availableLanguages"),
        maintenance_type=_token(document, "maintenanceType"),
        used_by=_tokens(document, "usedBy"),
        countries=_tokens(document, "countries"),
        parties=_read_parties(document),
    )
