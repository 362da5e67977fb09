"""publiccode.yml import, result: the typed listing record that a valid file becomes.

Field names follow the standard's keys in snake_case. Every key the standard defines is kept,
deprecated ones included, so that exporting a listing gives back what its author wrote.
Empty optional lists are empty tuples and absent optional values are None; an optional
section holding nothing (`intendedAudience: {}`) is None too, so the record has one spelling
for "nothing said".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

DevelopmentStatus = Literal["concept", "development", "beta", "stable", "obsolete"]
SoftwareType = Literal[
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
]
MaintenanceType = Literal["internal", "contract", "community", "none"]


@dataclass(frozen=True, slots=True)
class Description:
    """The texts of one language, `language` being the BCP 47 tag the file used as key."""

    language: str
    short_description: str
    long_description: str
    features: tuple[str, ...]
    localised_name: str | None = None
    generic_name: str | None = None
    documentation: str | None = None
    api_documentation: str | None = None
    screenshots: tuple[str, ...] = ()
    videos: tuple[str, ...] = ()
    awards: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Organisation:
    """The publisher (`organisation`) or a funder (`fundedBy` entry), named by a URI."""

    uri: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class IntendedAudience:
    scope: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    unsupported_countries: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Legal:
    license: str
    main_copyright_owner: str | None = None
    repo_owner: str | None = None
    authors_file: str | None = None


@dataclass(frozen=True, slots=True)
class Contractor:
    name: str
    until: datetime.date
    email: str | None = None
    website: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    email: str | None = None
    phone: str | None = None
    affiliation: str | None = None


@dataclass(frozen=True, slots=True)
class Maintenance:
    type: MaintenanceType
    contractors: tuple[Contractor, ...] = ()
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True, slots=True)
class Localisation:
    localisation_ready: bool
    available_languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Dependency:
    name: str
    version_min: str | None = None
    version_max: str | None = None
    version: str | None = None
    optional: bool | None = None


@dataclass(frozen=True, slots=True)
class DependsOn:
    open: tuple[Dependency, ...] = ()
    proprietary: tuple[Dependency, ...] = ()
    hardware: tuple[Dependency, ...] = ()


@dataclass(frozen=True, slots=True)
class ItalianConformity:
    """`IT.conforme` (deprecated): declarations of conformity with Italian rules."""

    linee_guida_design: bool | None = None
    modello_interoperabilita: bool | None = None
    misure_minime_sicurezza: bool | None = None
    gdpr: bool | None = None


@dataclass(frozen=True, slots=True)
class ItalianPlatforms:
    """`IT.piattaforme`: which Italian national platforms the software integrates with."""

    spid: bool | None = None
    pagopa: bool | None = None
    cie: bool | None = None
    anpr: bool | None = None
    io: bool | None = None


@dataclass(frozen=True, slots=True)
class ItalianExtension:
    """The `IT` country section (also read from the deprecated lowercase `it`)."""

    country_extension_version: str | None = None
    conforme: ItalianConformity | None = None
    codice_ipa: str | None = None
    piattaforme: ItalianPlatforms | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    """A tool listing as publiccode.yml 0.x describes it; built only from a file without errors."""

    publiccode_yml_version: str
    name: str
    url: str
    platforms: tuple[str, ...]
    development_status: DevelopmentStatus
    software_type: SoftwareType
    descriptions: tuple[Description, ...]
    legal: Legal
    maintenance: Maintenance
    localisation: Localisation
    application_suite: str | None = None
    landing_url: str | None = None
    is_based_on: tuple[str, ...] = ()
    software_version: str | None = None
    release_date: datetime.date | None = None
    logo: str | None = None
    monochrome_logo: str | None = None
    organisation: Organisation | None = None
    input_types: tuple[str, ...] = ()
    output_types: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    used_by: tuple[str, ...] = ()
    funded_by: tuple[Organisation, ...] = ()
    roadmap: str | None = None
    intended_audience: IntendedAudience | None = None
    depends_on: DependsOn | None = None
    supports: tuple[str, ...] = ()
    it: ItalianExtension | None = None

    def description(self, language: str) -> Description | None:
        """The texts for exactly this language tag, compared without regard to case."""
        wanted = language.lower()
        return next((d for d in self.descriptions if d.language.lower() == wanted), None)
