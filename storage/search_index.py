"""The search index of listings, identical on SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Text is reduced to tokens here, in Python, for both databases: Unicode-normalised, diacritics
removed, case-folded, split on anything that is not a letter or digit. The databases only index
and match those tokens (SQLite FTS5 `ascii` tokenizer over space-separated tokens; PostgreSQL
`array_to_tsvector` of the same tokens), so both find exactly the same listings.

A user's query becomes quoted tokens joined by AND, never raw FTS syntax: quotes, `NEAR`, `-`,
parentheses mean nothing; a word ending in `*` (2+ characters) is a prefix.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from commonsnode.model.listings import ToolListing

_WORD = re.compile(r"[^\W_]+")
MAX_TOKEN = 64
MAX_TERMS = 8
# PostgreSQL: listing_search.recency is seq // RECENCY_BUCKET (migration 0006), the leading
# column of its GIN indexes, so a search can ask for the newest buckets only.
RECENCY_BUCKET = 1024


def tokens(text: str) -> list[str]:
    """Search tokens of `text`, in order: `Città-Gestione` → ["citta", "gestione"]."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return [t for t in _WORD.findall(plain) if len(t) <= MAX_TOKEN]


def _joined(*texts: str) -> str:
    seen: dict[str, None] = {}
    for text in texts:
        for token in tokens(text):
            seen.setdefault(token)
    return " ".join(seen)


def _entries(values: tuple[str, ...], *, lower: bool = False) -> str:
    """Space-delimited with a space at each end, so `LIKE '% entry %'` matches whole entries."""
    if not values:
        return " "
    cleaned = (v.strip().replace(" ", "_") for v in values)
    return " " + " ".join(v.lower() if lower else v for v in cleaned) + " "


def index_values(listing: ToolListing) -> dict[str, Any]:
    """The listing_search row of a published listing (everything but `seq`)."""
    facts = listing.facts
    texts = facts.descriptions
    return {
        "listing_id": listing.id,
        "repository_key": listing.repository_key,
        "is_local": listing.is_local,
        "name_tokens": _joined(facts.name),
        "summary_tokens": _joined(*(t.short_description for t in texts)),
        "feature_tokens": _joined(*(f for t in texts for f in t.features)),
        "all_tokens": _joined(
            facts.name,
            *(t.short_description for t in texts),
            *(f for t in texts for f in t.features),
            *(t.long_description for t in texts),
            *facts.categories,
            *facts.used_by,
        ),
        "license": facts.license,
        "development_status": facts.development_status,
        "software_type": facts.software_type,
        "categories": _entries(facts.categories),
        "platforms": _entries(facts.platforms),
        "countries": _entries(facts.countries, lower=True),
        "used_by_count": len(facts.used_by),
    }


@dataclass(frozen=True, slots=True)
class Term:
    token: str
    prefix: bool = False


def parse_query(q: str) -> tuple[Term, ...]:
    """The searchable terms of a user's query (at most MAX_TERMS, duplicates dropped)."""
    terms: dict[str, Term] = {}
    for word in q.split():
        found = tokens(word)
        for i, token in enumerate(found):
            prefix = i == len(found) - 1 and word.endswith("*") and len(token) >= 2
            term = Term(token, prefix)
            if token not in terms or prefix:
                terms[token] = term
    return tuple(terms.values())[:MAX_TERMS]


def fts5_query(terms: tuple[Term, ...], column: str | None = None) -> str:
    """An FTS5 MATCH expression; tokens hold letters and digits only, quoted all the same."""
    scope = f"{{{column}}}: " if column else ""
    return " AND ".join(f'{scope}"{t.token}"' + ("*" if t.prefix else "") for t in terms)


def tsquery(terms: tuple[Term, ...]) -> str:
    """A tsquery literal (cast, not parsed by to_tsquery: the tokens are used as they are)."""
    return " & ".join(f"'{t.token}'" + (":*" if t.prefix else "") for t in terms)


# Points per query term by the best field that holds it; the exact name earns a bonus.
NAME, SUMMARY, FEATURE, BODY, EXACT_NAME = 8, 4, 2, 1, 8


def _has(field: list[str] | set[str], term: Term) -> bool:
    if term.prefix:
        return any(t.startswith(term.token) for t in field)
    return term.token in field


def score(terms: tuple[Term, ...], name: str, summary: str, features: str, used_by: int) -> int:
    """Relevance of a matching listing: depends on the listing and the query only (no corpus
    statistics), so it is the same on both databases and a cursor stays valid as others change.
    Within equal text relevance, listings used by more organisations come first."""
    name_tokens = name.split()
    fields = (set(name_tokens), set(summary.split()), set(features.split()))
    points = 0
    for term in terms:
        for weight, field in zip((NAME, SUMMARY, FEATURE), fields, strict=True):
            if _has(field, term):
                points += weight
                break
        else:
            points += BODY
    if [t.token for t in terms] == name_tokens and not any(t.prefix for t in terms):
        points += EXACT_NAME
    return points * 100 + min(used_by, 99)
