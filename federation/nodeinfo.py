"""NodeInfo 2.0/2.1 and host-meta: what crawlers and remote servers learn about the node itself."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import quoteattr

from commonsnode import __version__
from federation.webfinger import WEBFINGER_PATH

NODEINFO_WELL_KNOWN_PATH = "/.well-known/nodeinfo"
HOST_META_PATH = "/.well-known/host-meta"
HOST_META_TYPE = "application/xrd+xml"
NODEINFO_VERSIONS = ("2.0", "2.1")
# The schema requires ^[a-z0-9-]+$; crawlers group nodes by this name.
SOFTWARE_NAME = "commonsnode"
# NodeInfo 2.1 `software.repository` / `software.homepage`: emitted only when known, since
# the schema allows leaving them out and a made-up URL would send people to the wrong place.
SOFTWARE_REPOSITORY: str | None = None
SOFTWARE_HOMEPAGE: str | None = None


def schema_uri(version: str) -> str:
    """The schema IRI: the `rel` in the well-known links and the Content-Type's profile."""
    _check_version(version)
    return f"http://nodeinfo.diaspora.software/ns/schema/{version}"


def nodeinfo_path(version: str) -> str:
    _check_version(version)
    return f"/nodeinfo/{version}"


def nodeinfo_content_type(version: str) -> str:
    """The media type the NodeInfo protocol asks for, naming the schema the document follows."""
    return f'application/json; profile="{schema_uri(version)}#"'


def well_known_links(origin: str) -> dict[str, Any]:
    """/.well-known/nodeinfo: where each schema version's document lives (oldest first)."""
    return {
        "links": [
            {"rel": schema_uri(version), "href": f"{origin}{nodeinfo_path(version)}"}
            for version in NODEINFO_VERSIONS
        ]
    }


def nodeinfo_document(
    version: str,
    *,
    node_name: str,
    total_users: int,
    software_version: str = __version__,
    repository: str | None = SOFTWARE_REPOSITORY,
    homepage: str | None = SOFTWARE_HOMEPAGE,
) -> dict[str, Any]:
    """The NodeInfo document of `version` ("2.0" or "2.1").

    Users are the node's local organisations. `activeMonth`/`activeHalfyear` are left out on
    purpose: the schema defines them by sign-ins, which a node does not record, and a guess
    would mislead the statistics sites that sum them. Registrations are closed because the
    operator creates organisations (`commonsnode org create`); nobody signs up.
    """
    _check_version(version)
    software: dict[str, str] = {"name": SOFTWARE_NAME, "version": software_version}
    if version == "2.1":  # 2.0's schema forbids any other key in `software`
        if repository:
            software["repository"] = repository
        if homepage:
            software["homepage"] = homepage
    return {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": False,
        "usage": {"users": {"total": max(0, total_users)}},
        "metadata": {"nodeName": node_name},
    }


def host_meta_xrd(origin: str) -> str:
    """host-meta (RFC 6415): the LRDD template older OStatus-era clients use to find WebFinger."""
    template = quoteattr(f"{origin}{WEBFINGER_PATH}?resource={{uri}}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template={template}/>\n'
        "</XRD>\n"
    )


def _check_version(version: str) -> None:
    if version not in NODEINFO_VERSIONS:
        raise ValueError(f"unsupported NodeInfo version {version!r}")
