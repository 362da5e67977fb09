"""What kinds of objects the inbox keeps, each with its own rules for Create, Update and Delete.

handlers/objects.py does what every kind shares (ownership by origin, re-fetching an object that
came as a bare id, tombstones); a kind says whether a document is one of it, how to keep it and
how to remove it. A new kind (ratings, reports, deployments, ...) is one entry in
handlers/objects.py's KINDS, not another branch in every handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from federation.inbox.dispatch import Incoming
from federation.runtime import Federation

Recognise = Callable[[dict[str, Any]], bool]
Keep = Callable[[Federation, Incoming, dict[str, Any]], Awaitable[None]]
Remove = Callable[[Federation, str, str], Awaitable[bool]]
Forget = Callable[[Federation, str], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class ObjectKind:
    """One kind of object: `keep` stores a Create or Update of it, `remove` a Delete.

    `keep` raises HandlerError for a refused object; `remove(fed, iri, actor)` returns False when
    the node held no object of this kind at `iri` and raises ForbiddenError when `actor` is not
    its author. `attributed` kinds must name the activity's actor as `attributedTo`.

    `signed` kinds carry an FEP-8b32 proof by their author: a relayed copy (an Announce that
    embeds it) is checked by its proof instead of being fetched again from its origin.
    `forget(fed, iri)` drops what the node holds at `iri` when its origin answers 410.
    """

    name: str
    recognises: Recognise
    keep: Keep
    remove: Remove
    attributed: bool = True
    signed: bool = False
    forget: Forget | None = None
