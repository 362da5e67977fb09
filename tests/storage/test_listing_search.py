"""Catalog search on SQLite (FTS5) and PostgreSQL (tsvector + GIN): the same answers on both."""

from __future__ import annotations

from dataclasses import replace

import pytest

from commonsnode.clock import FixedClock
from commonsnode.errors import InvalidError
from commonsnode.ids import new_id
from commonsnode.model.listings import (
    ListingFacts,
    ListingPage,
    ListingQuery,
    ListingText,
    Provenance,
    ToolListing,
    new_local_listing,
    remote_listing,
    revise,
    withdraw,
)
from commonsnode.usecases.organisations import create_organisation
from storage.db import Database
from storage.search_index import RECENCY_BUCKET, parse_query, score, tokens
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.keys import TEST_KEYS


def facts(
    name: str,
    short: str = "A tool",
    long: str = "",
    *,
    features: tuple[str, ...] = (),
    more: tuple[ListingText, ...] = (),
    **fields: object,
) -> ListingFacts:
    values: dict[str, object] = {
        "license": "EUPL-1.2",
        "development_status": "stable",
        "software_type": "standalone/web",
        "platforms": ("web",),
        "categories": ("office",),
        **fields,
    }
    return ListingFacts(
        name=name,
        repository=str(values.pop("repository", f"https://code.example/x/{tokens(name)[0]}")),
        descriptions=(ListingText("en", short, long, features), *more),
        **values,  # type: ignore[arg-type]
    )


class Catalog:
    def __init__(self, uow: SqlUnitOfWorkFactory, clock: FixedClock) -> None:
        self.uow, self.clock, self.org_id = uow, clock, ""
        self.count = 0

    async def local(self, listing_facts: ListingFacts) -> ToolListing:
        if not self.org_id:
            org = await create_organisation(
                self.uow, self.clock, handle="city", name="City", kind="government", keys=TEST_KEYS
            )
            self.org_id = org.id
        self.clock.advance(1)
        listing = new_local_listing(
            new_id(self.clock.now()), self.org_id, listing_facts, "name: x\n", self.clock.now()
        )
        async with self.uow() as tx:
            await tx.listings.add(listing)
        return listing

    async def remote(self, listing_facts: ListingFacts) -> ToolListing:
        self.clock.advance(1)
        self.count += 1
        origin = Provenance(
            f"https://b.example/listings/{self.count}",
            "https://b.example/orgs/dev",
            "b.example",
            self.clock.now(),
            "https://b.example/orgs/dev",
        )
        listing = remote_listing(new_id(self.clock.now()), listing_facts, origin, self.clock.now())
        async with self.uow() as tx:
            await tx.listings.add(listing)
        return listing

    async def page(self, **query: object) -> ListingPage:
        async with self.uow(readonly=True) as tx:
            return await tx.listings.search_page(ListingQuery(**query))  # type: ignore[arg-type]

    async def ids(self, **query: object) -> list[str]:
        return [x.id for x in (await self.page(**query)).listings]


@pytest.fixture
def catalog(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> Catalog:
    return Catalog(uow, clock)


def test_tokens_fold_case_and_diacritics_and_split_on_punctuation() -> None:
    assert tokens("Città-Gestione DÉCLARATION_fiscale Straße") == [
        "citta",
        "gestione",
        "declaration",
        "fiscale",
        "strasse",
    ]
    assert [(t.token, t.prefix) for t in parse_query('geo* "NEAR(a b)" -x a')] == [
        ("geo", True),
        ("near", False),
        ("a", False),
        ("b", False),
        ("x", False),
    ]


def test_score_prefers_name_then_summary_then_features_then_body() -> None:
    terms = parse_query("map")
    name = score(terms, "map tool", "", "", 0)
    summary = score(terms, "tool", "a map", "", 0)
    feature = score(terms, "tool", "", "map", 0)
    body = score(terms, "tool", "", "", 0)
    assert name > summary > feature > body
    assert score(terms, "map", "", "", 0) > name  # the exact name
    assert score(terms, "tool", "", "", 3) > body  # used by more organisations


async def test_every_language_and_field_is_searchable(catalog: Catalog) -> None:
    listing = await catalog.remote(
        facts(
            "Protocollo",
            "Records for the city",
            "Long english words",
            features=("Signature workflow",),
            more=(
                ListingText("it", "Gestione documentale", "Parole lunghe della città", ("Firma",)),
                ListingText("de", "Dokumentenverwaltung für Behörden", "Öffentliche Straße"),
            ),
            categories=("document-management",),
            used_by=("Comune di Bari",),
        )
    )
    for q in (
        "protocollo",
        "records",
        "english",
        "signature",
        "gestione",
        "citta",
        "città",
        "CITTÀ",
        "firma",
        "fur behorden",
        "öffentliche",
        "strasse",
        "document management",
        "bari",
        "dokumentenverw*",
    ):
        assert await catalog.ids(q=q) == [listing.id], q
    assert await catalog.ids(q="gestione inexistent") == []
    assert await catalog.ids(q="dokumentenverw") == []  # whole words unless `*`


@pytest.mark.parametrize(
    "q",
    [
        '"',
        'medusa"',
        '"medusa',
        "NEAR(medusa mail)",
        "medusa NEAR mail",
        "*",
        "medusa*",
        "-medusa",
        "medusa -",
        "(medusa",
        "medusa)",
        "medusa OR",
        "AND",
        "NOT medusa",
        "{name}: medusa",
        "name:medusa",
        "^medusa",
        "medusa & | ! :*",
        "'medusa'",
        "\\",
        "%_",
        "\x00medusa",
        "  ",
    ],
)
async def test_query_syntax_is_never_interpreted(catalog: Catalog, q: str) -> None:
    listing = await catalog.local(facts("Medusa mail", "near and not or name"))
    ids = await catalog.ids(q=q)
    assert ids in ([], [listing.id]), q
    if "medusa" in q.lower():
        assert ids == [listing.id], q


async def test_a_query_without_words_browses_newest_first(catalog: Catalog) -> None:
    a = await catalog.local(facts("Alpha"))
    b = await catalog.remote(facts("Beta"))
    assert await catalog.ids(q="") == [b.id, a.id]
    assert await catalog.ids(q="-- ** ()") == [b.id, a.id]


async def test_relevance_orders_by_field_then_use_then_newest(catalog: Catalog) -> None:
    in_body = await catalog.remote(facts("Gamma", "A tool", "with a map inside"))
    in_name = await catalog.remote(facts("Map viewer"))
    exact = await catalog.remote(facts("Map"))
    in_summary = await catalog.local(facts("Delta", "Draws a map"))
    in_feature = await catalog.local(facts("Epsilon", features=("Map layers",)))
    used = await catalog.remote(facts("Zeta", "A tool", "map", used_by=("A", "B")))
    newer_body = await catalog.remote(facts("Eta", "A tool", "the map"))
    assert await catalog.ids(q="map") == [
        exact.id,
        in_name.id,
        in_summary.id,
        in_feature.id,
        used.id,
        newer_body.id,
        in_body.id,
    ]


async def test_relevance_pages_are_stable_and_complete(catalog: Catalog) -> None:
    made = [
        await catalog.remote(facts(f"Tool {i}", "map" if i % 2 else "x", "map", used_by=("a",) * i))
        for i in range(7)
    ]
    expected = await catalog.ids(q="map", limit=100)
    assert sorted(expected) == sorted(x.id for x in made)
    seen: list[str] = []
    cursor = None
    while True:
        page = await catalog.page(q="map", limit=2, after=cursor)
        seen += [x.id for x in page.listings]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
        await catalog.remote(facts("Late", "x", "map"))  # arrives between pages
    # Keyset paging: nothing seen twice, nothing skipped; a newcomer shows up in its place
    # when that place is still ahead.
    assert [x for x in seen if x in expected] == expected
    assert len(seen) == len(set(seen))
    with pytest.raises(InvalidError):
        await catalog.page(q="map", after="not-a-cursor")


async def test_facets_count_the_matched_set_and_filters_narrow_it(catalog: Catalog) -> None:
    a = await catalog.local(
        facts("Mail one", license="MIT", categories=("office", "email-management"))
    )
    b = await catalog.remote(
        facts(
            "Mail two",
            platforms=("linux", "web"),
            countries=("IT",),
            used_by=tuple("abcdef"),
        )
    )
    await catalog.remote(facts("Other", development_status="beta"))
    page = await catalog.page(q="mail")
    assert (page.total, page.exact) == (2, True)
    counts = {name: {f.value: f.count for f in found} for name, found in page.facets.items()}
    assert counts["license"] == {"MIT": 1, "EUPL-1.2": 1}
    assert counts["category"] == {"office": 2, "email-management": 1}
    assert counts["platform"] == {"web": 2, "linux": 1}
    assert counts["country"] == {"it": 1}
    assert counts["development_status"] == {"stable": 2}
    assert counts["origin"] == {"local": 1, "remote": 1}
    assert counts["used_by"] == {"1": 1, "5": 1, "10": 0}
    assert await catalog.ids(q="mail", license="MIT") == [a.id]
    assert await catalog.ids(category="email-management") == [a.id]
    assert await catalog.ids(country="it") == [b.id]
    assert await catalog.ids(country="IT", platform="linux", used_by_min=5) == [b.id]
    assert await catalog.ids(q="mail", origin="local") == [a.id]
    browse = await catalog.page(development_status="beta")
    assert browse.total == 1
    assert {f.value for f in browse.facets["development_status"]} == {"beta"}


async def test_the_index_follows_update_withdraw_and_delete(
    catalog: Catalog, uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    mine = await catalog.local(facts("Kite", "flies"))
    theirs = await catalog.remote(facts("Kestrel", "hovers"))
    async with uow() as tx:
        changed = revise(mine, catalog.org_id, facts("Kite", "soars"), "name: x\n", clock.now())
        await tx.listings.update(changed)
        await tx.listings.update(replace(theirs, facts=facts("Kestrel", "dives")))
    assert await catalog.ids(q="flies") == []
    assert await catalog.ids(q="soars") == [mine.id]
    assert await catalog.ids(q="hovers") == []
    assert await catalog.ids(q="dives") == [theirs.id]
    async with uow() as tx:
        await tx.listings.update(withdraw(changed, catalog.org_id, clock.now()))
        await tx.listings.delete(theirs.id)
    assert await catalog.ids(q="soars") == []
    assert await catalog.ids(q="dives") == []
    assert await catalog.ids() == []
    again = await catalog.local(facts("Kite", "soars"))
    assert await catalog.ids(q="soars") == [again.id]


async def test_one_tool_gathers_every_published_listing_of_its_repository(
    catalog: Catalog, uow: SqlUnitOfWorkFactory
) -> None:
    mine = await catalog.local(facts("Medusa", repository="https://github.com/X/Medusa"))
    theirs = await catalog.remote(facts("Medusa", repository="https://www.github.com/x/medusa.git"))
    await catalog.remote(facts("Other", repository="https://github.com/x/other"))
    async with uow(readonly=True) as tx:
        found = await tx.listings.by_repository("github.com/x/medusa")
    assert [x.id for x in found] == [mine.id, theirs.id]


async def test_the_migration_indexes_listings_published_before_it(db_url: str) -> None:
    from alembic import command

    from storage import migrate
    from storage.db import Database

    clock = FixedClock()
    db = Database(db_url, pool_size=2, sqlite_synchronous="normal")
    try:
        async with db.transaction() as connection:
            await connection.run_sync(lambda sync: command.upgrade(migrate._config(sync), "0003"))
        uow = SqlUnitOfWorkFactory(db, clock)
        listing = remote_listing(
            new_id(clock.now()),
            facts("Older", "published before search existed"),
            Provenance("https://b.example/l/1", "https://b.example/o", "b.example", 1.0, ""),
            1.0,
        )
        async with db.transaction() as connection:  # as 0003's code stored it: no index row
            from storage.repositories.listings import _values
            from storage.tables import listings

            await connection.execute(listings.insert().values(_values(listing)))
        await migrate.upgrade(db)
        assert await Catalog(uow, clock).ids(q="existed") == [listing.id]
    finally:
        await db.dispose()


async def test_a_bounded_match_set_still_ranks_name_matches_and_says_it_is_bounded(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.repositories.listings as repository

    monkeypatch.setattr(repository, "CANDIDATES", 3)
    named = await catalog.remote(facts("Atlas", "old"))
    for i in range(5):
        await catalog.remote(facts(f"Tool {i}", "x", "an atlas inside"))
    page = await catalog.page(q="atlas", limit=2)
    assert page.listings[0].id == named.id
    assert page.exact is False
    assert page.total == 4  # the 3 newest matches and the name match
    everything = await catalog.page(q="atlas")
    assert len(everything.listings) == 4


async def test_the_bounded_match_set_is_the_newest_matches_however_sparse(
    catalog: Catalog, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL searches the newest recency buckets first and widens the window: the answer
    is still exactly the newest CANDIDATES matches (with filters), dense or sparse."""
    import storage.repositories.listings as repository

    async def spread() -> None:  # PostgreSQL: about four listings per recency bucket
        if database.dialect == "postgresql":
            async with database.transaction() as connection:
                await connection.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('listing_search', 'seq'),"
                    f" (SELECT max(seq) FROM listing_search) + {RECENCY_BUCKET // 4})"
                )

    monkeypatch.setattr(repository, "CANDIDATES", 3)
    monkeypatch.setattr(repository, "WINDOW_START", 1)
    made = []
    for i in range(40):
        dense = i >= 30  # the newest ten: every other one holds "comet"
        sparse = i in (3, 12, 21)  # older: few and far apart
        word = "comet" if (dense and i % 2) or sparse else "other"
        made.append(
            await catalog.remote(
                facts(f"Tool {i}", "x", f"a {word}", license="MIT" if i % 3 else "EUPL-1.2")
            )
        )
        await spread()
    if database.dialect == "postgresql":
        async with database.transaction() as connection:
            top = await connection.exec_driver_sql("SELECT max(recency) FROM listing_search")
            assert top.scalar_one() >= 9
    newest_first = made[::-1]

    def holding(*, license: str | None = None) -> list[str]:
        return [
            x.id
            for x in newest_first
            if "comet" in x.facts.descriptions[0].long_description
            and (license is None or x.facts.license == license)
        ]

    page = await catalog.page(q="comet", limit=100)
    assert (page.total, page.exact) == (3, False)
    assert {x.id for x in page.listings} == set(holding()[:3])
    eupl = holding(license="EUPL-1.2")  # two in the newest ten, then the sparse ones
    assert len(eupl) == 5
    page = await catalog.page(q="comet", license="EUPL-1.2", limit=100)
    assert ({x.id for x in page.listings}, page.total, page.exact) == (set(eupl[:3]), 3, False)
    none = await catalog.page(q="comet", license="GPL-3.0-only")
    assert (none.listings, none.total, none.exact) == ((), 0, True)
    monkeypatch.setattr(repository, "CANDIDATES", 20)
    everything = await catalog.page(q="comet", limit=100)
    assert ({x.id for x in everything.listings}, everything.exact) == (set(holding()), True)
