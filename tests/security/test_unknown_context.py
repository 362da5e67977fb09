"""An unknown remote @context is refused, never fetched: no socket is opened, whoever asks.

security.md rule 8 and checklist "Remote @context URL pointing at internal host ⇒ never
fetched". Every way a network connection could start is replaced by a tripwire.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from pyld import jsonld

from federation.jsonld import JsonLdRejected, UnknownContext, load_document, normalise

AS = "https://www.w3.org/ns/activitystreams"
INTERNAL = [
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://127.0.0.1:8080/admin/context.jsonld",
    "http://[::1]/context",
    "http://10.0.0.5/ctx",
    "https://attacker.example/context.jsonld",
    "https://w3id.org/security/v2",  # real, public, but not one we hold
    "file:///etc/passwd",
]


@pytest.fixture
def tripwire(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record, and fail, any attempt to resolve a name or open a connection."""
    attempts: list[str] = []

    def trip(what: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args[1:2] if what.startswith('socket.') else args[:1]}")
            raise AssertionError(f"network used: {what}")

        return refuse

    monkeypatch.setattr(socket.socket, "connect", trip("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", trip("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", trip("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", trip("getaddrinfo"))
    monkeypatch.setattr(asyncio.BaseEventLoop, "create_connection", trip("loop.create_connection"))
    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", trip("loop.getaddrinfo"))
    yield attempts
    assert attempts == []


def activity(context: Any) -> dict[str, Any]:
    return {
        "@context": context,
        "id": "https://attacker.example/activities/1",
        "type": "Create",
        "actor": "https://attacker.example/users/m",
        "object": {"id": "https://attacker.example/notes/1", "type": "Note"},
    }


@pytest.mark.parametrize("url", INTERNAL)
def test_unknown_context_at_the_top_is_refused(url: str, tripwire: list[str]) -> None:
    for context in (url, [AS, url], [url, AS], [AS, {"toot": "http://joinmastodon.org/ns#"}, url]):
        with pytest.raises(UnknownContext) as refused:
            normalise(activity(context))
        assert refused.value.url == url
        assert refused.value.reason == "unknown-context"


@pytest.mark.parametrize("url", INTERNAL[:2])
def test_unknown_context_hidden_deeper_is_refused(url: str, tripwire: list[str]) -> None:
    hidden: list[dict[str, Any]] = [
        # on an embedded object
        {**activity(AS), "object": {"@context": url, "id": "https://a.example/n", "type": "Note"}},
        # scoped inside a term definition (only pyld would find this one)
        activity([AS, {"mood": {"@id": "https://example.org/ns#mood", "@context": url}}]),
        # JSON-LD 1.1 @import
        activity([AS, {"@import": url, "mood": "https://example.org/ns#mood"}]),
    ]
    hidden[1]["mood"] = {"type": "Note"}
    hidden[2]["mood"] = "x"
    for document in hidden:
        with pytest.raises(JsonLdRejected) as refused:
            normalise(document)
        assert isinstance(refused.value, UnknownContext), refused.value


def test_pyld_itself_cannot_fetch_either(tripwire: list[str]) -> None:
    """Code that calls pyld directly gets our loader as the process default, not pyld's HTTP one."""
    assert jsonld.get_document_loader() is load_document
    with pytest.raises(jsonld.JsonLdError) as failed:
        jsonld.expand(activity([AS, INTERNAL[0]]))
    causes = []
    cause: BaseException | None = failed.value
    while cause is not None:
        causes.append(cause)
        cause = cause.__cause__
    assert any(isinstance(c, UnknownContext) for c in causes)


def test_known_contexts_need_no_network(tripwire: list[str]) -> None:
    """The slow path too (pyld, cold cache) runs entirely from the bundled files."""
    jsonld._resolved_context_cache.clear()
    document = activity(
        [
            "https://w3id.org/identity/v1",
            AS,
            "https://w3id.org/security/v1",
            "https://w3id.org/security/data-integrity/v1",
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
            "https://gotosocial.org/ns",
            "https://purl.archive.org/socialweb/webfinger",
            {"ex": "https://example.org/ns#", "mood": "ex:mood"},
        ]
    )
    document["mood"] = "calm"
    result = normalise(document)
    assert result["actor"] == "https://attacker.example/users/m"
    assert result["https://example.org/ns#mood"] == "calm"


def test_the_tripwire_would_catch_pyld_http_loader(tripwire: list[str]) -> None:
    """Proof the tripwire works: pyld's own HTTP loader trips it (on loopback, port 9)."""
    http_loader = jsonld.aiohttp_document_loader(timeout=2)
    with pytest.raises(BaseException):  # noqa: B017, PT011 - whatever pyld wraps it in
        http_loader("http://127.0.0.1:9/context.jsonld", {"headers": {}})
    assert tripwire, "no network attempt was recorded"
    tripwire.clear()
