"""Use-cases for finding tools: catalog search with facets, and one tool with all its listings."""

from __future__ import annotations

from commonsnode.errors import InvalidError, NotFoundError
from commonsnode.model.listings import ListingPage, ListingQuery, Tool, ToolPage, repository_key
from commonsnode.model.privacy_rubric import FACET_VALUES as PRIVACY_FACETS
from commonsnode.ports import UnitOfWorkFactory

MAX_PAGE = 100
MAX_Q = 500


def _check(query: ListingQuery) -> None:
    if not 1 <= query.limit <= MAX_PAGE:
        raise InvalidError(f"limit: between 1 and {MAX_PAGE}", field="limit")
    if query.q is not None and len(query.q) > MAX_Q:
        raise InvalidError(f"q: at most {MAX_Q} characters", field="q")
    if query.used_by_min is not None and query.used_by_min < 0:
        raise InvalidError("used_by_min: a whole number", field="used_by_min")
    if query.privacy is not None and query.privacy not in PRIVACY_FACETS:
        raise InvalidError("privacy: a grade A to E, or not-graded", field="privacy")


async def search_catalog(uow: UnitOfWorkFactory, query: ListingQuery) -> ListingPage:
    """Published listings, local and federated: newest first, or by relevance for `q`."""
    _check(query)
    async with uow(readonly=True) as tx:
        return await tx.listings.search_page(query)


async def search_tools(uow: UnitOfWorkFactory, query: ListingQuery) -> ToolPage:
    """Tools (every listing of one repository together), ranked by their best listing."""
    _check(query)
    async with uow(readonly=True) as tx:
        return await tx.listings.search_tools(query)


async def get_tool(uow: UnitOfWorkFactory, key_or_url: str) -> Tool:
    """Every published listing of one tool, by repository key or URL; NotFoundError if none."""
    key = repository_key(key_or_url) if "://" in key_or_url else key_or_url.strip()
    async with uow(readonly=True) as tx:
        found = await tx.listings.by_repository(key)
        if not found and key.lower() != key:
            found = await tx.listings.by_repository(key.lower())
    if not found:
        raise NotFoundError(f"no published listing of {key}")
    return Tool(key=found[0].repository_key, listings=tuple(found))
