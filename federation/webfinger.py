"""WebFinger (RFC 7033), the first step of discovery: a `resource` names a local actor; its JRD."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from commonsnode.model.organisations import HANDLE_PATTERN
from federation.iris import LocalIris

WEBFINGER_PATH = "/.well-known/webfinger"
JRD_TYPE = "application/jrd+json"
ACTIVITY_JSON = "application/activity+json"
REL_SELF = "self"
REL_PROFILE_PAGE = "http://webfinger.net/rel/profile-page"

_DEFAULT_PORTS = {"http": 80, "https": 443}
_NOT_IN_HOST = frozenset("/?#@\\ ")


class BadResource(ValueError):
    """The `resource` is absent or not a URI we can read: RFC 7033 §4.2 wants a 400."""


@dataclass(frozen=True, slots=True)
class OrgAccount:
    """An organisation actor by lower-case handle; whether it exists is the caller's look-up."""

    handle: str


@dataclass(frozen=True, slots=True)
class InstanceAccount:
    """The node's own actor (`/actor`), named `acct:HOST@HOST` as Mastodon names its own."""


@dataclass(frozen=True, slots=True)
class CatalogAccount:
    """The node's catalog actor (`/catalog`, a Group), named `acct:catalog@HOST`."""


CATALOG_NAME = "catalog"
LocalAccount = OrgAccount | InstanceAccount | CatalogAccount


def parse_resource(resource: str, iris: LocalIris) -> LocalAccount | None:
    """The local account `resource` names, or None when it names nothing on this node (404).

    Accepts `acct:NAME@HOST[:PORT]`, bare `NAME@HOST[:PORT]` (also with a leading `@`, as
    people type it) and the actor IRIs `ORIGIN/orgs/NAME` and `ORIGIN/actor`. Names and hosts
    compare case-insensitively; a host without a port means the scheme's default port.
    Raises BadResource when `resource` cannot be read at all.
    """
    text = resource.strip()
    if not text:
        raise BadResource("the resource parameter is empty")
    scheme, colon, rest = text.partition(":")
    scheme = scheme.lower()
    if colon and scheme == "acct":
        return _from_acct(rest, iris)
    if colon and scheme in _DEFAULT_PORTS and rest.startswith("//"):
        return _from_iri(text, iris)
    if colon and "@" not in scheme:
        raise BadResource(f"unsupported URI scheme {scheme!r}: use acct:, http: or https:")
    bare = text.removeprefix("@")
    if "@" in bare and "/" not in bare:
        return _from_acct(bare, iris)
    raise BadResource(f"expected acct:NAME@HOST, NAME@HOST or an actor IRI, got {text!r}")


def _from_acct(address: str, iris: LocalIris) -> LocalAccount | None:
    user, at, host = address.rpartition("@")
    if not at or not user or not host:
        raise BadResource(f"expected NAME@HOST in acct:{address}")
    host_key = _host_key(host, _scheme(iris))
    if host_key is None:
        raise BadResource(f"not a host name: {host!r}")
    if host_key != _our_host_key(iris):
        return None
    name = unquote(user).lower()  # RFC 7565 allows a percent-encoded user part
    if _host_key(name, _scheme(iris)) == host_key:
        return InstanceAccount()
    if name == CATALOG_NAME:
        return CatalogAccount()
    return OrgAccount(name) if HANDLE_PATTERN.fullmatch(name) else None


def _from_iri(iri: str, iris: LocalIris) -> LocalAccount | None:
    try:
        parts = urlsplit(iri)
    except ValueError:
        raise BadResource(f"not a URI: {iri!r}") from None
    host_key = _host_key(parts.netloc, parts.scheme.lower())
    if host_key is None:
        raise BadResource(f"not a host name in {iri!r}")
    if (parts.scheme.lower(), host_key) != (_scheme(iris), _our_host_key(iris)):
        return None
    if parts.query or parts.fragment:
        return None
    if parts.path == "/actor":
        return InstanceAccount()
    if parts.path == f"/{CATALOG_NAME}":
        return CatalogAccount()
    prefix, _, handle = parts.path.rpartition("/")
    handle = handle.lower()
    return OrgAccount(handle) if prefix == "/orgs" and HANDLE_PATTERN.fullmatch(handle) else None


def _scheme(iris: LocalIris) -> str:
    return urlsplit(iris.origin).scheme.lower()


def _our_host_key(iris: LocalIris) -> tuple[str, int] | None:
    return _host_key(iris.host, _scheme(iris))


def _host_key(host: str, scheme: str) -> tuple[str, int] | None:
    """(lower-case host name, port) with the scheme's default port filled in; None if unreadable."""
    if not host or _NOT_IN_HOST.intersection(host):
        return None
    try:
        parts = urlsplit(f"//{host}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname.lower(), port if port is not None else _DEFAULT_PORTS.get(scheme, 0)


def canonical_acct(account: LocalAccount, iris: LocalIris) -> str:
    """The one `acct:` URI we call this account by (the JRD subject)."""
    if isinstance(account, InstanceAccount):
        return f"acct:{iris.host}@{iris.host}"
    if isinstance(account, CatalogAccount):
        return iris.acct(CATALOG_NAME)
    return iris.acct(account.handle)


def build_jrd(account: LocalAccount, iris: LocalIris, rels: Collection[str] = ()) -> dict[str, Any]:
    """The JRD for a local account; `rels` (the request's `rel` parameters) filters the links.

    The `self` link is what Mastodon, GoToSocial and Fedify follow to the actor; the profile
    page is what they show to people. For an organisation both are the actor IRI, which
    serves HTML or ActivityStreams by content negotiation; the instance actor has no page of
    its own, so its profile page is the node's home page.
    """
    if isinstance(account, InstanceAccount):
        actor, page = iris.instance_actor(), f"{iris.origin}/"
        aliases = [actor]
    elif isinstance(account, CatalogAccount):
        actor = page = f"{iris.origin}/{CATALOG_NAME}"
        aliases = [actor]
    else:
        actor = page = iris.org(account.handle)
        aliases = list(dict.fromkeys([actor, page]))
    links = [
        {"rel": REL_SELF, "type": ACTIVITY_JSON, "href": actor},
        {"rel": REL_PROFILE_PAGE, "type": "text/html", "href": page},
    ]
    return {
        "subject": canonical_acct(account, iris),
        "aliases": aliases,
        "links": [link for link in links if not rels or link["rel"] in rels],
    }
