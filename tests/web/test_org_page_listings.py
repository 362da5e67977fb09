"""The organisation page lists the organisation's own listings a page at a time, newest first."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from commonsnode.clock import FixedClock
from commonsnode.usecases.listings import publish_listing, withdraw_listing
from commonsnode.usecases.organisations import create_organisation
from web.app import Node
from web.pages.home import ORG_PAGE

HTML = {"Accept": "text/html"}

TEMPLATE = """publiccodeYmlVersion: "0.4"
name: Tool {n}
url: "https://git.example/{handle}/tool-{n}.git"
platforms: [web]
categories: [office]
developmentStatus: stable
softwareType: "standalone/web"
description:
  en:
    shortDescription: "Tool number {n} of {handle}."
    longDescription: >
      {long}
    features: [One feature]
legal:
  license: EUPL-1.2
maintenance:
  type: community
  contacts:
    - name: A maintainer
localisation:
  localisationReady: false
  availableLanguages: [en]
"""


def listing_ids(html: str) -> list[str]:
    return re.findall(r'href="/listings/([^"#?]+)"', html)


async def get(client: TestClient, path: str) -> str:
    response = await client.get(path, headers=HTML)
    text = await response.text()
    assert response.status == 200, text
    return text


async def test_organisation_page_pages_its_listings_newest_first(
    client: TestClient, node: Node
) -> None:
    clock = FixedClock()
    city, other = [
        await create_organisation(node.uow, clock, handle=h, name=h.title(), kind="government")
        for h in ("city", "other")
    ]
    published = []
    for n in range(ORG_PAGE + 3):
        clock.advance(1)
        text = TEMPLATE.format(n=n, handle="city", long="Words about the tool. " * 12)
        published.append((await publish_listing(node.uow, clock, city, text)).listing)
    clock.advance(1)
    elsewhere = TEMPLATE.format(n=0, handle="city", long="The same tool, listed again. " * 8)
    not_mine = (await publish_listing(node.uow, clock, other, elsewhere)).listing
    clock.advance(1)
    gone = published.pop(5)
    await withdraw_listing(node.uow, clock, city, gone.id)
    newest_first = [x.id for x in reversed(published)]

    first = await get(client, "/orgs/city")
    assert f"<dt>Tool listings</dt><dd>{len(published)}</dd>" in first
    assert listing_ids(first) == newest_first[:ORG_PAGE]
    older = re.search(r'href="(/orgs/city\?before=[^"]+)" rel="next"', first)
    assert older is not None
    second = await get(client, older.group(1).replace("&amp;", "&"))
    assert listing_ids(second) == newest_first[ORG_PAGE:]
    assert 'rel="next"' not in second
    assert 'href="/orgs/city#listings"' in second
    assert gone.id not in first + second
    assert not_mine.id not in first + second
    assert listing_ids(await get(client, "/orgs/other")) == [not_mine.id]

    # A cursor past the end (or made up) is an empty page, not an error.
    assert listing_ids(await get(client, "/orgs/city?before=0")) == []
