"""Verifying legacy ``Ed25519Signature2020`` proofs (verify only: we issue ``eddsa-rdfc-2022``).

The suite is W3C CCG "Ed25519 Signature 2020" (https://w3c-ccg.github.io/lds-ed25519-2020/) §4 on the
Linked Data Proofs 1.0 hashing algorithm; vc-di-eddsa publishes its test vector
(``TestVectors/Ed25519Signature2020``). OB 3.0 credentials of the candidate-final period (VC 1.1,
``issuanceDate``) carry it, and the 1EdTech displayer tests expect a verifier to accept them.

Each step is a function whose result a test compares with the vector's intermediate values:

* transformation: URDNA2015 (= RDFC-1.0) canonical N-Quads of the document without its proof;
* proof configuration: the proof without ``proofValue``, under the document's ``@context`` (followed by
  the proof's own ``@context`` when it carries one, as didkit writes it), canonicalised;
* hashing: SHA-256 of each, the proof configuration's first (the same `HashInputs` as eddsa-rdfc-2022);
* signature: Ed25519 over those 64 bytes; ``proofValue`` is multibase base58btc (``z…``);
* key: an ``Ed25519VerificationKey2020`` (or the ``Multikey`` that replaced it) with ``publicKeyMultibase``.

The strict JSON-LD of `vc.jsonld` applies unchanged, so the same input bounds hold for this suite.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.loader import OfflineDocumentLoader

from .data_integrity import (
    HashInputs,
    checked_proof_parts,
    resolve_ed25519_method,
    transform,
    verify_signature,
)
from .did_key import VerificationMethod
from .errors import SignatureError, UnsupportedError
from .jsonld import canonicalize
from .parsing import MAX_STATEMENTS
from .ports import ASSERTION_METHOD, KeyResolver

__all__ = [
    "PROOF_TYPE",
    "SUITE_CONTEXT",
    "VERIFICATION_METHOD_TYPES",
    "hash_inputs",
    "proof_configuration",
    "transform",
    "verify_proof",
]

PROOF_TYPE = "Ed25519Signature2020"
SUITE_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
# §3 names Ed25519VerificationKey2020; Multikey is the same key material under its current name (did:key
# resolves to it), and the reference implementation accepts both.
VERIFICATION_METHOD_TYPES = frozenset({"Ed25519VerificationKey2020", "Multikey"})


def proof_configuration(
    proof_options: Mapping[str, Any],
    document_context: Any,
    loader: OfflineDocumentLoader | None = None,
) -> str:
    """Canonical N-Quads of the proof options (without ``proofValue``) under the document's ``@context``.

    A proof may carry its own ``@context`` (didkit adds the suite's there rather than to the document):
    it applies after the document's, as an embedded context applies to the node it sits in (JSON-LD 1.1
    §3.1 "The Context"). jsonld-signatures applies the proof's context instead of the document's; the
    proof's terms are the suite context's, so both give the same N-Quads (tests/vc/test_interop.py).
    """
    if proof_options.get("type") != PROOF_TYPE:
        raise UnsupportedError(f"proof type {str(proof_options.get('type'))[:50]!r} is not {PROOF_TYPE}")
    config = {key: value for key, value in proof_options.items() if key not in ("proofValue", "@context")}
    config["@context"] = _proof_context(document_context, proof_options.get("@context"))
    return canonicalize(config, loader)


def _as_list(context: Any) -> list[Any]:
    return list(context) if isinstance(context, list) else [] if context is None else [context]


def _proof_context(document_context: Any, own_context: Any) -> Any:
    if own_context is None:
        return document_context
    document = _as_list(document_context)
    return document + [entry for entry in _as_list(own_context) if entry not in document]


def hash_inputs(
    unsecured_document: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    loader: OfflineDocumentLoader | None = None,
    *,
    max_statements: int = MAX_STATEMENTS,
) -> HashInputs:
    """The two canonical forms whose SHA-256 hashes, proof configuration first, are signed."""
    return HashInputs(
        canonical_document=transform(unsecured_document, loader, max_statements=max_statements),
        canonical_proof_config=proof_configuration(proof_options, unsecured_document["@context"], loader),
    )


def verify_proof(
    secured_document: Mapping[str, Any],
    proof: Mapping[str, Any],
    resolver: KeyResolver,
    *,
    expected_purpose: str = ASSERTION_METHOD,
    loader: OfflineDocumentLoader | None = None,
    max_statements: int = MAX_STATEMENTS,
) -> VerificationMethod:
    """Verify one ``Ed25519Signature2020`` proof; returns the verification method or raises `VcError`."""
    unsecured = {key: value for key, value in secured_document.items() if key != "proof"}
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    if options.get("type") != PROOF_TYPE:
        raise UnsupportedError(f"proof type {str(options.get('type'))[:50]!r} is not {PROOF_TYPE}")
    # Cheap checks first: nothing is resolved or canonicalised for a proof we would refuse anyway. The
    # rule that a proof's own @context must begin the document's is eddsa-rdfc-2022's (vc-di-eddsa
    # §3.2.2), not this suite's, whose proofs carry the suite context the document lacks.
    own_context = proof.get("@context")
    signature, method_id = checked_proof_parts(
        unsecured, {key: value for key, value in proof.items() if key != "@context"}, expected_purpose
    )
    if SUITE_CONTEXT not in _as_list(unsecured.get("@context")) + _as_list(own_context):
        # As the reference implementation insists: without it, no context defines the proof's terms.
        raise SignatureError(
            f"a document with an {PROOF_TYPE} proof, or the proof, must include the context {SUITE_CONTEXT}"
        )
    method = resolve_ed25519_method(resolver, method_id, VERIFICATION_METHOD_TYPES, purpose=expected_purpose)
    inputs = hash_inputs(unsecured, options, loader, max_statements=max_statements)
    return verify_signature(method, signature, inputs.hash_data)
