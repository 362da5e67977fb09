"""Turning what an operator types (acct:, name@host, an IRI) into an actor IRI."""

from __future__ import annotations

import re
from urllib.parse import quote

from federation.fetch import FetchBudget, FetchError
from federation.jsonld.shapes import as_list
from federation.runtime import Federation

_ACCT = re.compile(
    r"^(?:acct:)?@?([^@\s/]+)@([A-Za-z0-9.-]+(?::\d{1,5})?|\[[0-9a-fA-F:]+\](?::\d{1,5})?)$"
)


class DiscoveryError(Exception):
    """The target could not be turned into an actor IRI; the message says why."""


def parse_target(target: str) -> tuple[str, str] | str:
    """(user, host) for an acct-like target, or the IRI itself; DiscoveryError otherwise."""
    text = target.strip()
    if text.startswith(("https://", "http://")):
        return text
    match = _ACCT.fullmatch(text)
    if match is None:
        raise DiscoveryError(f"{target!r}: expected acct:name@host, name@host or an actor IRI")
    return match.group(1), match.group(2).lower()


async def resolve_target(fed: Federation, target: str, budget: FetchBudget | None = None) -> str:
    """The actor IRI for a follow target, through WebFinger when it is an acct: handle."""
    parsed = parse_target(target)
    if isinstance(parsed, str):
        return parsed
    user, host = parsed
    scheme = "http" if fed.settings.plain_http else "https"
    resource = quote(f"acct:{user}@{host}", safe=":@")
    url = f"{scheme}://{host}/.well-known/webfinger?resource={resource}"
    try:
        result = await fed.fetcher.fetch_jrd(url, budget=budget or FetchBudget())
    except FetchError as exc:
        raise DiscoveryError(f"WebFinger lookup of {user}@{host} failed: {exc.reason}") from exc
    for link in as_list((result.document or {}).get("links"), 50):
        if not isinstance(link, dict) or link.get("rel") != "self":
            continue
        if str(link.get("type", "")).split(";")[0].strip() in {
            "application/activity+json",
            "application/ld+json",
        }:
            href = link.get("href")
            if isinstance(href, str) and href.startswith(("https://", "http://")):
                return href
    raise DiscoveryError(f"{user}@{host} has no ActivityPub actor")
