"""HTTP signatures for the inbox and for delivery: shared records and the two-step incoming check.

Flow (architecture.md §5.4, step 3–4): the web layer builds a :class:`SignedRequest`,
``federation.authenticate`` calls :func:`parse_incoming` (no key needed: syntax, covered parts,
digest, clock window), fetches the key named by ``claim.key_id``, then calls :func:`verify_claim`.
Outgoing requests are signed by ``cavage.sign_request`` / ``rfc9421.sign_request``.
"""

from __future__ import annotations

import re
from calendar import monthrange, timegm
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from federation.keys import MIN_RSA_BITS, PublicKey

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_IMF_FIXDATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (" + "|".join(_MONTHS) + r") (\d{4}) "
    r"(\d{2}):(\d{2}):(\d{2}) GMT"
)
_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^#]*)")

#: Accepted distance between the signer's clock (Date / created) and ours, in seconds.
DEFAULT_MAX_SKEW = 3600.0

Scheme = Literal["cavage", "rfc9421"]


class SignatureError(Exception):
    """Any reason to refuse a signed request; the web layer answers 401 for all of them.

    ``reason`` is a short machine-readable token (``digest_mismatch``, ``stale``, ...) for logs
    and metrics; ``detail`` is for humans and may echo attacker-controlled text, so keep it out
    of responses.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def normalize_authority(authority: str, scheme: str) -> str:
    """Lower-case host[:port] without userinfo and without the scheme's default port."""
    host, colon, port = authority.rpartition("@")[2].lower().rpartition(":")
    return host if colon and port == _DEFAULT_PORTS.get(scheme) else f"{host}{colon}{port}"


def split_url(url: str) -> tuple[str, str, str]:
    """(scheme, normalised authority, request target) of an absolute URL, nothing decoded.

    These are what the signed ``host`` and ``(request-target)`` must equal.
    """
    match = _URL.match(url)
    if match is None:
        raise SignatureError("url_malformed", "request URL is not absolute")
    scheme, authority, target = match.groups()
    scheme = scheme.lower()
    return (
        scheme,
        normalize_authority(authority, scheme),
        target if target[:1] == "/" else "/" + target,
    )


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """One HTTP request as signed or verified: what both schemes need, nothing transport-specific.

    ``url`` is absolute and exactly as addressed to the receiver: scheme and authority of *our*
    public origin (not the proxy-internal one) plus the raw, undecoded path and query as sent.
    ``headers`` keeps every field line in wire order (duplicates allowed). From aiohttp:
    ``SignedRequest.build(req.method, origin + req.raw_path, req.headers.items(), body)``.
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    @classmethod
    def build(
        cls,
        method: str,
        url: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes = b"",
    ) -> SignedRequest:
        """Normalise a method and any header container (mapping, multidict items, pairs)."""
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        return cls(method.upper(), url, tuple((str(k), str(v)) for k, v in pairs), bytes(body))

    def header(self, name: str) -> str | None:
        """All field lines of ``name`` trimmed and joined by ", " (RFC 9110 §5.3), or None."""
        lowered = name.lower()
        values = [v.strip(" \t") for k, v in self.headers if k.lower() == lowered]
        return ", ".join(values) if values else None

    def header_map(self) -> dict[str, str]:
        """Lower-cased name → combined value, built once per verification instead of per lookup."""
        combined = {name.lower(): value.strip(" \t") for name, value in self.headers}
        if len(combined) != len(self.headers):  # repeated field lines: join them in order
            combined = {}
            for name, value in self.headers:
                key, value = name.lower(), value.strip(" \t")
                combined[key] = f"{combined[key]}, {value}" if key in combined else value
        return combined

    def carries_body(self) -> bool:
        """Whether a body digest must be signed: any body, and every POST/PUT/PATCH even empty."""
        return self.method in ("POST", "PUT", "PATCH") or bool(self.body)

    def with_headers(self, extra: Iterable[tuple[str, str]]) -> SignedRequest:
        """A copy with ``extra`` field lines appended, e.g. the headers a signer returned."""
        return SignedRequest(self.method, self.url, (*self.headers, *extra), self.body)


@dataclass(frozen=True, slots=True)
class SignatureClaim:
    """What a request says about its own signature, before we hold the key to check it.

    ``created`` is the signer's clock (Date header or ``(created)`` for cavage, ``created`` for
    RFC 9421) as Unix seconds; ``algorithm`` is the declared value, recorded but never used to
    choose the verification algorithm; ``params`` keeps the raw scheme parameters.
    """

    scheme: Scheme
    key_id: str
    covered: tuple[str, ...]
    created: float | None
    expires: float | None
    algorithm: str | None
    signature: bytes
    params: tuple[tuple[str, str], ...] = ()
    label: str | None = None
    #: The request whose key-independent policy this claim already passed. Requests are
    #: immutable, so verifying that same object need not re-hash the body (identity check).
    checked_request: SignedRequest | None = field(default=None, compare=False, repr=False)

    def param(self, name: str) -> str | None:
        """The raw scheme parameter ``name`` as received, or None."""
        for key, value in self.params:
            if key == name:
                return value
        return None


@lru_cache(maxsize=256)  # concurrent requests mostly carry the same few Date values
def parse_http_date(value: str) -> float:
    """IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``) to Unix seconds; what every peer sends."""
    match = _IMF_FIXDATE.fullmatch(value.strip(" \t"))
    if match is None:
        raise SignatureError("date_malformed", f"not an IMF-fixdate: {value[:40]!r}")
    day, month_name, year, hour, minute, second = match.groups()
    fields = (
        int(year),
        _MONTHS.index(month_name) + 1,
        int(day),
        int(hour),
        int(minute),
        int(second),
    )
    if not 1 <= fields[2] <= monthrange(fields[0], fields[1])[1] or fields[3] > 23:
        raise SignatureError("date_malformed", f"impossible date {value[:40]!r}")
    if fields[4] > 59 or fields[5] > 60:
        raise SignatureError("date_malformed", f"impossible time {value[:40]!r}")
    return float(timegm(fields))


def check_window(claim: SignatureClaim, now: float, max_skew: float = DEFAULT_MAX_SKEW) -> None:
    """Refuse signatures made too far from ``now`` (replay bound) or already expired."""
    if claim.created is None:
        raise SignatureError("no_timestamp", "neither Date nor created is available")
    if abs(now - claim.created) > max_skew:
        raise SignatureError("stale", f"signed at {claim.created:.0f}, now {now:.0f}")
    if claim.expires is not None and now > claim.expires + max_skew:
        raise SignatureError("expired", f"expired at {claim.expires:.0f}")


def parse_incoming(
    request: SignedRequest, *, now: float | None = None, max_skew: float = DEFAULT_MAX_SKEW
) -> SignatureClaim:
    """Step 1: read the request's signature and apply every check that needs no key.

    RFC 9421 wins when ``Signature-Input`` is present (as Mastodon does); otherwise the cavage
    ``Signature`` header, then ``Authorization: Signature``. Pass ``now`` to refuse stale requests
    before spending a key fetch on them.
    """
    if "signature-input" in {name.lower() for name, _ in request.headers}:
        return rfc9421.parse(request, now=now, max_skew=max_skew)
    return cavage.parse(request, now=now, max_skew=max_skew)


def verify_claim(
    claim: SignatureClaim,
    request: SignedRequest,
    public_key: PublicKey,
    now: float,
    *,
    max_skew: float = DEFAULT_MAX_SKEW,
    min_rsa_bits: int = MIN_RSA_BITS,
) -> None:
    """Step 2: with the key for ``claim.key_id``, check the clock and verify the signature.

    The key-independent policy is re-run unless ``claim`` came from ``parse_incoming`` on this
    very request object. Raises :class:`SignatureError`; returns None on success.
    ``min_rsa_bits`` lowers the key-size floor, for test vectors made with small keys only.
    """
    module = rfc9421 if claim.scheme == "rfc9421" else cavage
    module.verify(claim, request, public_key, now=now, max_skew=max_skew, min_rsa_bits=min_rsa_bits)


# At the end on purpose: the scheme modules import the records defined above.
from federation.signatures import cavage, rfc9421  # noqa: E402
