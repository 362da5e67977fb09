"""export_publiccode: a Listing → publiccode.yml text that reads back as the same record."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
import yaml

from commonsnode.publiccode import (
    Contact,
    Contractor,
    Dependency,
    DependsOn,
    Description,
    IntendedAudience,
    ItalianExtension,
    ItalianPlatforms,
    Legal,
    Listing,
    Localisation,
    Maintenance,
    Organisation,
    export_publiccode,
    parse_publiccode,
)

LONG = "Line one of a long description, which goes on and on for a while.\n" * 4

LISTING = Listing(
    publiccode_yml_version="0.7",
    name="Medusa",
    url="https://example.org/medusa.git",
    platforms=("web", "linux"),
    development_status="beta",
    software_type="standalone/web",
    descriptions=(
        Description(
            language="en",
            short_description="Books rooms.",
            long_description=LONG,
            features=("yes", "1.0", "2017-04-15", "1e3", "0o17", "null", "- dash", "a: b"),
            generic_name="Booking",
            videos=("https://www.youtube.com/watch?v=x",),
        ),
        Description(
            language="it-IT",
            short_description="Prenota sale: «facile»",
            long_description=LONG.rstrip("\n"),
            features=("Prenotazione",),
        ),
    ),
    legal=Legal(license="EUPL-1.2 OR MIT", main_copyright_owner="Città di Torino"),
    maintenance=Maintenance(
        type="contract",
        contractors=(Contractor(name="ACME", until=datetime.date(2030, 1, 31)),),
        contacts=(Contact(name="Ada", phone="+391624231322"),),
    ),
    localisation=Localisation(localisation_ready=False, available_languages=("en", "it")),
    software_version="1.0",
    release_date=datetime.date(2024, 2, 29),
    organisation=Organisation(uri="urn:x-italian-pa:pcm", name="PCM"),
    funded_by=(Organisation(uri="https://example.org/funder"),),
    intended_audience=IntendedAudience(countries=("IT",), scope=("education",)),
    depends_on=DependsOn(open=(Dependency(name="PostgreSQL", version_min="14", optional=False),)),
    supports=("alias:gdpr",),
    it=ItalianExtension(country_extension_version="1.0", piattaforme=ItalianPlatforms(spid=True)),
)


def test_a_built_listing_round_trips() -> None:
    text = export_publiccode(LISTING)
    result = parse_publiccode(text)
    assert result.errors == ()
    assert [f.key for f in result.warnings] == ["description.en.genericName"]  # deprecated
    assert result.listing == LISTING


def test_texts_that_look_like_other_types_are_quoted() -> None:
    text = export_publiccode(LISTING)
    for literal in ('"yes"', '"1.0"', '"1e3"', '"0o17"', '"null"'):
        assert literal in text
    assert yaml.safe_load(text)["description"]["en"]["features"][0] == "yes"


def test_multi_line_texts_are_literal_blocks() -> None:
    text = export_publiccode(LISTING)
    assert "longDescription: |\n" in text
    assert "longDescription: |-\n" in text


def test_keys_come_in_the_standard_order() -> None:
    document = yaml.safe_load(export_publiccode(LISTING))
    order = list(document)
    assert order[:3] == ["publiccodeYmlVersion", "name", "url"]
    assert order.index("platforms") < order.index("description") < order.index("legal")
    assert order[-1] == "IT"


def test_absent_values_are_left_out() -> None:
    document = yaml.safe_load(export_publiccode(LISTING))
    assert "logo" not in document
    assert "categories" not in document
    assert "localisedName" not in document["description"]["en"]
    assert document["localisation"]["localisationReady"] is False


@pytest.mark.parametrize("section", ["it", "IT"])
def test_the_italian_section_is_written_uppercase(section: str) -> None:
    base = export_publiccode(LISTING).replace("IT:\n", f"{section}:\n")
    listing = parse_publiccode(base).listing
    assert listing is not None
    assert "\nIT:\n" in export_publiccode(listing)
    assert "\nit:\n" not in export_publiccode(listing)


PAD = "x" * 160


@pytest.mark.parametrize(
    "text",
    [
        "two spaces at the end  \n" + PAD,
        "\ttab first\n" + PAD,
        PAD + "\n\n\n",
        " leading space\n" + PAD,
        "#not a comment\n" + PAD,
        "key: value\n" + PAD,
        PAD + "\x07bell",
        PAD + "\u2028line separator",
        PAD + "\r\nwindows",
        "'quoted'\n" + PAD,
        PAD + "\n  indented\nback",
    ],
)
def test_awkward_texts_round_trip(text: str) -> None:
    description = dataclasses.replace(LISTING.descriptions[0], long_description=text)
    listing = dataclasses.replace(LISTING, descriptions=(description,))
    assert parse_publiccode(export_publiccode(listing)).listing == listing
