"""Embedded proofs: each proof goes to the suite its ``type`` (and ``cryptosuite``) names.

A document may carry several proofs; what the set proves is `vc.proof_set`'s business (VC Data
Integrity 1.0 §4.5). The suites on the allow-list are

* ``DataIntegrityProof`` with ``eddsa-rdfc-2022`` (or its pre-REC name ``eddsa-2022``): `vc.data_integrity`;
* ``Ed25519Signature2020``, the legacy suite of VC 1.1 badges: `vc.ed25519_signature_2020`.

Anything else is refused by name before a key is resolved or anything is canonicalised, with a message
that says the proof was *not checked* (an unsupported suite), which is not the same as a signature that
does not match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from schemas.loader import OfflineDocumentLoader

from . import data_integrity, ed25519_signature_2020
from .did_key import VerificationMethod
from .errors import UnsupportedError
from .parsing import MAX_STATEMENTS
from .ports import KeyResolver

__all__ = [
    "MAX_PROOFS",
    "SUPPORTED_SUITES",
    "VerifiedProof",
    "suite_name",
    "verify_proof",
]

MAX_PROOFS = 4  # a proof set larger than this is refused before any canonicalisation
SUPPORTED_SUITES = "DataIntegrityProof with eddsa-rdfc-2022 (or eddsa-2022), and Ed25519Signature2020"
# Known suites we do not verify, named so the report can say what they are.
_UNSUPPORTED_CRYPTOSUITES = {
    "ecdsa-sd-2023": "ECDSA selective disclosure",
    "bbs-2023": "BBS selective disclosure",
    "ecdsa-rdfc-2019": "ECDSA",
    "ecdsa-jcs-2019": "ECDSA with JCS",
    "eddsa-jcs-2022": "EdDSA with JCS",
}


@dataclass(frozen=True)
class VerifiedProof:
    method: VerificationMethod
    suite: str  # e.g. "Data Integrity eddsa-rdfc-2022", "Ed25519Signature2020"


def suite_name(proof: Mapping[str, Any]) -> str:
    """How the report names a proof's suite (bounded: the values are untrusted)."""
    proof_type = str(proof.get("type"))[:50]
    if proof_type == data_integrity.PROOF_TYPE:
        return f"Data Integrity {str(proof.get('cryptosuite'))[:50]}"
    return proof_type


def verify_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    resolver: KeyResolver,
    loader: OfflineDocumentLoader | None = None,
    *,
    max_statements: int = MAX_STATEMENTS,
) -> VerifiedProof:
    """Verify one proof with the suite it names; raises `UnsupportedError` for a suite not allowed.

    ``max_statements`` bounds the canonicalised document (`vc.parsing.Limits`).
    """
    proof_type = proof.get("type")
    if proof_type == ed25519_signature_2020.PROOF_TYPE:
        method = ed25519_signature_2020.verify_proof(
            document, proof, resolver, loader=loader, max_statements=max_statements
        )
    elif proof_type == data_integrity.PROOF_TYPE:
        cryptosuite = proof.get("cryptosuite")
        if not isinstance(cryptosuite, str) or cryptosuite not in data_integrity.VERIFIABLE_CRYPTOSUITES:
            kind = _UNSUPPORTED_CRYPTOSUITES.get(cryptosuite) if isinstance(cryptosuite, str) else None
            what = f" ({kind})" if kind else ""
            raise UnsupportedError(
                f"The cryptosuite {str(cryptosuite)[:50]!r}{what} is not supported by this verifier, "
                f"so the proof was not checked (supported: {SUPPORTED_SUITES})"
            )
        method = data_integrity.verify_proof(
            document, proof, resolver, loader=loader, max_statements=max_statements
        )
    else:
        raise UnsupportedError(
            f"The proof type {str(proof_type)[:50]!r} is not supported by this verifier, "
            f"so the proof was not checked (supported: {SUPPORTED_SUITES})"
        )
    return VerifiedProof(method=method, suite=suite_name(proof))
