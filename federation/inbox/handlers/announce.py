"""Announce: a catalog (or anyone we follow) relays an object; it is re-read from its origin,
unless it is a signed kind whose embedded copy proves its author.

An embedded copy is used only when it carries an FEP-8b32 proof (receive.py reduced any other
foreign embed to its id) and its kind is `signed`: the proof is checked against the author's
own key (federation/integrity.py) and the copy kept without fetching it. Anything else is
fetched from its origin within the fetch budget, after domain blocks were checked on the
announcer, the object's host and any author the activity names.
"""

from __future__ import annotations

import logging

from federation.announce import accept_relayed, accept_signed
from federation.catalog import CatalogSettings
from federation.inbox.dispatch import Incoming
from federation.inbox.handlers.objects import KINDS, kind_of
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
    kind = kind_of(inner)
    if kind is not None and kind.signed and isinstance(inner, dict) and "proof" in inner:
        outcome = await accept_signed(fed, settings, inner, incoming.actor, KINDS)
        log.info("announce of signed %s %s by %s: %s", kind.name, iri, incoming.actor, outcome)
        return
    outcome = await accept_relayed(
        fed, settings, iri, incoming.actor, claimed_author=claimed, kinds=KINDS
    )
    log.info("announce of %s by %s: %s", iri, incoming.actor, outcome)
