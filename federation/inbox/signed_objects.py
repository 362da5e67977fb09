"""The one check of a signed object's proof, shared by the inbox and relayed Announces.

Kinds with `signed` (ratings, reports, deployments, support offers) carry an FEP-8b32 proof by
their author. It is verified here, once, before the kind's `keep` runs, so neither the inbox
nor a relayed copy pays for it twice; the kinds' `keep` trusts `incoming.actor` as the author.
"""

from __future__ import annotations

import logging
from typing import Any

from federation.fetch import FetchBudget
from federation.inbox.dispatch import HandlerError
from federation.integrity import IntegrityError, KeyUnavailable, verify_author
from federation.iris import host_of
from federation.jsonld.shapes import id_of
from federation.runtime import Federation

log = logging.getLogger("commonsnode.inbox")


async def prove_author(
    fed: Federation, document: dict[str, Any], actor: str, budget: FetchBudget | None = None
) -> bool:
    """True when `actor` is the proven author; False when the claimed author is blocked here.

    A blocked author is ignored before any fetch of its keys; a missing or bad proof, or one by
    somebody else, is refused for good (HandlerError). Keys that cannot be read now raise
    KeyUnavailable: the job is retried, the object not refused for a passing outage.
    """
    iri = id_of(document) or ""
    claimed = id_of(document.get("attributedTo")) or ""
    if not (await fed.policy()).permits(host_of(claimed)):
        log.info("signed object %s: %s is blocked here, ignored", iri, host_of(claimed))
        return False
    try:
        author = await verify_author(fed, document, budget or FetchBudget())
    except KeyUnavailable:
        raise
    except IntegrityError as exc:
        raise HandlerError(f"{iri}: proof refused: {exc}") from exc
    if author != actor:
        raise HandlerError(f"{actor} is not the author of {iri}")
    return True
