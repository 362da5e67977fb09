"""The only remote GET: signed, address-checked, redirect-limited, byte-capped and timed."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any, Final, Literal

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from commonsnode import __version__
from federation.netguard import (
    AddressBlockedError,
    AddressPolicy,
    GuardedResolver,
    guarded_socket_factory,
)

MAX_BODY_BYTES: Final = 1024 * 1024
MAX_REDIRECTS: Final = 3
DEFAULT_FETCH_BUDGET: Final = 20
AS_PROFILE: Final = "https://www.w3.org/ns/activitystreams"
_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})

_RequestReason = Literal["invalid_url", "scheme_refused", "blocked_address", "budget_exhausted"]
_RedirectReason = Literal["too_many_redirects", "redirect_loop", "redirect_downgrade"]
_ResponseReason = Literal["http_status", "content_type", "too_large", "invalid_json"]
_DocumentReason = Literal["missing_id", "id_mismatch"]
_TransportReason = Literal["timeout", "connection_failed"]
FetchReason = Literal[
    _RequestReason, _RedirectReason, _ResponseReason, _DocumentReason, _TransportReason
]
_TRANSIENT_REASONS: Final = frozenset({"timeout", "connection_failed"})
Signer = Callable[[str, str, Mapping[str, str], bytes], Mapping[str, str]]


class FetchError(Exception):
    """Any failed fetch: `reason` is stable and machine-readable, `detail` is for humans.

    `url` is the URL asked for (the document id for the refetch), whichever hop failed.
    """

    def __init__(
        self, url: str, reason: FetchReason, detail: str = "", *, status: int | None = None
    ) -> None:
        super().__init__(f"{reason}: {url}" + (f" ({detail})" if detail else ""))
        self.url = url
        self.reason: FetchReason = reason
        self.detail = detail
        self.status = status

    @property
    def transient(self) -> bool:
        """Whether asking again later may succeed: the network's or the server's trouble
        (transport, timeout, 5xx, 408, 429), not a refusal or a bad document."""
        if self.reason in _TRANSIENT_REASONS:
            return True
        return (
            self.reason == "http_status"
            and self.status is not None
            and (self.status >= 500 or self.status in (408, 429))
        )


@dataclass(slots=True)
class FetchBudget:
    """HTTP requests one incoming activity may still cause; shared by every fetch it triggers."""

    remaining: int = DEFAULT_FETCH_BUDGET

    def spend(self, url: str) -> None:
        """Take one request (a redirect hop is one) or refuse when none is left."""
        if self.remaining <= 0:
            raise FetchError(url, "budget_exhausted")
        self.remaining -= 1


@dataclass(frozen=True, slots=True)
class PostResult:
    """A delivery's answer: status, Retry-After as sent, and the start of the body for the log."""

    status: int
    retry_after: str | None
    body: str


@dataclass(frozen=True, slots=True)
class FetchTimeouts:
    """Seconds: connect and read apply per socket operation, total to a whole fetch call."""

    connect: float = 5.0
    read: float = 10.0
    total: float = 30.0


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A 200 response: `url` is where it was finally served from (after redirects)."""

    url: str
    status: int
    content_type: str
    document: dict[str, Any] | None
    body: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class _Kind:
    """What the caller expects: the Accept header sent and the media types taken back."""

    accept: str
    media_types: frozenset[str]
    parse_json: bool
    profile: str | None = None  # application/ld+json is accepted only with this profile


_AS_ACCEPT = f'application/activity+json, application/ld+json; profile="{AS_PROFILE}"'
_ACTIVITY = _Kind(_AS_ACCEPT, frozenset({"application/activity+json"}), True, AS_PROFILE)
_JRD = _Kind(
    "application/jrd+json, application/json",
    frozenset({"application/jrd+json", "application/json"}),
    parse_json=True,
)
_XRD = _Kind(
    "application/xrd+xml, application/xml",
    frozenset({"application/xrd+xml", "application/xml"}),
    parse_json=False,
)
DEFAULT_POLICY: Final = AddressPolicy()
DEFAULT_TIMEOUTS: Final = FetchTimeouts()


class Fetcher:
    """Owns the one pooled client session; every remote document enters the node through here."""

    def __init__(
        self,
        *,
        node_url: str,
        policy: AddressPolicy = DEFAULT_POLICY,
        signer: Signer | None = None,
        timeouts: FetchTimeouts = DEFAULT_TIMEOUTS,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        resolver: AbstractResolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.user_agent = f"commonsnode/{__version__} (+{node_url})"
        self._policy = policy
        self._signer = signer
        self._timeouts = timeouts
        self._max_body = max_body_bytes
        self._max_redirects = max_redirects
        self._resolver = resolver
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._session: aiohttp.ClientSession | None = None

    def use_signer(self, signer: Signer) -> None:
        """Set the GET signer once its keys are known (the instance actor's, at start-up)."""
        self._signer = signer

    async def fetch_activity(self, url: str, *, budget: FetchBudget) -> FetchResult:
        """An AS2 document whose `id` is where it was served from (one same-origin refetch)."""
        async with self._deadline(url):
            result = await self._get(url, _ACTIVITY, budget)
            doc_id = _document_id(result)
            if doc_id == result.url:
                return result
            if URL(doc_id).origin() != URL(result.url).origin():
                raise FetchError(url, "id_mismatch", f"id {doc_id} served from {result.url}")
            again = await self._get(doc_id, _ACTIVITY, budget)
            if again.url != doc_id or _document_id(again) != doc_id:
                raise FetchError(doc_id, "id_mismatch", f"refetch served from {again.url}")
            return again

    async def fetch_jrd(self, url: str, *, budget: FetchBudget) -> FetchResult:
        """A JRD/JSON object (WebFinger, NodeInfo): no AS2 content type or id rules apply."""
        async with self._deadline(url):
            return await self._get(url, _JRD, budget)

    async def fetch_xrd(self, url: str, *, budget: FetchBudget) -> FetchResult:
        """Raw XRD bytes (host-meta); parse them with an XML parser that refuses entities."""
        async with self._deadline(url):
            return await self._get(url, _XRD, budget)

    async def post(
        self, url: str, body: bytes, headers: Callable[[str], Mapping[str, str]]
    ) -> PostResult:
        """POST a delivery through the same address checks; redirects are not followed.

        `headers(url)` returns the complete request headers (signed for this exact URL).
        """
        target = self._checked_url(url, url)
        try:
            async with (
                self._deadline(url),
                self._client().post(
                    target, data=body, headers=dict(headers(str(target))), allow_redirects=False
                ) as resp,
            ):
                snippet = await resp.content.read(2048)
                return PostResult(
                    resp.status,
                    resp.headers.get("Retry-After"),
                    snippet.decode("utf-8", "replace"),
                )
        except (aiohttp.ClientError, OSError) as exc:
            raise _translate(url, exc) from exc

    async def close(self) -> None:
        """Close pooled connections and the resolver."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._resolver is not None:
            await self._resolver.close()

    @asynccontextmanager
    async def _deadline(self, url: str) -> AsyncIterator[None]:
        """Total time for one call, redirects and the id refetch included: slowloris stops here."""
        try:
            async with asyncio.timeout(self._timeouts.total):
                yield
        except TimeoutError as exc:
            raise FetchError(url, "timeout", "total deadline") from exc

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            if self._resolver is None:
                self._resolver = aiohttp.DefaultResolver()
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self._policy, self._resolver),
                socket_factory=guarded_socket_factory(self._policy),
                use_dns_cache=False,  # every connection resolves, and so is checked, afresh
                ssl=self._ssl,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=self._timeouts.connect, sock_read=self._timeouts.read
                ),
                headers={"User-Agent": self.user_agent},
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,  # a proxy from the environment would bypass the address checks
            )
        return self._session

    async def _get(self, url: str, kind: _Kind, budget: FetchBudget) -> FetchResult:
        """Follow redirects by hand so every hop is budgeted, signed and checked like the first."""
        current = self._checked_url(url, url)
        visited = {current}
        while True:
            budget.spend(url)
            response = await self._exchange(url, current, kind)
            if isinstance(response, FetchResult):
                return response
            if len(visited) > self._max_redirects:
                raise FetchError(url, "too_many_redirects", f"more than {self._max_redirects}")
            if not response:
                raise FetchError(url, "invalid_url", f"redirect without Location from {current}")
            target = self._checked_url(url, response, base=current)
            if current.scheme == "https" and target.scheme != "https":
                raise FetchError(url, "redirect_downgrade", f"{current} -> {target}")
            if target in visited:
                raise FetchError(url, "redirect_loop", str(target))
            visited.add(target)
            current = target

    def _checked_url(self, origin_url: str, raw: str, base: URL | None = None) -> URL:
        try:
            url = URL(raw)
            url = (base.join(url) if base is not None else url).with_fragment(None)
        except ValueError as exc:
            raise FetchError(origin_url, "invalid_url", raw) from exc
        if not url.scheme:
            raise FetchError(origin_url, "invalid_url", raw)
        if not self._policy.permits_scheme(url.scheme):
            raise FetchError(origin_url, "scheme_refused", raw)
        if not url.host or url.user is not None or url.password is not None:
            raise FetchError(origin_url, "invalid_url", raw)
        try:
            self._policy.check_host(url.host)
        except AddressBlockedError as exc:
            raise FetchError(origin_url, "blocked_address", exc.why) from exc
        return url

    async def _exchange(self, requested: str, url: URL, kind: _Kind) -> FetchResult | str:
        """One request: a redirect target, or a checked 200 body. Never lets aiohttp errors out."""
        headers = {"Accept": kind.accept, "Host": url.host_port_subcomponent or ""}
        if self._signer is not None:  # the signer adds (and signs) Date from the node's clock
            headers.update(self._signer("GET", str(url), dict(headers), b""))
        headers.setdefault("Date", formatdate(usegmt=True))
        try:
            async with self._client().get(url, headers=headers, allow_redirects=False) as resp:
                if resp.status in _REDIRECT_STATUSES:
                    return resp.headers.get("Location", "")
                if resp.status != 200:
                    raise FetchError(
                        requested, "http_status", f"{resp.status} from {url}", status=resp.status
                    )
                content_type = resp.headers.get("Content-Type", "")
                media_type = _accepted_media_type(kind, content_type)
                if media_type is None:
                    raise FetchError(requested, "content_type", f"{content_type!r} from {url}")
                body = await self._read_capped(requested, resp)
        except (aiohttp.ClientError, OSError) as exc:
            raise _translate(requested, exc) from exc
        document = _parse_json(requested, body) if kind.parse_json else None
        return FetchResult(str(url), resp.status, media_type, document, body)

    async def _read_capped(self, requested: str, resp: aiohttp.ClientResponse) -> bytes:
        """Stream and stop at the cap: Content-Length may lie and chunked bodies declare nothing."""
        if resp.content_length is not None and resp.content_length > self._max_body:
            resp.close()
            raise FetchError(requested, "too_large", f"declared {resp.content_length} bytes")
        body = bytearray()
        async for chunk in resp.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > self._max_body:
                resp.close()
                raise FetchError(requested, "too_large", f"over {self._max_body} bytes")
        return bytes(body)


def _accepted_media_type(kind: _Kind, header: str) -> str | None:
    media_type, _, params = header.partition(";")
    media_type = media_type.strip().lower()
    if media_type in kind.media_types:
        return media_type
    if kind.profile is not None and media_type == "application/ld+json":
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "profile" and kind.profile in value.strip('" ').split():
                return media_type
    return None


def _parse_json(url: str, body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FetchError(url, "invalid_json", type(exc).__name__) from exc
    if not isinstance(document, dict):
        raise FetchError(url, "invalid_json", "not a JSON object")
    return document


def _document_id(result: FetchResult) -> str:
    doc_id = (result.document or {}).get("id")
    if not isinstance(doc_id, str):
        raise FetchError(result.url, "missing_id")
    try:
        url = URL(doc_id)
    except ValueError as exc:
        raise FetchError(result.url, "missing_id", "id is not a URL") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchError(result.url, "missing_id", "id is not an absolute http(s) URL")
    return str(url)


def _translate(url: str, exc: BaseException) -> FetchError:
    """Map aiohttp/socket failures to a reason; the blocked-address cause may be nested."""
    cause: BaseException | None = exc
    for _ in range(8):  # chains are short; the bound guards against cycles
        if isinstance(cause, AddressBlockedError):
            return FetchError(url, "blocked_address", cause.why)
        cause = cause and (cause.__cause__ or cause.__context__)
    if isinstance(exc, TimeoutError):
        return FetchError(url, "timeout", type(exc).__name__)
    if isinstance(exc, aiohttp.InvalidURL):
        return FetchError(url, "invalid_url", str(exc))
    return FetchError(url, "connection_failed", type(exc).__name__)
