"""NodeInfo 2.0/2.1 documents against the schemas' rules, the well-known links and host-meta."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from commonsnode import __version__
from federation.nodeinfo import (
    host_meta_xrd,
    nodeinfo_content_type,
    nodeinfo_document,
    schema_uri,
    well_known_links,
)

# The rules of http://nodeinfo.diaspora.software/ns/schema/2.0 and 2.1 (jhass/nodeinfo),
# written out as checks: JSON Schema draft-04 `required`, `additionalProperties: false`,
# types, `software.name`'s pattern, the protocol enum and `minimum: 0` on the counters.
# 2.1 differs from 2.0 only in `version` and the optional software.repository/homepage.
PROTOCOLS = {
    "activitypub",
    "buddycloud",
    "dfrn",
    "diaspora",
    "libertree",
    "ostatus",
    "pumpio",
    "tent",
    "xmpp",
    "zot",
}
TOP_KEYS = {
    "version",
    "software",
    "protocols",
    "services",
    "openRegistrations",
    "usage",
    "metadata",
}


def _counter(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def schema_violations(doc: dict[str, Any], version: str) -> list[str]:
    """Every way `doc` breaks the NodeInfo `version` schema (empty when valid)."""
    found: list[str] = []

    def check(ok: bool, message: str) -> None:
        if not ok:
            found.append(message)

    check(set(doc) == TOP_KEYS, f"top-level keys {sorted(set(doc) ^ TOP_KEYS)}")
    check(doc.get("version") == version, "version")
    software = doc.get("software", {})
    allowed = {"name", "version"} | ({"repository", "homepage"} if version == "2.1" else set())
    check({"name", "version"} <= set(software) <= allowed, f"software keys {sorted(software)}")
    check(all(isinstance(value, str) for value in software.values()), "software values")
    check(re.fullmatch(r"[a-z0-9-]+", str(software.get("name", ""))) is not None, "name")
    protocols = doc.get("protocols")
    check(isinstance(protocols, list) and len(protocols) >= 1, "protocols: array, minItems 1")
    check(set(protocols or []) <= PROTOCOLS, "protocols: enum")
    services = doc.get("services", {})
    check(set(services) == {"inbound", "outbound"}, "services keys")
    check(all(isinstance(value, list) for value in services.values()), "services arrays")
    check(isinstance(doc.get("openRegistrations"), bool), "openRegistrations")
    usage = doc.get("usage", {})
    check("users" in usage, "usage.users required")
    check(set(usage) <= {"users", "localPosts", "localComments"}, "usage keys")
    users = usage.get("users", {})
    check(set(users) <= {"total", "activeHalfyear", "activeMonth"}, "usage.users keys")
    counters = [*users.values(), *(v for k, v in usage.items() if k != "users")]
    check(all(_counter(value) for value in counters), "counters: integer >= 0")
    check(isinstance(doc.get("metadata"), dict), "metadata: object")
    return found


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_documents_follow_their_schema(version: str) -> None:
    doc = nodeinfo_document(
        version,
        node_name="City of Alderney",
        total_users=3,
        repository="https://code.example/commonsnode",
        homepage="https://commonsnode.example",
    )
    assert schema_violations(doc, version) == []
    assert doc["software"]["name"] == "commonsnode"
    assert doc["software"]["version"] == __version__
    assert doc["protocols"] == ["activitypub"]
    assert doc["services"] == {"inbound": [], "outbound": []}
    assert doc["openRegistrations"] is False
    assert doc["usage"] == {"users": {"total": 3}}
    assert doc["metadata"] == {"nodeName": "City of Alderney"}


def test_the_checker_catches_what_the_schema_forbids() -> None:
    doc = nodeinfo_document("2.0", node_name="n", total_users=1)
    broken = {**doc, "software": {**doc["software"], "repository": "https://x"}, "extra": 1}
    assert len(schema_violations(broken, "2.0")) == 2
    assert schema_violations({**doc, "protocols": []}, "2.0")


def test_only_2_1_carries_repository_and_homepage() -> None:
    kwargs: dict[str, Any] = {"node_name": "n", "total_users": 0}
    urls = {"repository": "https://code.example/commonsnode", "homepage": "https://cn.example"}
    assert nodeinfo_document("2.1", **kwargs, **urls)["software"] == {
        "name": "commonsnode",
        "version": __version__,
        **urls,
    }
    assert set(nodeinfo_document("2.0", **kwargs, **urls)["software"]) == {"name", "version"}
    unknown = nodeinfo_document("2.1", **kwargs, repository=None, homepage=None)
    assert set(unknown["software"]) == {"name", "version"}


def test_unknown_versions_are_refused() -> None:
    with pytest.raises(ValueError, match=r"1\.0"):
        nodeinfo_document("1.0", node_name="n", total_users=0)


def test_well_known_links_name_both_schemas() -> None:
    assert well_known_links("https://city.example") == {
        "links": [
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                "href": "https://city.example/nodeinfo/2.0",
            },
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                "href": "https://city.example/nodeinfo/2.1",
            },
        ]
    }


def test_content_type_names_the_schema_as_profile() -> None:
    assert nodeinfo_content_type("2.1") == (
        'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"'
    )
    assert schema_uri("2.0") == "http://nodeinfo.diaspora.software/ns/schema/2.0"


def test_host_meta_is_an_xrd_with_the_webfinger_template() -> None:
    root = ET.fromstring(host_meta_xrd("https://city.example"))
    assert root.tag == "{http://docs.oasis-open.org/ns/xri/xrd-1.0}XRD"
    (link,) = list(root)
    assert link.attrib == {
        "rel": "lrdd",
        "template": "https://city.example/.well-known/webfinger?resource={uri}",
    }


def test_host_meta_escapes_what_xml_would_misread() -> None:
    odd = 'https://a.example/"<&>'
    link = ET.fromstring(host_meta_xrd(odd))[0]
    assert link.attrib["template"] == f"{odd}/.well-known/webfinger?resource={{uri}}"
