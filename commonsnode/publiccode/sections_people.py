"""publiccode.yml import, field checks: who stands behind the software (legal, maintenance,
organisation, fundedBy), and the rules tying the maintenance type to contractors and contacts."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import cast

from commonsnode.publiccode.findings import Location
from commonsnode.publiccode.formats import (
    email_problem,
    http_url_problem,
    ipa_code_problem,
    license_problem,
    parse_date,
    path_or_url_problem,
    uri_problem,
)
from commonsnode.publiccode.listing import (
    Contact,
    Contractor,
    Legal,
    Maintenance,
    MaintenanceType,
    Organisation,
)
from commonsnode.publiccode.reader import Fields, Reader, is_null
from commonsnode.publiccode.sections_text import fields_or_empty
from commonsnode.publiccode.vocabulary import MAINTENANCE_TYPES
from commonsnode.publiccode.yaml_source import Node

LEGAL_KEYS = ("license", "mainCopyrightOwner", "repoOwner", "authorsFile")
MAINTENANCE_KEYS = ("type", "contractors", "contacts")
CONTRACTOR_KEYS = ("name", "until", "email", "website")
CONTACT_KEYS = ("name", "email", "phone", "affiliation")
ORGANISATION_KEYS = ("name", "uri")
ITALIAN_PA_URN = "urn:x-italian-pa:"


def read_legal(reader: Reader, node: Node | None, where: Location) -> Legal | None:
    fields = fields_or_empty(reader, node, "legal", where, LEGAL_KEYS)
    if fields is None:
        return None
    license_ = fields.text("license", required="the `license`, an SPDX expression")
    if license_:
        problem = license_problem(license_)
        if problem is not None:
            fields.error("license", problem)
            license_ = None
    repo_owner = fields.text("repoOwner")
    if repo_owner is not None:
        fields.warning("repoOwner", "`repoOwner` is deprecated; use `organisation.name`.")
    authors_file = fields.text("authorsFile")
    if authors_file is not None:
        fields.warning("authorsFile", "`authorsFile` is deprecated; it can simply be removed.")
        problem = path_or_url_problem(authors_file)
        if problem is not None:
            fields.error("authorsFile", problem)
    if not license_:
        return None
    return Legal(
        license=license_,
        main_copyright_owner=fields.text("mainCopyrightOwner"),
        repo_owner=repo_owner,
        authors_file=authors_file,
    )


def read_maintenance(reader: Reader, node: Node | None, where: Location) -> Maintenance | None:
    """`contract` needs contractors and allows nothing else to have them; `internal` and
    `community` need contacts; contacts are welcome with any type."""
    fields = fields_or_empty(reader, node, "maintenance", where, MAINTENANCE_KEYS)
    if fields is None:
        return None
    kind = fields.text("type", required="the maintenance `type`")
    if kind and kind not in MAINTENANCE_TYPES:
        fields.error("type", f"`{kind}` is not a maintenance type; use {_choices()}.")
        kind = None
    contractors = _contractors(reader, fields, kind)
    contacts = reader.records(
        fields.node("contacts"), fields.child("contacts"), partial(_read_contact, reader)
    )
    if contacts == () and kind in ("internal", "community"):
        reader.missing(
            fields.child("contacts"),
            fields.key_where("type"),
            f"at least one person in `contacts` when the type is {kind}",
        )
        contacts = None
    if kind is None or contractors is None or contacts is None:
        return None
    return Maintenance(cast(MaintenanceType, kind), contractors, contacts)


def _choices() -> str:
    return ", ".join(MAINTENANCE_TYPES)


def _contractors(reader: Reader, fields: Fields, kind: str | None) -> tuple[Contractor, ...] | None:
    node = fields.node("contractors")
    if not is_null(node) and kind is not None and kind != "contract":
        fields.error(
            "contractors",
            "`contractors` belong only to the maintenance type contract; remove them or "
            "change the type.",
        )
        return None
    contractors = reader.records(
        node, fields.child("contractors"), partial(_read_contractor, reader)
    )
    if kind == "contract" and contractors == ():
        reader.missing(
            fields.child("contractors"),
            fields.key_where("type"),
            "at least one entry in `contractors` when the type is contract",
        )
        return None
    return contractors


def _read_contractor(reader: Reader, node: Node, path: str) -> Contractor | None:
    fields = reader.fields(node, path, node.where, CONTRACTOR_KEYS)
    if fields is None:
        return None
    name = fields.text("name", required="the contractor's `name`")
    until_text = fields.text("until", required="`until`, the date the contract ends")
    until = parse_date(until_text) if until_text else None
    if until_text and until is None:
        fields.error("until", f"`{until_text}` is not a date written as YYYY-MM-DD.")
    email = _checked(fields, "email", email_problem)
    website = _checked(fields, "website", http_url_problem)
    if not name or until is None:
        return None
    return Contractor(name=name, until=until, email=email, website=website)


def _read_contact(reader: Reader, node: Node, path: str) -> Contact | None:
    fields = reader.fields(node, path, node.where, CONTACT_KEYS)
    if fields is None:
        return None
    name = fields.text("name", required="the contact's `name`")
    email = _checked(fields, "email", email_problem)
    if not name:
        return None
    return Contact(
        name=name,
        email=email,
        phone=fields.text("phone"),
        affiliation=fields.text("affiliation"),
    )


def _checked(fields: Fields, name: str, check: Callable[[str], str | None]) -> str | None:
    value = fields.text(name)
    if value is not None:
        problem = check(value)
        if problem is not None:
            fields.error(name, problem)
    return value


def read_organisation(reader: Reader, node: Node, path: str) -> Organisation | None:
    """An organisation is identified by its URI; an Italian administration by its IPA code."""
    fields = reader.fields(node, path, node.where, ORGANISATION_KEYS)
    if fields is None:
        return None
    uri = fields.text("uri", required="the organisation's `uri` (a URL or a URN)")
    if uri:
        problem = uri_problem(uri)
        if problem is None and uri.startswith(ITALIAN_PA_URN):
            problem = ipa_code_problem(uri.removeprefix(ITALIAN_PA_URN), reader.ipa_registry)
        if problem is not None:
            fields.error("uri", problem)
            uri = None
    if not uri:
        return None
    return Organisation(uri=uri, name=fields.text("name"))
