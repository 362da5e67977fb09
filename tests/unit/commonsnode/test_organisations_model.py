"""Organisation rules: handles, kinds, names."""

from __future__ import annotations

import pytest

from commonsnode.errors import InvalidError
from commonsnode.ids import new_id
from commonsnode.model.organisations import check_handle, check_kind, check_name


@pytest.mark.parametrize("handle", ["a", "alderney", "city_of-x.2", "x" * 30])
def test_good_handles_pass(handle: str) -> None:
    assert check_handle(handle) == handle


@pytest.mark.parametrize("handle", ["", "Alderney", "-x", "x-", ".x", "a b", "x" * 31, "é"])
def test_bad_handles_are_refused(handle: str) -> None:
    with pytest.raises(InvalidError) as error:
        check_handle(handle)
    assert error.value.field == "handle"


def test_kind_must_be_one_of_four() -> None:
    assert check_kind("support-company") == "support-company"
    with pytest.raises(InvalidError, match="government"):
        check_kind("company")


def test_name_is_trimmed_and_required() -> None:
    assert check_name("  City  ") == "City"
    with pytest.raises(InvalidError):
        check_name("   ")


def test_ids_sort_by_creation_time() -> None:
    earlier, later = new_id(1_700_000_000.0), new_id(1_700_000_000.002)
    assert earlier < later
    assert earlier[14] == "7"  # UUID version 7


@pytest.mark.parametrize("handle", ["catalog", "actor"])
def test_handles_of_the_nodes_own_actors_are_reserved(handle: str) -> None:
    with pytest.raises(InvalidError, match="reserved"):
        check_handle(handle)
