"""Provider identity: did:web DIDs derived from the base URL, DID documents, OB 3.0 Profiles.

did:web method spec §3.2: ``did:web:<host>[%3A<port>]:<path segments>`` resolves to
``https://<host>[:<port>]/<path>/did.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from vc.did_key import VerificationMethod
from vc.keys import KeyType, PublicKey

from .models import Issuer

DID_CONTEXTS = [
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/multikey/v1",
    "https://w3id.org/security/jwk/v1",
]


class PublishedKey(Protocol):
    """A stored key whose public half is published: a provider's `IssuerKey`, the operator's `OperatorKey`."""

    @property
    def id(self) -> str: ...

    @property
    def public_jwk(self) -> dict[str, Any]: ...


def did_web(base_url: str, *path: str) -> str:
    """The did:web DID that resolves to ``<base_url>/<path>/did.json``."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.port:
        host += quote(f":{parts.port}", safe="")
    segments = [segment for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *[quote(s, safe="") for s in segments], *path])


def issuer_did(base_url: str, issuer_id: str) -> str:
    return did_web(base_url, "issuers", issuer_id)


def issuer_url(base_url: str, issuer_id: str) -> str:
    return f"{base_url}/issuers/{issuer_id}"


def verification_method_id(did: str, key: PublishedKey) -> str:
    return f"{did}#key-{key.id}"


def verification_method(did: str, key: PublishedKey) -> VerificationMethod:
    public = PublicKey.from_jwk(key.public_jwk)
    # Ed25519 keys are published as Multikey (eddsa-rdfc-2022); RSA and P-256 as JsonWebKey (VC-JWT).
    method_type = "Multikey" if public.key_type is KeyType.ED25519 else "JsonWebKey"
    return VerificationMethod(
        id=verification_method_id(did, key), type=method_type, controller=did, public_key=public
    )


def did_document(did: str, keys: Sequence[PublishedKey]) -> dict[str, Any]:
    """Every key, active and retired: what a retired key signed keeps verifying."""
    methods = [verification_method(did, key) for key in keys]
    ids = [method.id for method in methods]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": [method.to_json() for method in methods],
        "assertionMethod": ids,
        "authentication": ids,
    }


def profile(base_url: str, issuer: Issuer, did: str) -> dict[str, Any]:
    """The provider's OB 3.0 Profile (as embedded in its credentials' ``issuer``)."""
    data: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": did,
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
    }
    if issuer.description:
        data["description"] = issuer.description
    if issuer.contact_email:
        data["email"] = issuer.contact_email
    if issuer.logo_url:
        data["image"] = {"id": issuer.logo_url, "type": "Image", "caption": f"{issuer.name} logo"}
    return data
