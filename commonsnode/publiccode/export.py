"""publiccode.yml export: a Listing record → publiccode.yml text that imports back unchanged.

Keys come out in the standard's order, absent values are left out, multi-line texts are written
as literal blocks, and any text a YAML reader could take for something else (`yes`, `1.0`,
`2017-04-15`, `1e3`) is quoted, so the file reads the same under YAML 1.1 and 1.2.
"""

from __future__ import annotations

from typing import Any

import yaml

from commonsnode.publiccode.listing import (
    Contact,
    Contractor,
    Dependency,
    Description,
    ItalianExtension,
    Listing,
    Organisation,
)
from commonsnode.publiccode.yaml_source import YAML11_BOOLEANS, plain_kind

Document = dict[str, Any]


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, with texts quoted by YAML 1.2 rules as well as 1.1 ones."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indents list entries under their key, as the standard's examples do."""
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = None
    if "\n" in text:
        style = "|"
    elif plain_kind(text) != "str" or text in YAML11_BOOLEANS:
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def _compact(document: Document) -> Document:
    """Drops the keys that say nothing: None, and empty lists or maps."""
    return {key: value for key, value in document.items() if value not in (None, [], {})}


def _organisation(organisation: Organisation) -> Document:
    return _compact({"name": organisation.name, "uri": organisation.uri})


def _description(description: Description) -> Document:
    return _compact(
        {
            "localisedName": description.localised_name,
            "genericName": description.generic_name,
            "shortDescription": description.short_description,
            "longDescription": description.long_description,
            "documentation": description.documentation,
            "apiDocumentation": description.api_documentation,
            "features": list(description.features),
            "screenshots": list(description.screenshots),
            "videos": list(description.videos),
            "awards": list(description.awards),
        }
    )


def _contractor(contractor: Contractor) -> Document:
    return _compact(
        {
            "name": contractor.name,
            "until": contractor.until.isoformat(),
            "email": contractor.email,
            "website": contractor.website,
        }
    )


def _contact(contact: Contact) -> Document:
    return _compact(
        {
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
            "affiliation": contact.affiliation,
        }
    )


def _dependency(dependency: Dependency) -> Document:
    return _compact(
        {
            "name": dependency.name,
            "versionMin": dependency.version_min,
            "versionMax": dependency.version_max,
            "version": dependency.version,
            "optional": dependency.optional,
        }
    )


def _italy(extension: ItalianExtension) -> Document:
    conforme = extension.conforme
    platforms = extension.piattaforme
    return _compact(
        {
            "countryExtensionVersion": extension.country_extension_version,
            "conforme": None
            if conforme is None
            else _compact(
                {
                    "lineeGuidaDesign": conforme.linee_guida_design,
                    "modelloInteroperabilita": conforme.modello_interoperabilita,
                    "misureMinimeSicurezza": conforme.misure_minime_sicurezza,
                    "gdpr": conforme.gdpr,
                }
            ),
            "riuso": None if extension.codice_ipa is None else {"codiceIPA": extension.codice_ipa},
            "piattaforme": None
            if platforms is None
            else _compact(
                {
                    "spid": platforms.spid,
                    "pagopa": platforms.pagopa,
                    "cie": platforms.cie,
                    "anpr": platforms.anpr,
                    "io": platforms.io,
                }
            ),
        }
    )


def _document(listing: Listing) -> Document:
    audience = listing.intended_audience
    depends_on = listing.depends_on
    maintenance = listing.maintenance
    return _compact(
        {
            "publiccodeYmlVersion": listing.publiccode_yml_version,
            "name": listing.name,
            "applicationSuite": listing.application_suite,
            "url": listing.url,
            "landingURL": listing.landing_url,
            "isBasedOn": list(listing.is_based_on),
            "softwareVersion": listing.software_version,
            "releaseDate": None
            if listing.release_date is None
            else listing.release_date.isoformat(),
            "logo": listing.logo,
            "monochromeLogo": listing.monochrome_logo,
            "organisation": None
            if listing.organisation is None
            else _organisation(listing.organisation),
            "inputTypes": list(listing.input_types),
            "outputTypes": list(listing.output_types),
            "platforms": list(listing.platforms),
            "categories": list(listing.categories),
            "usedBy": list(listing.used_by),
            "fundedBy": [_organisation(funder) for funder in listing.funded_by],
            "roadmap": listing.roadmap,
            "developmentStatus": listing.development_status,
            "softwareType": listing.software_type,
            "intendedAudience": None
            if audience is None
            else _compact(
                {
                    "scope": list(audience.scope),
                    "countries": list(audience.countries),
                    "unsupportedCountries": list(audience.unsupported_countries),
                }
            ),
            "supports": [{"id": ident} for ident in listing.supports],
            "description": {d.language: _description(d) for d in listing.descriptions},
            "legal": _compact(
                {
                    "license": listing.legal.license,
                    "mainCopyrightOwner": listing.legal.main_copyright_owner,
                    "repoOwner": listing.legal.repo_owner,
                    "authorsFile": listing.legal.authors_file,
                }
            ),
            "maintenance": _compact(
                {
                    "type": maintenance.type,
                    "contractors": [_contractor(c) for c in maintenance.contractors],
                    "contacts": [_contact(c) for c in maintenance.contacts],
                }
            ),
            "localisation": {
                "localisationReady": listing.localisation.localisation_ready,
                "availableLanguages": list(listing.localisation.available_languages),
            },
            "dependsOn": None
            if depends_on is None
            else _compact(
                {
                    "open": [_dependency(d) for d in depends_on.open],
                    "proprietary": [_dependency(d) for d in depends_on.proprietary],
                    "hardware": [_dependency(d) for d in depends_on.hardware],
                }
            ),
            "IT": None if listing.it is None else _italy(listing.it),
        }
    )


def export_publiccode(listing: Listing) -> str:
    """The listing as publiccode.yml text (the `IT` section always in its uppercase spelling)."""
    text = yaml.dump(
        _document(listing),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return str(text)
