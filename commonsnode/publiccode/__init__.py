"""publiccode.yml 0.x: import with located findings, and export; pure domain code, offline.

Import flow: yaml_source (text → nodes with line/column) → reader and the section readers
(field checks, findings) → listing (the typed record). Export: export (record → text).
"""

from __future__ import annotations

from commonsnode.publiccode.export import export_publiccode
from commonsnode.publiccode.findings import Finding, Kind
from commonsnode.publiccode.listing import (
    Contact,
    Contractor,
    Dependency,
    DependsOn,
    Description,
    IntendedAudience,
    ItalianConformity,
    ItalianExtension,
    ItalianPlatforms,
    Legal,
    Listing,
    Localisation,
    Maintenance,
    Organisation,
)
from commonsnode.publiccode.parse import ParseResult, parse_publiccode

__all__ = [
    "Contact",
    "Contractor",
    "Dependency",
    "DependsOn",
    "Description",
    "Finding",
    "IntendedAudience",
    "ItalianConformity",
    "ItalianExtension",
    "ItalianPlatforms",
    "Kind",
    "Legal",
    "Listing",
    "Localisation",
    "Maintenance",
    "Organisation",
    "ParseResult",
    "export_publiccode",
    "parse_publiccode",
]
