"""Announce: a catalog (or anyone we follow) relays an object; it is re-read from its origin.

The embedded copy is never used (receive.py has already reduced a foreign embed to its id):
the object is fetched from its origin within the fetch budget, after domain blocks were
checked on the announcer, the object's host and any author the activity names.
"""

from __future__ import annotations

import logging

from federation.announce import accept_relayed
from federation.catalog import CatalogSettings
from federation.inbox.dispatch import Incoming
from federation.jsonld.shapes import first, id_of
from federation.runtime import Federation

log = logging.getLogger("commonsnode.inbox")
WRAPPERS = frozenset({"Create", "Update"})  # FEP-1b12 groups announce the activity itself


async def handle_announce(fed: Federation, incoming: Incoming, settings: CatalogSettings) -> None:
    inner = incoming.activity.get("object")
    iri = id_of(inner)
    claimed: str | None = None
    if isinstance(inner, dict):
        if first(inner.get("type")) in WRAPPERS:
            claimed = id_of(inner.get("actor"))
            iri = id_of(inner.get("object")) or iri
        claimed = claimed or id_of(inner.get("attributedTo"))
    if iri is None or not iri.startswith(("https://", "http://")):
        return
    outcome = await accept_relayed(fed, settings, iri, incoming.actor, claimed_author=claimed)
    log.info("announce of %s by %s: %s", iri, incoming.actor, outcome)
