"""Another node's object (a request, a bid Offer, a contract) and the row this node keeps for
it are linked in the transaction that makes the row: a crash cannot leave a row without its
link, so the inbox job's replay of the same activity finds the row instead of making a second
one (or refusing the bid it took already).
"""

from __future__ import annotations

from dataclasses import dataclass

from commonsnode.errors import ConflictError
from commonsnode.ports import UnitOfWork


class AlreadyReceived(ConflictError):
    """The same object was received meanwhile (a racing replay): not a refusal, nothing to do."""


@dataclass(frozen=True, slots=True)
class RemoteLink:
    """The IRI another node gives the object, and what kind of row it stands for here."""

    iri: str
    kind: str


async def linked_id(tx: UnitOfWork, link: RemoteLink | None) -> str | None:
    """The local row the object was kept as already, or None (also when there is no link)."""
    return None if link is None else await tx.commission_links.local_id(link.iri, link.kind)


async def link_row(tx: UnitOfWork, link: RemoteLink | None, local_id: str, now: float) -> None:
    """Link the object to its new row; AlreadyReceived (the transaction rolls back) when a
    racing transaction linked it first."""
    if link is not None and not await tx.commission_links.link(link.iri, link.kind, local_id, now):
        raise AlreadyReceived(f"{link.iri} was received already")
