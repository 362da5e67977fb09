"""The offline loader serves exactly the bundled contexts, byte-pinned, in a cacheable shape."""

from __future__ import annotations

import hashlib
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from federation import vocab
from federation.jsonld import KNOWN_CONTEXTS, JsonLdRejected, UnknownContext, load_document
from federation.jsonld.loader import canonical_url, context_document, term_iris

ROOT = Path(__file__).resolve().parents[4]

# SHA-256 of each bundled file, as copied from its package (contexts/README.md): a change to
# one of these must be a deliberate re-copy, never an edit.
PINNED = {
    "activitystreams.json": "a27b78b82f4980963127140d0cb74f0e8f21c0e2b8efd0368232bf9823edff5a",
    "cid-v1.json": "61dc4b1cf0b1a3bb24c32d0b46ceca5a13649ff858296300d64f9cd3c9fe2873",
    "data-integrity-v1.json": "b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554",
    "data-integrity-v2.json": "0f77743daf5b4e8fc067fc5ba5b21044283053aa717fc6b0219843bed3b00363",
    "did-v1.json": "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f",
    "gotosocial.json": "dc20cccee7cd25dff137df7d05982376df2a7ad747a0798501d40c99a6558dd9",
    "identity-v1.json": "2fb220687d1c092a957b53f7bb33743df609afda72961924a7efd16ca55e1a96",
    "multikey-v1.json": "c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6",
    "security-v1.json": "abaf97e107d1925503c433dcaf3ffd2831697cacc1ed2a293e1bc8030d5bcb47",
    "webfinger.json": "f6a87d126b583f4305b1661a6e488cb56c17940673a4c608d2b07a8a67409b9f",
}

REQUIRED = [
    "https://www.w3.org/ns/activitystreams",
    "https://www.w3.org/ns/activitystreams.jsonld",
    "http://www.w3.org/ns/activitystreams",
    "http://www.w3.org/ns/activitystreams.jsonld",
    "https://w3id.org/security/v1",
    "https://w3id.org/security/data-integrity/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    vocab.COMMONS_CONTEXT,
]


def _contexts_dir() -> Any:
    return resources.files("federation.jsonld.contexts")


def test_every_bundled_file_is_the_pinned_copy() -> None:
    shipped = {p.name for p in _contexts_dir().iterdir() if p.name.endswith(".json")}
    assert shipped == set(PINNED)
    for name, digest in PINNED.items():
        data = _contexts_dir().joinpath(name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name


def test_the_readme_names_a_source_for_every_file() -> None:
    readme = (ROOT / "federation/jsonld/contexts/README.md").read_text("utf-8")
    for name in PINNED:
        assert f"`{name}`" in readme


def test_contexts_ship_as_package_data() -> None:
    """contexts/ is a package, and pyproject ships *.json of every package."""
    assert _contexts_dir().joinpath("__init__.py").is_file()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "*.json" in pyproject["tool"]["setuptools"]["package-data"]["*"]
    assert any(
        p.startswith("federation")
        for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    )


@pytest.mark.parametrize("url", REQUIRED)
def test_known_urls_load_in_the_shape_pyld_caches(url: str) -> None:
    remote = load_document(url, {})
    assert remote["contextUrl"] is None
    assert remote["documentUrl"] == url
    assert remote["tag"] == "static"
    assert isinstance(remote["document"]["@context"], dict | list)
    assert url in KNOWN_CONTEXTS


def test_aliases_serve_the_same_document() -> None:
    assert canonical_url("http://www.w3.org/ns/activitystreams") == vocab.AS_CONTEXT
    assert context_document("https://www.w3.org/ns/activitystreams.jsonld") == context_document(
        vocab.AS_CONTEXT
    )


def test_our_terms_are_served_from_vocab() -> None:
    assert context_document(vocab.COMMONS_CONTEXT) == {"@context": vocab.COMMONS_TERMS}


def test_each_load_is_a_private_copy() -> None:
    first = load_document(vocab.SECURITY_V1)["document"]
    first["@context"]["publicKey"] = "https://evil.example/#key"
    assert load_document(vocab.SECURITY_V1)["document"]["@context"]["publicKey"] != (
        "https://evil.example/#key"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/context.jsonld",
        "https://www.w3.org/ns/activitystreams/",  # near misses are not the same document
        "https://w3id.org/security/v2",
        "http://169.254.169.254/latest/meta-data/",
        "",
    ],
)
def test_unknown_urls_raise(url: str) -> None:
    with pytest.raises(UnknownContext) as refused:
        load_document(url, {})
    assert isinstance(refused.value, JsonLdRejected)
    assert refused.value.reason == "unknown-context"


def test_pyld_asks_the_loader_once_per_context_because_of_the_static_tag() -> None:
    calls: list[str] = []

    def counting(url: str, options: dict[str, Any]) -> dict[str, Any]:
        calls.append(url)
        return load_document(url, options)

    def untagged(url: str, options: dict[str, Any]) -> dict[str, Any]:
        calls.append(url)
        return {k: v for k, v in load_document(url, options).items() if k != "tag"}

    doc = {"@context": vocab.WEBFINGER_CONTEXT, "webfinger": "a@b.example"}
    jsonld._resolved_context_cache.clear()
    for _ in range(3):
        jsonld.expand(doc, {"documentLoader": untagged})
    assert calls.count(vocab.WEBFINGER_CONTEXT) == 3  # pyld does not cache untagged documents
    calls.clear()
    for _ in range(3):
        jsonld.expand(doc, {"documentLoader": counting})
    assert calls.count(vocab.WEBFINGER_CONTEXT) == 1


def test_importing_federation_jsonld_installs_the_offline_loader() -> None:
    assert jsonld.get_document_loader() is load_document


def test_term_iris_resolves_prefixes() -> None:
    terms, prefixes = term_iris(vocab.AS_CONTEXT)
    assert terms["actor"] == vocab.AS_NS + "actor"
    assert terms["inbox"] == "http://www.w3.org/ns/ldp#inbox"
    assert prefixes["as"] == vocab.AS_NS
    terms, _ = term_iris(vocab.SECURITY_V1)
    assert terms["publicKeyPem"] == vocab.SEC_NS + "publicKeyPem"
