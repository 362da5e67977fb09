"""Verified remote keys kept in memory: the inbox hot path needs no database read per request."""

from __future__ import annotations

from collections import OrderedDict

from commonsnode.model.actors import RemoteKey

DEFAULT_TTL = 300.0  # seconds; other processes' key rotations are seen within this
DEFAULT_SIZE = 10_000


class KeyCache:
    """A bounded LRU of keys that verified a request recently, each with a time to live."""

    def __init__(self, *, ttl: float = DEFAULT_TTL, size: int = DEFAULT_SIZE) -> None:
        self._ttl = ttl
        self._size = size
        self._entries: OrderedDict[str, tuple[RemoteKey, float]] = OrderedDict()

    def get(self, key_id: str, now: float) -> RemoteKey | None:
        entry = self._entries.get(key_id)
        if entry is None:
            return None
        key, stored_at = entry
        if now - stored_at > self._ttl:
            del self._entries[key_id]
            return None
        self._entries.move_to_end(key_id)
        return key

    def put(self, key: RemoteKey, now: float) -> None:
        self._entries[key.key_id] = (key, now)
        self._entries.move_to_end(key.key_id)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def forget_actor(self, actor: str) -> None:
        """Drop every key of an actor (its document was re-read or it was deleted)."""
        for key_id in [k for k, (key, _) in self._entries.items() if key.actor_iri == actor]:
            del self._entries[key_id]
