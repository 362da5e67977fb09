"""Every HTML page passes axe-core in headless Chromium, on a desktop and on a phone viewport,
never scrolls sideways on the phone, and shows the skip link with a focus ring on the first Tab.

Needs Chromium (`/usr/bin/chromium`, Debian's package) and `npm ci --prefix tests/a11y`
(`make test` does both). Outside CI the test skips, saying what is missing; under CI it fails.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from tests.databases import in_ci, upgrade
from tests.web.conftest import node_config
from tests.web.test_commission_pages import seed_commissions
from tests.web.test_pages import seed
from tests.web.test_report_pages import seed_reports
from web.app import build_node, create_app

A11Y = Path(__file__).resolve().parents[1] / "a11y"
RUNNER = A11Y / "run.mjs"
VIEWPORTS = [
    {"name": "desktop", "width": 1280, "height": 800},
    {"name": "phone", "width": 375, "height": 812},
]
SCREENSHOTS_ENV = "COMMONSNODE_A11Y_SCREENSHOTS"  # a directory to keep the catalog screenshots


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs npm)"
    if not (A11Y / "node_modules" / "axe-core" / "axe.min.js").is_file():
        return "axe-core is not installed: npm ci --prefix tests/a11y (or make test)"
    if not (A11Y / "node_modules" / "playwright-core").is_dir():
        return "playwright-core is not installed: npm ci --prefix tests/a11y (or make test)"
    if _chromium() is None:
        return "Chromium is not installed: apt-get install -y chromium (or make test, as root)"
    return None


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


@pytest.fixture
def browser_ready() -> None:
    problem = _missing()
    if problem is not None:
        if in_ci():
            pytest.fail(f"accessibility test cannot run under CI: {problem}")
        pytest.skip(problem)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[TestServer, dict[str, Any]]]:
    node = build_node(node_config(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'pages.db'}"))
    await upgrade(node.db)
    try:
        data: dict[str, Any] = dict(await seed(node))
        data["reports"] = await seed_reports(node)
        data["commissions"] = await seed_commissions(node)
        async with TestServer(create_app(node), host="127.0.0.1") as test_server:
            yield test_server, data
    finally:
        await node.close()


async def run_browser(job: dict[str, Any]) -> list[dict[str, Any]]:
    process = await asyncio.create_subprocess_exec(
        "node",
        str(RUNNER),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=A11Y,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(json.dumps(job).encode()), 240)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail("the browser run took longer than 240 s")
    assert process.returncode == 0, f"runner failed:\n{err.decode(errors='replace')}"
    return json.loads(out)  # type: ignore[no-any-return]


def report(result: dict[str, Any]) -> str:
    lines = [f"{result['viewport']} {result['url']}:"]
    for violation in result["violations"]:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = re.sub(r"\s+", " ", node["summary"] or "")
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def commission_urls(test_server: TestServer, seeded: dict[str, str]) -> list[str]:
    """The commission pages: anonymous first, then signed in (HTTP Basic, the API token as the
    password); `?as=HANDLE` makes the browser switch organisation."""

    def url(path: str, who: str | None = None) -> str:
        made = str(test_server.make_url(path))
        return made.replace("://", f"://{who}:{seeded['token-' + who]}@") if who else made

    opened, awarded = seeded["open"], seeded["awarded"]
    return [
        url("/requests"),
        url("/requests?state=open&kind=change"),
        url(f"/requests/{opened}"),
        url(f"/requests/{opened}?as=dev", "dev"),
        url(f"/requests/{opened}?as=city", "city"),
        url(f"/requests/{awarded}?as=city", "city"),
        url(f"/contracts/{seeded['contract']}?as=city", "city"),
        url("/contracts?as=city", "city"),
        url("/requests/new?as=city", "city"),
    ]


async def test_pages_pass_axe_on_desktop_and_phone(
    browser_ready: None, server: tuple[TestServer, dict[str, Any]], tmp_path: Path
) -> None:
    test_server, data = server
    local = data["alderney"][0]
    paths = [
        "/",
        "/catalog/search",
        "/catalog/search?origin=remote&q=decidim",
        "/catalog/search?q=nothing-matches-this",
        "/catalog/search?privacy=B",
        "/orgs/alderney",
        "/orgs/digital-ministry",
        f"/listings/{local.id}",
        "/listings/remote-1",
        f"/tools/{local.repository_key}",
        f"/reports/{data['reports']['report'].id}",
        f"/tools/{data['reports']['listing'].repository_key}",
        f"/reputation?tool={local.repository_key}",
        "/reputation?actor=http://127.0.0.1:8080/orgs/alderney",
        "/tools/git.example/none",
    ]
    shots = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path)
    catalog = str(test_server.make_url("/catalog/search"))
    job = {
        "chromium": _chromium(),
        "urls": [str(test_server.make_url(p)) for p in paths[:-1]]
        # The moderation page, signed in by HTTP Basic (the operator token as the password).
        + [
            str(test_server.make_url("/moderation/flags")).replace(
                "://", f"://op:{data['reports']['operator']}@"
            ),
        ]
        + commission_urls(test_server, data["commissions"])
        + [str(test_server.make_url(paths[-1]))],
        "viewports": VIEWPORTS,
        "screenshots": [
            {"url": catalog, "viewport": v["name"], "path": str(shots / f"catalog-{v['name']}.png")}
            for v in VIEWPORTS
        ],
    }
    results = await run_browser(job)
    assert len(results) == len(job["urls"]) * len(VIEWPORTS)
    statuses = {r["url"]: r["status"] for r in results}
    assert statuses[job["urls"][-1]] == 404
    assert all(s == 200 for u, s in statuses.items() if u != job["urls"][-1]), statuses
    failures = [report(r) for r in results if r["violations"]]
    assert not failures, "axe-core violations:\n" + "\n".join(failures)
    overflow = [
        f"{r['url']}: scrollWidth {r['scrollWidth']} > innerWidth {r['innerWidth']}"
        for r in results
        if r["viewport"] == "phone" and r["scrollWidth"] > r["innerWidth"]
    ]
    assert not overflow, "horizontal scrolling on a 375 px phone:\n" + "\n".join(overflow)
    assert all(r["lang"] == "en" for r in results)
    unfocused = [
        f"{r['viewport']} {r['url']}: {r['focus']}"
        for r in results
        if r["focus"] != {"first": "#main", "onScreen": True, "outline": "solid"}
    ]
    assert not unfocused, "the first Tab must show the skip link with a focus ring:\n" + "\n".join(
        unfocused
    )
    assert (shots / "catalog-phone.png").is_file()
