"""Every local IRI shape in one place, so routes, documents and parsers agree."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class LocalIris:
    """Builds and recognises this node's IRIs; `origin` has no trailing slash."""

    origin: str

    @property
    def host(self) -> str:
        """`host[:port]` as it appears in acct: handles (the port kept when not default)."""
        return urlsplit(self.origin).netloc

    # --- the node itself -------------------------------------------------------------
    def instance_actor(self) -> str:
        return f"{self.origin}/actor"

    def instance_key(self) -> str:
        return f"{self.origin}/actor#main-key"

    def shared_inbox(self) -> str:
        return f"{self.origin}/inbox"

    # --- organisations ---------------------------------------------------------------
    def org(self, handle: str) -> str:
        return f"{self.origin}/orgs/{handle}"

    def org_key(self, handle: str) -> str:
        return f"{self.org(handle)}#main-key"

    def org_ed25519_key(self, handle: str) -> str:
        return f"{self.org(handle)}#ed25519-key"

    def org_inbox(self, handle: str) -> str:
        return f"{self.org(handle)}/inbox"

    def org_outbox(self, handle: str) -> str:
        return f"{self.org(handle)}/outbox"

    def org_followers(self, handle: str) -> str:
        return f"{self.org(handle)}/followers"

    def org_following(self, handle: str) -> str:
        return f"{self.org(handle)}/following"

    def acct(self, handle: str) -> str:
        return f"acct:{handle}@{self.host}"

    # --- activities and objects we publish ---------------------------------------------
    def activity(self, activity_id: str) -> str:
        return f"{self.origin}/activities/{activity_id}"

    def listing(self, listing_id: str) -> str:
        """A tool listing: the Article's id and, for browsers, its page."""
        return f"{self.origin}/listings/{listing_id}"

    # --- recognising our own IRIs ------------------------------------------------------
    def is_local(self, iri: str) -> bool:
        """True when `iri` is on this node's origin (scheme, host and port all equal)."""
        parts, ours = urlsplit(iri), urlsplit(self.origin)
        return (parts.scheme, parts.netloc.lower()) == (ours.scheme, ours.netloc.lower())

    def org_handle(self, iri: str) -> str | None:
        """The handle when `iri` is exactly one of our organisation actor IRIs."""
        prefix = f"{self.origin}/orgs/"
        if not iri.startswith(prefix):
            return None
        rest = iri[len(prefix) :]
        return rest if rest and "/" not in rest and "#" not in rest and "?" not in rest else None


def origin_of(iri: str) -> str:
    """scheme://host[:port] of an IRI, lower-cased host: the unit of same-origin checks."""
    parts = urlsplit(iri)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def host_of(iri: str) -> str:
    """The bare host name (no port), lower-cased: the unit of domain blocks."""
    return (urlsplit(iri).hostname or "").lower()
