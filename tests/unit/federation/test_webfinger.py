"""WebFinger resource parsing and the JRD, for origins with and without a default port."""

from __future__ import annotations

import pytest

from federation.iris import LocalIris
from federation.webfinger import (
    ACTIVITY_JSON,
    REL_PROFILE_PAGE,
    BadResource,
    InstanceAccount,
    OrgAccount,
    build_jrd,
    canonical_acct,
    parse_resource,
)

TEST_NODE = LocalIris("http://127.0.0.1:8080")  # non-default port
CITY = LocalIris("https://city.example")  # default port
IPV6 = LocalIris("http://[::1]:8080")


@pytest.mark.parametrize(
    "resource",
    [
        "acct:alderney@127.0.0.1:8080",
        "acct:Alderney@127.0.0.1:8080",
        "ACCT:alderney@127.0.0.1:8080",
        "  acct:alderney@127.0.0.1:8080  ",
        "alderney@127.0.0.1:8080",
        "@alderney@127.0.0.1:8080",
        "http://127.0.0.1:8080/orgs/alderney",
        "HTTP://127.0.0.1:8080/orgs/ALDERNEY",
    ],
)
def test_every_spelling_of_an_organisation_names_the_same_account(resource: str) -> None:
    assert parse_resource(resource, TEST_NODE) == OrgAccount("alderney")


def test_percent_encoded_user_part_is_decoded() -> None:
    # RFC 7565: the user part of an acct: URI may be percent-encoded.
    assert parse_resource("acct:st%2Dpeter@127.0.0.1:8080", TEST_NODE) == OrgAccount("st-peter")


@pytest.mark.parametrize(
    "resource",
    [
        "acct:alderney@city.example",
        "acct:alderney@CITY.Example",
        "acct:alderney@city.example:443",
        "alderney@city.example",
        "https://city.example/orgs/alderney",
        "https://City.Example:443/orgs/alderney",
    ],
)
def test_a_default_port_may_be_written_or_left_out(resource: str) -> None:
    assert parse_resource(resource, CITY) == OrgAccount("alderney")


@pytest.mark.parametrize(
    ("iris", "resource"),
    [
        (TEST_NODE, "acct:127.0.0.1:8080@127.0.0.1:8080"),
        (TEST_NODE, "http://127.0.0.1:8080/actor"),
        (CITY, "acct:city.example@city.example"),
        (CITY, "acct:CITY.example@city.example:443"),
        (CITY, "https://city.example/actor"),
        (IPV6, "acct:[::1]:8080@[::1]:8080"),
    ],
)
def test_the_instance_actor_is_found_like_mastodons(iris: LocalIris, resource: str) -> None:
    assert parse_resource(resource, iris) == InstanceAccount()


@pytest.mark.parametrize(
    ("iris", "resource"),
    [
        # a missing non-default port is port 80, another origin
        (TEST_NODE, "acct:alderney@127.0.0.1"),
        (TEST_NODE, "acct:alderney@127.0.0.1:8081"),
        (TEST_NODE, "acct:alderney@mastodon.example"),
        (TEST_NODE, "https://127.0.0.1:8080/orgs/alderney"),
        (TEST_NODE, "http://mastodon.example/users/alderney"),
        (TEST_NODE, "http://127.0.0.1:8080/orgs/alderney/outbox"),
        (TEST_NODE, "http://127.0.0.1:8080/orgs/alderney?x=1"),
        (TEST_NODE, "http://127.0.0.1:8080/orgs/alderney#main-key"),
        (TEST_NODE, "http://127.0.0.1:8080/users/alderney"),
        (TEST_NODE, "http://127.0.0.1:8080/"),
        (TEST_NODE, "acct:not a handle@127.0.0.1:8080"),
        (TEST_NODE, "acct:-bad@127.0.0.1:8080"),
        (CITY, "acct:alderney@city.example:8443"),
        (CITY, "http://city.example/orgs/alderney"),
        (CITY, "acct:alderney@evil.example"),
    ],
)
def test_what_is_not_ours_is_none(iris: LocalIris, resource: str) -> None:
    assert parse_resource(resource, iris) is None


@pytest.mark.parametrize(
    "resource",
    [
        "",
        "   ",
        "acct:",
        "acct:alderney",
        "acct:@127.0.0.1:8080",
        "acct:alderney@",
        "alderney",
        "mailto:alderney@127.0.0.1:8080",
        "acct:alderney@127.0.0.1:notaport",
        "acct:alderney@127.0.0.1:99999",
        "http:/127.0.0.1:8080/orgs/alderney",
        "http://[::1/orgs/alderney",
        "alderney@127.0.0.1:8080/orgs",
    ],
)
def test_unreadable_resources_are_bad_requests(resource: str) -> None:
    with pytest.raises(BadResource):
        parse_resource(resource, TEST_NODE)


def test_organisation_jrd() -> None:
    assert build_jrd(OrgAccount("alderney"), TEST_NODE) == {
        "subject": "acct:alderney@127.0.0.1:8080",
        "aliases": ["http://127.0.0.1:8080/orgs/alderney"],
        "links": [
            {
                "rel": "self",
                "type": ACTIVITY_JSON,
                "href": "http://127.0.0.1:8080/orgs/alderney",
            },
            {
                "rel": REL_PROFILE_PAGE,
                "type": "text/html",
                "href": "http://127.0.0.1:8080/orgs/alderney",
            },
        ],
    }


def test_instance_actor_jrd_points_at_slash_actor() -> None:
    jrd = build_jrd(InstanceAccount(), CITY)
    assert jrd["subject"] == "acct:city.example@city.example"
    assert jrd["aliases"] == ["https://city.example/actor"]
    self_link = next(link for link in jrd["links"] if link["rel"] == "self")
    assert self_link == {"rel": "self", "type": ACTIVITY_JSON, "href": "https://city.example/actor"}


def test_rel_parameters_filter_the_links() -> None:
    jrd = build_jrd(OrgAccount("alderney"), TEST_NODE, rels=["self"])
    assert [link["rel"] for link in jrd["links"]] == ["self"]
    assert build_jrd(OrgAccount("alderney"), TEST_NODE, rels=["nothing"])["links"] == []


def test_canonical_acct_keeps_a_non_default_port() -> None:
    assert canonical_acct(OrgAccount("alderney"), TEST_NODE) == "acct:alderney@127.0.0.1:8080"
    assert canonical_acct(OrgAccount("alderney"), CITY) == "acct:alderney@city.example"
