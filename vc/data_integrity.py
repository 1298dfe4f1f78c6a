"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite.

Follows W3C VC Data Integrity EdDSA Cryptosuites v1.0 §3.2 (https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022):
transformation (RDFC-1.0 canonical N-Quads), proof configuration, hashing (SHA-256 of each, proof
configuration hash first) and serialisation (Ed25519 signature, multibase base58btc). Each step is a
function whose result a test can compare with the published intermediate values.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cachetools import LRUCache
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from schemas.loader import OfflineDocumentLoader

from .did_key import VerificationMethod
from .errors import SignatureError, UnsupportedError, VcError
from .fields import parse_datetime
from .jsonld import canonicalize
from .keys import KeyType, PrivateKey, multibase_decode_base58btc, multibase_encode_base58btc
from .parsing import MAX_STATEMENTS
from .ports import ASSERTION_METHOD, KeyResolver, resolve_for

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
# eddsa-2022 is the pre-REC name of the same algorithm; credentials issued under it still verify.
VERIFIABLE_CRYPTOSUITES = frozenset({CRYPTOSUITE, "eddsa-2022"})


@dataclass(frozen=True)
class HashInputs:
    """The intermediate values of §3.2.3-3.2.5, as published in the test vectors."""

    canonical_document: str
    canonical_proof_config: str

    @property
    def document_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_document.encode("utf-8")).digest()

    @property
    def proof_config_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_proof_config.encode("utf-8")).digest()

    @property
    def hash_data(self) -> bytes:
        """§3.2.4 Hashing: proof configuration hash followed by the transformed document hash."""
        return self.proof_config_hash + self.document_hash


def format_created(moment: datetime) -> str:
    """An XSD dateTimeStamp in UTC, to the second, as the reference implementations write it."""
    if moment.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def transform(
    unsecured_document: Mapping[str, Any],
    loader: OfflineDocumentLoader | None = None,
    *,
    max_statements: int = MAX_STATEMENTS,
    signing: bool = False,
) -> str:
    """§3.2.3 Transformation: RDFC-1.0 canonical N-Quads of the document without its proof.

    ``signing`` also refuses what other implementations would canonicalise differently (`vc.jsonld`).
    """
    if "proof" in unsecured_document:
        raise ValueError("transform expects the unsecured document (without proof)")
    return canonicalize(unsecured_document, loader, signing=signing, max_statements=max_statements)


def proof_configuration(
    proof_options: Mapping[str, Any],
    document_context: Any,
    loader: OfflineDocumentLoader | None = None,
    *,
    signing: bool = False,
) -> str:
    """§3.2.5 Proof Configuration: canonical N-Quads of the proof options under the document's context."""
    if proof_options.get("type") != PROOF_TYPE:
        raise UnsupportedError(f"proof type {proof_options.get('type')!r} is not {PROOF_TYPE}")
    cryptosuite = proof_options.get("cryptosuite")
    if not isinstance(cryptosuite, str) or cryptosuite not in VERIFIABLE_CRYPTOSUITES:
        raise UnsupportedError(f"cryptosuite {cryptosuite!r} is not supported")
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    config["@context"] = document_context
    # A bulk chunk shares one configuration: `canonicalize` remembers byte-identical documents.
    return canonicalize(config, loader, signing=signing)


def hash_inputs(
    unsecured_document: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    loader: OfflineDocumentLoader | None = None,
    *,
    max_statements: int = MAX_STATEMENTS,
    signing: bool = False,
) -> HashInputs:
    """Both canonical forms; ``max_statements`` bounds the document's (the proof options are small).

    Pass ``signing=True`` when the hash data is about to be signed (`create_proof` does).
    """
    return HashInputs(
        canonical_document=transform(
            unsecured_document, loader, max_statements=max_statements, signing=signing
        ),
        canonical_proof_config=proof_configuration(
            proof_options, unsecured_document["@context"], loader, signing=signing
        ),
    )


def create_proof(
    unsecured_document: Mapping[str, Any],
    key: PrivateKey,
    verification_method: str,
    created: datetime,
    *,
    proof_purpose: str = ASSERTION_METHOD,
    loader: OfflineDocumentLoader | None = None,
    max_statements: int = MAX_STATEMENTS,
) -> dict[str, Any]:
    """§3.2.1 Create Proof: returns the proof object (with ``proofValue``).

    The document is canonicalised under the signing rules (`vc.jsonld`): anything whose canonical form
    other implementations would compute differently is refused (`JsonLdError`) rather than signed.
    """
    if key.key_type is not KeyType.ED25519:
        raise UnsupportedError(f"{CRYPTOSUITE} needs an Ed25519 key, not {key.key_type}")
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "created": format_created(created),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": proof_purpose,
    }
    signature = key.sign(
        hash_inputs(unsecured_document, proof, loader, max_statements=max_statements, signing=True).hash_data
    )
    proof["proofValue"] = multibase_encode_base58btc(signature)
    return proof


def sign(
    unsecured_document: Mapping[str, Any],
    key: PrivateKey,
    verification_method: str,
    created: datetime,
    *,
    loader: OfflineDocumentLoader | None = None,
    max_statements: int = MAX_STATEMENTS,
) -> dict[str, Any]:
    """Add an ``eddsa-rdfc-2022`` proof to a copy of the document."""
    proof = create_proof(
        unsecured_document, key, verification_method, created, loader=loader, max_statements=max_statements
    )
    return {**unsecured_document, "proof": proof}


def proofs_of(secured_document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The document's proof set (a single proof object or a list of them)."""
    proof = secured_document.get("proof")
    if proof is None:
        return []
    proofs = proof if isinstance(proof, list) else [proof]
    if not all(isinstance(item, Mapping) for item in proofs):
        raise SignatureError("proof must be an object or a list of objects")
    return proofs


def verify_proof(
    secured_document: Mapping[str, Any],
    proof: Mapping[str, Any],
    resolver: KeyResolver,
    *,
    expected_purpose: str = ASSERTION_METHOD,
    loader: OfflineDocumentLoader | None = None,
    max_statements: int = MAX_STATEMENTS,
) -> VerificationMethod:
    """§3.2.2 Verify Proof. Returns the verification method that signed; raises `VcError` otherwise."""
    unsecured = {key: value for key, value in secured_document.items() if key != "proof"}
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    # Cheap checks first: nothing is resolved or canonicalised for a proof we would refuse anyway.
    if options.get("type") != PROOF_TYPE:
        raise UnsupportedError(f"proof type {str(options.get('type'))[:50]!r} is not {PROOF_TYPE}")
    if (
        not isinstance(options.get("cryptosuite"), str)
        or options["cryptosuite"] not in VERIFIABLE_CRYPTOSUITES
    ):
        raise UnsupportedError(f"cryptosuite {str(options.get('cryptosuite'))[:50]!r} is not supported")
    signature, method_id = checked_proof_parts(unsecured, proof, expected_purpose)
    method = resolve_ed25519_method(resolver, method_id, purpose=expected_purpose)
    inputs = hash_inputs(unsecured, options, loader, max_statements=max_statements)
    return verify_signature(method, signature, inputs.hash_data)


def checked_proof_parts(
    unsecured_document: Mapping[str, Any], proof: Mapping[str, Any], expected_purpose: str
) -> tuple[bytes, str]:
    """The checks an Ed25519 proof gets before any key is resolved or anything is canonicalised.

    `proofPurpose` is the expected one, `created` (when present) is a dateTimeStamp, a proof carrying its
    own `@context` agrees with the document's (§3.2.2 step 3), and `proofValue` is a multibase base58btc
    64-byte Ed25519 signature. Returns the signature and the `verificationMethod` id.
    """
    if proof.get("proofPurpose") != expected_purpose:
        raise SignatureError(f"proofPurpose is {proof.get('proofPurpose')!r}, expected {expected_purpose!r}")
    proof_value = proof.get("proofValue")
    method_id = proof.get("verificationMethod")
    if not isinstance(proof_value, str) or not isinstance(method_id, str):
        raise SignatureError("proof needs a proofValue and a verificationMethod (strings)")
    created = proof.get("created")
    if created is not None and parse_datetime(created) is None:
        raise SignatureError(f"proof created {str(created)[:64]!r} is not an XML Schema dateTimeStamp")
    if "@context" in proof:
        document_context = unsecured_document.get("@context")
        own = proof["@context"] if isinstance(proof["@context"], list) else [proof["@context"]]
        full = document_context if isinstance(document_context, list) else [document_context]
        if full[: len(own)] != own:
            raise SignatureError("the proof's @context does not match the document's")
    try:
        signature = multibase_decode_base58btc(proof_value)
    except VcError:
        raise SignatureError("proofValue is not multibase base58btc") from None
    if len(signature) != 64:
        raise SignatureError(f"proofValue decodes to {len(signature)} bytes; an Ed25519 signature is 64")
    return signature, method_id


def resolve_ed25519_method(
    resolver: KeyResolver,
    method_id: str,
    method_types: frozenset[str] | None = None,
    *,
    purpose: str = ASSERTION_METHOD,
) -> VerificationMethod:
    """Resolve the proof's verification method for `purpose` (the verification relationship its
    controller must list it under) and insist on an Ed25519 key (of one of `method_types`).

    vc-di-eddsa §2.1.1 accepts an Ed25519 key as Multikey or JsonWebKey (and the legacy 2020 type), so
    eddsa-rdfc-2022 passes no `method_types`; the 2020 suite narrows them.
    """
    method = resolve_for(resolver, method_id, purpose)
    if method.public_key.key_type is not KeyType.ED25519:
        raise SignatureError(f"verification method {method_id[:200]} is not an Ed25519 key")
    if method_types is not None and method.type not in method_types:
        raise SignatureError(
            f"verification method {method_id[:200]} is a {method.type}, "
            f"not {' or '.join(sorted(method_types))}"
        )
    return method


# Signatures that verified, by (public key, signature, hash data). A verifier checks the same status list
# credential again and again; a hit is exactly what Ed25519 verification answered for these very bytes.
_verified: LRUCache[tuple[bytes, bytes, bytes], bool] = LRUCache(maxsize=1024)
_verified_lock = threading.Lock()


def verify_signature(method: VerificationMethod, signature: bytes, hash_data: bytes) -> VerificationMethod:
    """Check the Ed25519 signature over the hash data; returns the method, or raises `SignatureError`."""
    key = method.public_key.key
    assert isinstance(key, Ed25519PublicKey)
    remembered = (key.public_bytes_raw(), signature, hash_data)
    with _verified_lock:
        if remembered in _verified:
            return method
    try:
        method.public_key.verify(signature, hash_data)
    except SignatureError:
        raise SignatureError(
            "The signature does not match: the credential was changed after it was signed, "
            "or it was not signed by this key."
        ) from None
    with _verified_lock:
        _verified[remembered] = True
    return method
