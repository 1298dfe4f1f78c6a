"""did:web URLs (did:web spec §3.2 examples) and CID 1.0 §3.3 "Retrieve Verification Method" rules."""

from __future__ import annotations

from typing import Any

import pytest

from vc.errors import KeyResolutionError
from vc.keys import KeyType, PrivateKey
from verification.resolvers import (
    ControllerDocumentResolver,
    DidWebResolver,
    did_web_url,
    verification_method_in,
)

KEY = PrivateKey.generate(KeyType.ED25519).public_key
DID = "did:web:issuer.example"


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:passport.test:issuers:ab12", "https://passport.test/issuers/ab12/did.json"),
    ],
)
def test_did_web_url(did: str, url: str) -> None:
    assert did_web_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:web:example.com/evil",
        "did:web:user@example.com",
        "did:web:example.com?x=1",
        "did:web:example.com::path",
        "did:web:-example.com",
        "did:web:example.com%2Fpath",
        "did:key:z6Mk",
    ],
)
def test_malformed_did_web_is_refused(did: str) -> None:
    with pytest.raises(KeyResolutionError, match="malformed did:web"):
        did_web_url(did)


def document(**changes: Any) -> dict[str, Any]:
    method = {"id": "#key-1", "type": "Multikey", "controller": DID, "publicKeyMultibase": KEY.to_multibase()}
    base: dict[str, Any] = {"id": DID, "verificationMethod": [method], "assertionMethod": ["#key-1"]}
    base.update(changes)
    return base


def test_relative_and_absolute_ids_are_the_same_key() -> None:
    method = verification_method_in(document(), DID, f"{DID}#key-1")
    assert method.id == f"{DID}#key-1"
    assert method.controller == DID
    assert method.public_key == KEY
    absolute = document(assertionMethod=[f"{DID}#key-1"])
    assert verification_method_in(absolute, DID, f"{DID}#key-1").public_key == KEY


def test_method_embedded_in_the_relationship() -> None:
    embedded = {
        "id": f"{DID}#key-2",
        "type": "Multikey",
        "controller": DID,
        "publicKeyMultibase": KEY.to_multibase(),
    }
    method = verification_method_in(document(assertionMethod=[embedded]), DID, f"{DID}#key-2")
    assert method.public_key == KEY


def test_jwk_methods_resolve() -> None:
    rsa = PrivateKey.generate(KeyType.RSA).public_key
    method = {"id": "#rsa", "type": "JsonWebKey", "controller": DID, "publicKeyJwk": rsa.to_jwk()}
    found = verification_method_in(
        document(verificationMethod=[method], assertionMethod=["#rsa"]), DID, f"{DID}#rsa"
    )
    assert found.public_key == rsa


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (document(id="did:web:other.example"), "is about"),
        (document(assertionMethod=[]), "not listed under assertionMethod"),
        (document(verificationMethod=[]), "not in its controller's document"),
        (document(assertionMethod=["#key-1", {"id": "#key-1"}]), "more than once"),
        (["not", "an", "object"], "not a JSON object"),
    ],
)
def test_cid_retrieval_rules(doc: Any, message: str) -> None:
    with pytest.raises(KeyResolutionError, match=message):
        verification_method_in(doc, DID, f"{DID}#key-1")


def test_a_document_cannot_lend_a_key_to_another_controller() -> None:
    lent = document()
    lent["verificationMethod"][0]["controller"] = "did:web:victim.example"
    with pytest.raises(KeyResolutionError, match=r"controlled by did:web:victim\.example"):
        verification_method_in(lent, DID, f"{DID}#key-1")


def test_purpose_selects_the_relationship() -> None:
    auth_only = document(assertionMethod=None, authentication=["#key-1"])
    assert verification_method_in(auth_only, DID, f"{DID}#key-1", "authentication").public_key == KEY
    with pytest.raises(KeyResolutionError, match="assertionMethod"):
        verification_method_in(auth_only, DID, f"{DID}#key-1", "assertionMethod")


def test_resolvers_fetch_the_document_url_and_need_a_fragment() -> None:
    fetched: list[str] = []

    def fetch(url: str) -> Any:
        fetched.append(url)
        controller = url.removesuffix("/.well-known/did.json").replace("https://", "did:web:")
        return document(id=controller if url.endswith("did.json") else url)

    assert DidWebResolver(fetch).resolve(f"{DID}#key-1").public_key == KEY
    https = "https://issuer.example/keys"
    cid = document(id=https)
    cid["verificationMethod"][0]["controller"] = https
    assert ControllerDocumentResolver(lambda url: cid).resolve(f"{https}#key-1").controller == https
    assert fetched == ["https://issuer.example/.well-known/did.json"]
    with pytest.raises(KeyResolutionError, match="names no key"):
        DidWebResolver(fetch).resolve(DID)
    with pytest.raises(KeyResolutionError, match="names no key"):
        ControllerDocumentResolver(fetch).resolve(https)
