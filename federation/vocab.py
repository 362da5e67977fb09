"""The IRIs and JSON-LD terms every document we send or read is written in."""

from __future__ import annotations

from typing import Any, Final

# --- ActivityStreams 2.0 -------------------------------------------------------------------
AS_CONTEXT: Final = "https://www.w3.org/ns/activitystreams"
AS_NS: Final = "https://www.w3.org/ns/activitystreams#"
AS_PUBLIC: Final = AS_NS + "Public"
LDP_NS: Final = "http://www.w3.org/ns/ldp#"
XSD_NS: Final = "http://www.w3.org/2001/XMLSchema#"
VCARD_NS: Final = "http://www.w3.org/2006/vcard/ns#"

# --- Security vocabularies (signatures, keys, proofs) --------------------------------------
SECURITY_V1: Final = "https://w3id.org/security/v1"
SEC_NS: Final = "https://w3id.org/security#"
DATA_INTEGRITY_V1: Final = "https://w3id.org/security/data-integrity/v1"
DATA_INTEGRITY_V2: Final = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1: Final = "https://w3id.org/security/multikey/v1"
DID_V1: Final = "https://www.w3.org/ns/did/v1"
CID_V1: Final = "https://www.w3.org/ns/cid/v1"
IDENTITY_V1: Final = "https://w3id.org/identity/v1"

# --- Contexts and namespaces of the software we federate with ------------------------------
GOTOSOCIAL_CONTEXT: Final = "https://gotosocial.org/ns"
GTS_NS: Final = "https://gotosocial.org/ns#"
WEBFINGER_CONTEXT: Final = "https://purl.archive.org/socialweb/webfinger"
WF_NS: Final = "https://purl.archive.org/socialweb/webfinger#"
TOOT_NS: Final = "http://joinmastodon.org/ns#"
SCHEMA_NS: Final = "http://schema.org#"  # Mastodon's spelling; "http://schema.org/#" is equal
OSTATUS_NS: Final = "http://ostatus.org#"
LITEPUB_NS: Final = "http://litepub.social/ns#"
MISSKEY_NS: Final = "https://misskey-hub.net/ns#"
FEDIBIRD_NS: Final = "http://fedibird.com/ns#"
FEP_044F_NS: Final = "https://w3id.org/fep/044f#"  # quote posts

# --- Ours: one namespace, independent of any node's host -----------------------------------
COMMONS_PREFIX: Final = "commons"
COMMONS_NS: Final = "https://w3id.org/commonsnode#"
COMMONS_CONTEXT: Final = "https://w3id.org/commonsnode"  # served offline by our loader

Term = str | dict[str, str]


def _term(
    iri: str, *, ref: bool = False, container: str | None = None, datatype: str | None = None
) -> Term:
    """One term definition; `ref` marks values that are IRIs, so compaction keeps them as ids."""
    if not (ref or container or datatype):
        return iri
    definition = {"@id": iri}
    if ref:
        definition["@type"] = "@id"
    elif datatype:
        definition["@type"] = datatype
    if container:
        definition["@container"] = container
    return definition


def _commons(
    local: str, *, ref: bool = False, container: str | None = None, datatype: str | None = None
) -> Term:
    return _term(f"{COMMONS_PREFIX}:{local}", ref=ref, container=container, datatype=datatype)


_SET, _LIST = "@set", "@list"

# Our structured extension (vocabulary.md). Field names follow publiccode.yml, schema.org and
# OCDS; add a term here and every document we send and read learns it.
COMMONS_TERMS: Final[dict[str, Term]] = {
    COMMONS_PREFIX: COMMONS_NS,
    # classes
    "Request": _commons("Request"),
    "Bid": _commons("Bid"),
    "Contract": _commons("Contract"),
    "Payment": _commons("Payment"),
    "Milestone": _commons("Milestone"),
    "Score": _commons("Score"),
    "RubricAnswer": _commons("RubricAnswer"),
    "Criterion": _commons("Criterion"),
    "MonetaryAmount": _commons("MonetaryAmount"),
    # actors, requests: what sort of thing within its AS2 type (government, commission, …)
    "kind": _commons("kind"),
    # tool listings (publiccode.yml 0.7)
    "repository": _commons("repository", ref=True),
    "publiccodeUrl": _commons("publiccodeUrl", ref=True),
    "landingUrl": _commons("landingUrl", ref=True),
    "license": _commons("license"),
    "developmentStatus": _commons("developmentStatus"),
    "softwareType": _commons("softwareType"),
    "softwareVersion": _commons("softwareVersion"),
    "releaseDate": _commons("releaseDate", datatype="xsd:date"),
    "platforms": _commons("platforms", container=_SET),
    "availableLanguages": _commons("availableLanguages", container=_SET),
    "categories": _commons("categories", container=_SET),
    "maintenanceType": _commons("maintenanceType"),
    "maintenanceContractors": _commons("maintenanceContractors", container=_SET),
    "intendedAudience": _commons("intendedAudience"),
    "countries": _commons("countries", container=_SET),
    "usedBy": _commons("usedBy", container=_SET),
    "fundedBy": _commons("fundedBy", container=_SET),
    "builtBy": _commons("builtBy", container=_SET),
    # deployments ("we use this") and support offers, each a Note replying to the listing
    "deploymentOf": _commons("deploymentOf", ref=True),
    "since": _commons("since"),  # YYYY, YYYY-MM or YYYY-MM-DD
    "purpose": _commons("purpose"),
    "scale": _commons("scale"),
    "notes": _commons("notes"),
    "supportOf": _commons("supportOf", ref=True),
    "services": _commons("services", container=_SET),
    "areaServed": _commons("areaServed", container=_SET),
    "serviceLanguages": _commons("serviceLanguages", container=_SET),
    "contactUrl": _commons("contactUrl", ref=True),
    "priceHint": _commons("priceHint"),
    # ratings (schema.org Review / Rating)
    "scores": _commons("scores", container=_SET),
    "criterion": _commons("criterion"),
    "ratingValue": _commons("ratingValue", datatype="xsd:decimal"),
    "bestRating": _commons("bestRating", datatype="xsd:decimal"),
    "worstRating": _commons("worstRating", datatype="xsd:decimal"),
    "grade": _commons("grade"),
    "rubric": _commons("rubric", container=_SET),
    "question": _commons("question"),
    "answer": _commons("answer"),
    "evidence": _commons("evidence", ref=True, container=_SET),
    # experience reports
    "cost": _commons("cost"),
    "effort": _commons("effort"),
    "hosting": _commons("hosting"),
    "outcome": _commons("outcome"),
    "wouldRecommend": _commons("wouldRecommend", datatype="xsd:boolean"),
    "organisationKind": _commons("organisationKind"),
    "organisationSize": _commons("organisationSize"),
    "country": _commons("country"),  # ISO 3166-1 alpha-2
    "startDate": _commons("startDate", datatype="xsd:date"),
    "lessons": _commons("lessons"),
    "oneTime": _commons("oneTime"),  # cost: {oneTime, yearly}, each {amount, currency}
    "yearly": _commons("yearly"),
    # ideas
    "status": _commons("status"),
    "related": _commons("related", ref=True, container=_SET),
    # requests, bids, contracts, payments (OCDS 1.1)
    "scope": _commons("scope"),
    "budget": _commons("budget"),
    "deadline": _commons("deadline", datatype="xsd:dateTime"),
    "criteria": _commons("criteria", container=_LIST),
    "weight": _commons("weight", datatype="xsd:decimal"),
    "price": _commons("price"),
    "amount": _commons("amount", datatype="xsd:integer"),  # minor units
    "currency": _commons("currency"),  # ISO 4217
    "milestones": _commons("milestones", container=_LIST),
    "dueDate": _commons("dueDate", datatype="xsd:date"),
    "team": _commons("team", container=_SET),
    "parties": _commons("parties", ref=True, container=_SET),
    "paymentSchedule": _commons("paymentSchedule", container=_LIST),
    "platformFee": _commons("platformFee"),
    "contract": _commons("contract", ref=True),
    "milestone": _commons("milestone", ref=True),
    "paymentDate": _commons("paymentDate", datatype="xsd:date"),
    "reference": _commons("reference"),
}

# Mastodon's terms we emit (its ContextHelper spells them the same way).
MASTODON_TERMS: Final[dict[str, Term]] = {
    "toot": TOOT_NS,
    "schema": SCHEMA_NS,
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "movedTo": _term("as:movedTo", ref=True),
    "alsoKnownAs": _term("as:alsoKnownAs", ref=True),
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
}

# Terms other software sends that we recognise but never emit: a peer may not give them
# another meaning without its document going through compaction. GoToSocial's interaction
# policy and FEP-044f quote terms come with its context, part of READ_CONTEXT.
RECOGNISED_TERMS: Final[dict[str, Term]] = {
    "ostatus": OSTATUS_NS,
    "misskey": MISSKEY_NS,
    "fedibird": FEDIBIRD_NS,
    "featured": _term("toot:featured", ref=True),
    "featuredTags": _term("toot:featuredTags", ref=True),
    "suspended": "toot:suspended",
    "memorial": "toot:memorial",
    "attributionDomains": _term("toot:attributionDomains", ref=True),
    "Emoji": "toot:Emoji",
    "focalPoint": _term("toot:focalPoint", container=_LIST),
    "blurhash": "toot:blurhash",
    "votersCount": "toot:votersCount",
    "atomUri": "ostatus:atomUri",
    "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
    "conversation": "ostatus:conversation",
    "quote": _term(FEP_044F_NS + "quote", ref=True),
    "quoteUri": "fedibird:quoteUri",
    "quoteUrl": "as:quoteUrl",
    "_misskey_quote": "misskey:_misskey_quote",
    "webfinger": _term(WF_NS + "webfinger", datatype="xsd:string"),
    "assertionMethod": _term("sec:assertionMethod", ref=True, container=_SET),
}

# Every document we send: AS2, security v1 (Fedify rejects signatures from actors without
# it), then our terms inline so no remote context is ever needed to read us.
DEFAULT_CONTEXT: Final[list[Any]] = [
    AS_CONTEXT,
    SECURITY_V1,
    {**MASTODON_TERMS, **COMMONS_TERMS},
]

# What callers read: a compacted document uses these names, the same ones the fast path
# hands over untouched. Data Integrity and Multikey keep FEP-8b32 proofs and FEP-521a keys
# readable by their usual names, GoToSocial's context its interaction controls.
READ_CONTEXT: Final[list[Any]] = [
    AS_CONTEXT,
    SECURITY_V1,
    DATA_INTEGRITY_V1,
    MULTIKEY_V1,
    GOTOSOCIAL_CONTEXT,
    {**MASTODON_TERMS, **RECOGNISED_TERMS, **COMMONS_TERMS},
]

# Namespaces whose terms a peer may define inline without sending its document through
# compaction; anything else is an "unusual prefix".
KNOWN_NAMESPACES: Final[tuple[str, ...]] = (
    AS_NS,
    SEC_NS,
    LDP_NS,
    XSD_NS,
    VCARD_NS,
    TOOT_NS,
    SCHEMA_NS,
    OSTATUS_NS,
    LITEPUB_NS,
    GTS_NS,
    MISSKEY_NS,
    FEDIBIRD_NS,
    FEP_044F_NS,
    WF_NS,
    COMMONS_NS,
)

# Spellings peers use for the same namespace; compared after rewriting to the first form.
NAMESPACE_VARIANTS: Final[dict[str, str]] = {
    "http://schema.org/#": SCHEMA_NS,
    "http://schema.org/": SCHEMA_NS,
    "https://schema.org/": SCHEMA_NS,
    "https://schema.org#": SCHEMA_NS,
    "http://www.w3.org/ns/activitystreams#": AS_NS,
}
