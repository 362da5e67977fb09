"""ISO 8601 dates and instants as the commissions API reads and writes them (UTC, no guessing)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from commonsnode.errors import InvalidError


def parse_date(value: object, field: str) -> date:
    """A calendar date `YYYY-MM-DD` (milestone due dates, payment dates)."""
    if not isinstance(value, str):
        raise InvalidError(f"{field}: a date as YYYY-MM-DD", field=field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidError(f"{field}: {value!r} is not a date as YYYY-MM-DD", field=field) from None


def parse_instant(value: object, field: str) -> float:
    """A deadline: a date-time with a time zone, or a bare date meaning the end of that UTC day.

    A bare date `2027-03-01` accepts bids throughout 1 March (UTC) and closes at the start of
    2 March; a date-time without a zone is refused because nodes in different zones would read it
    differently.
    """
    if not isinstance(value, str):
        raise InvalidError(f"{field}: an ISO 8601 date or date-time with a time zone", field=field)
    if len(value) == 10:
        day = parse_date(value, field)
        return datetime.combine(day + timedelta(days=1), time(), UTC).timestamp()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidError(
            f"{field}: {value!r} is not an ISO 8601 date-time", field=field
        ) from None
    if moment.tzinfo is None:
        raise InvalidError(f"{field}: give a time zone (e.g. Z or +01:00)", field=field)
    return moment.timestamp()


def iso_instant(moment: float) -> str:
    """Seconds since the epoch as an ISO 8601 UTC date-time, whole seconds (`…T…Z`)."""
    return datetime.fromtimestamp(int(moment), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_day_start(day: date) -> str:
    """A calendar date as the date-time of its start in UTC (OCDS wants date-times)."""
    return f"{day.isoformat()}T00:00:00Z"


def iso_timestamp(moment: float | None) -> str | None:
    """Seconds since the epoch as ISO 8601 UTC keeping sub-seconds (the API's `…Z` stamps),
    or None; unlike iso_instant it does not round, so stored order survives the round trip."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")
