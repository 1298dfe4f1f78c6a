"""The did:key method (W3C CCG did:key spec v0.7): a DID that is its own public key, resolved offline.

Only Ed25519 (``did:key:z6Mk…``) and P-256 (``did:key:zDn…``) keys are accepted; other key types the
method allows (RSA ``did:key:z4MX…``, secp256k1, …) are reported as not supported. The DID document is
built per §3.1.2 "Document Creation Algorithm" with a single ``Multikey`` verification method.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vc.errors import InvalidKeyError, KeyResolutionError, ParsingError, UnsupportedError
from vc.keys import KeyType, PublicKey

__all__ = [
    "DID_KEY_PREFIX",
    "VERIFICATION_METHOD_TYPES",
    "VerificationMethod",
    "did_key_document",
    "did_key_for",
    "did_key_verification_method_id",
    "resolve_did_key",
]

DID_KEY_PREFIX = "did:key:"
# An Ed25519 or P-256 did:key URL is under 120 characters; an RSA-4096 one, with its fragment, ~1,450: long
# enough to be read and reported as not supported rather than as malformed.
MAX_DID_URL_LENGTH = 2048
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"

_MULTIBASE_TYPES = frozenset({"Multikey", "Ed25519VerificationKey2020"})
_JWK_TYPES = frozenset({"JsonWebKey", "JsonWebKey2020"})
VERIFICATION_METHOD_TYPES = _MULTIBASE_TYPES | _JWK_TYPES
_RELATIONSHIPS = ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation")


@dataclass(frozen=True)
class VerificationMethod:
    """A resolved verification method (DID Core §5.2; Controlled Identifiers §2.2)."""

    id: str
    type: str
    controller: str
    public_key: PublicKey

    def __post_init__(self) -> None:
        if self.type not in VERIFICATION_METHOD_TYPES:
            raise UnsupportedError(f"unsupported verification method type {self.type!r}")
        if self.type in _MULTIBASE_TYPES and self.public_key.key_type is KeyType.RSA:
            raise UnsupportedError(f"an RSA key cannot be expressed as {self.type}; use JsonWebKey")
        if self.type == "Ed25519VerificationKey2020" and self.public_key.key_type is not KeyType.ED25519:
            raise InvalidKeyError("Ed25519VerificationKey2020 requires an Ed25519 key")

    def to_json(self) -> dict[str, Any]:
        """JSON form: ``publicKeyMultibase`` for Multikey-style types, ``publicKeyJwk`` for JWK types."""
        data: dict[str, Any] = {"id": self.id, "type": self.type, "controller": self.controller}
        if self.type in _MULTIBASE_TYPES:
            data["publicKeyMultibase"] = self.public_key.to_multibase()
        else:
            data["publicKeyJwk"] = self.public_key.to_jwk()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VerificationMethod:
        """Parse a verification method object, e.g. one found in a did:web document."""
        if not isinstance(data, Mapping):
            raise ParsingError("verification method must be a JSON object")
        for member in ("id", "type", "controller"):
            if not isinstance(data.get(member), str):
                raise ParsingError(f"verification method needs a string {member!r}")
        vm_type = data["type"]
        if vm_type in _MULTIBASE_TYPES:
            if not isinstance(data.get("publicKeyMultibase"), str):
                raise ParsingError(f"{vm_type} needs a string 'publicKeyMultibase'")
            public_key = PublicKey.from_multibase(data["publicKeyMultibase"])
        elif vm_type in _JWK_TYPES:
            if not isinstance(data.get("publicKeyJwk"), Mapping):
                raise ParsingError(f"{vm_type} needs an object 'publicKeyJwk'")
            public_key = PublicKey.from_jwk(data["publicKeyJwk"])
        else:
            raise UnsupportedError(f"unsupported verification method type {vm_type!r}")
        return cls(id=data["id"], type=vm_type, controller=data["controller"], public_key=public_key)


def did_key_for(public_key: PublicKey) -> str:
    """The DID for a key (§3.1.1): ``did:key:`` + its Multikey; RSA raises :class:`UnsupportedError`."""
    return DID_KEY_PREFIX + public_key.to_multibase()


def did_key_verification_method_id(public_key: PublicKey) -> str:
    """The key's verification method id (§3.1.2 step 4): ``did:key:<mb>#<mb>``."""
    multibase = public_key.to_multibase()
    return f"{DID_KEY_PREFIX}{multibase}#{multibase}"


def resolve_did_key(did_url: str) -> VerificationMethod:
    """Resolve ``did:key:<mb>`` or ``did:key:<mb>#<mb>`` to its Multikey verification method.

    The fragment, when present, must equal the method-specific id (§3.1.2); anything else, another DID
    method, or undecodable key material raises :class:`KeyResolutionError`. A key type did:key allows but
    this verifier does not use (RSA, secp256k1, …) raises :class:`UnsupportedError`.
    """
    if not isinstance(did_url, str) or len(did_url) > MAX_DID_URL_LENGTH:
        raise KeyResolutionError("malformed did:key DID URL")
    if not did_url.startswith(DID_KEY_PREFIX):
        raise KeyResolutionError(f"not a did:key DID URL: {did_url[:64]!r}")
    did, _, fragment = did_url.partition("#")
    multibase = did.removeprefix(DID_KEY_PREFIX)
    if not multibase or any(c in multibase for c in ":/?;%"):
        raise KeyResolutionError(f"malformed did:key method-specific id: {multibase[:64]!r}")
    if "#" in did_url and fragment != multibase:
        raise KeyResolutionError("did:key fragment must equal the method-specific id")
    try:
        public_key = PublicKey.from_multibase(multibase)
    except InvalidKeyError as exc:
        raise KeyResolutionError(f"did:key does not hold a usable key: {exc.message}") from exc
    return VerificationMethod(id=f"{did}#{multibase}", type="Multikey", controller=did, public_key=public_key)


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document for a did:key (§3.1.2), with one Multikey in every verification relationship."""
    if "#" in did:
        raise KeyResolutionError("a DID document is for a DID, not a DID URL with a fragment")
    method = resolve_did_key(did)
    document: dict[str, Any] = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [method.to_json()],
    }
    for relationship in _RELATIONSHIPS:
        document[relationship] = [method.id]
    return document
