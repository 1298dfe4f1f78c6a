"""The proof check of `vc.verify`: what secures the credential, and whether it holds.

* A VC-JWT: its JWS (`vc.jwt.verify_jwt`, RFC 7515 §5.2) and its registered claims, which must agree with
  the credential they travel with (OB 3.0 §8.2.6 step 3).
* Embedded proofs: every proof of the set by its suite (`vc.proofs`), combined as VC Data Integrity 1.0
  §4.5 says (`vc.proof_set`).
* Either way, the credential's data model passes the JSON-LD rules of `vc.jsonld` (every term defined,
  every id an absolute IRI, no blank-node identifier, bounded work). A Data Integrity proof applies them
  when it canonicalises the document; a VC-JWT's credential gets them here, so a credential is checked
  the same way whatever secures it (VC DM 2.0 §4.1, §4.4), as the reference verifiers do.

The outcome goes into the report as data (`VerificationReport.proof`, one `ProofResult` per proof) and as
the ``proof`` check, which also reports OB 3.0 §9.1 step 3 (refresh) without performing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.loader import OfflineDocumentLoader

from .did_key import VerificationMethod
from .errors import MALFORMED_VALUE_ERROR, UnsupportedError, VcError
from .fields import types_of
from .jsonld import canonicalize
from .jwt import DecodedJwt, claim_mismatches
from .parsing import Limits
from .ports import Ports
from .proof_set import proof_state, verify_each_proof
from .proofs import verify_proof
from .report import Check, CheckId, Outcome, ProofOutcome, ProofResult, ProofState, VerificationReport

__all__ = ["JWT_SUITE", "check_embedded_proofs", "check_jwt_proof", "proof_failure", "proof_passed"]

JWT_SUITE = "VC-JWT"


def check_jwt_proof(
    report: VerificationReport,
    decoded: DecodedJwt,
    method: VerificationMethod | None,
    error: VcError | None,
    loader: OfflineDocumentLoader | None,
    limits: Limits,
) -> tuple[VerificationMethod | None, Check | None]:
    """The JWS (`error` is why `verify_jwt` refused it), the claims, then the data model. Returns the
    method that signed, or the failed proof check."""
    kid = decoded.header.get("kid")
    method_id = kid[:500] if isinstance(kid, str) else None

    def record(state: ProofState, message: str) -> None:
        suite = JWT_SUITE if state is ProofState.VERIFIED else None
        report.proof = ProofOutcome(state, suite, (ProofResult(JWT_SUITE, state, message, method_id),))

    if error is None:
        mismatches = claim_mismatches(decoded)
        if mismatches:
            message = "; ".join(mismatches)
            record(ProofState.INVALID, message)
            return None, Check(CheckId.PROOF, Outcome.FAILED, message, MALFORMED_VALUE_ERROR)
        error = _data_model_problem(decoded.credential, loader, limits)
    if error is not None or method is None:
        error = error or VcError("The proof does not verify.")
        record(proof_state(error), error.message)
        return None, proof_failure(error)
    record(ProofState.VERIFIED, "Verified.")
    return method, None


def _data_model_problem(
    document: Mapping[str, Any], loader: OfflineDocumentLoader | None, limits: Limits
) -> VcError | None:
    """Why `vc.jsonld` refuses the credential (without any embedded proof), if it does. Only the refusal
    matters here, not the N-Quads.

    A ``ClrCredential``'s bundled credentials are left to their own verification (`vc.clr.verify_clr`),
    each under its own ``@context`` and proof: bundled under different OB contexts they may not even
    make one JSON-LD document, which is why `vc.clr` signs such a CLR as a VC-JWT."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    subject = unsecured.get("credentialSubject")
    if "ClrCredential" in types_of(document) and isinstance(subject, Mapping):
        unsecured["credentialSubject"] = {
            name: value for name, value in subject.items() if name != "verifiableCredential"
        }
    try:
        canonicalize(unsecured, loader, max_statements=limits.max_statements)
    except VcError as error:
        return error
    return None


def check_embedded_proofs(
    report: VerificationReport, document: Mapping[str, Any], ports: Ports, limits: Limits
) -> tuple[VerificationMethod | None, Check | None]:
    """Every embedded proof, each by its suite, combined as `vc.proof_set` says. Returns the method of
    the proof relied on, or the failed proof check."""

    def verify(proof: Mapping[str, Any]) -> VerificationMethod:
        return verify_proof(
            document, proof, ports.resolver, ports.loader, max_statements=limits.max_statements
        ).method

    try:
        result = verify_each_proof(document, verify, controller=report.issuer_id)
    except VcError as error:
        report.proof = ProofOutcome(proof_state(error))
        return None, proof_failure(error)
    report.proof = result.outcome
    proofs = result.outcome.proofs
    if result.problem is None:
        return result.method, None
    check = proof_failure(result.problem)
    if len(proofs) > 1:
        failing = next(i for i, proof in enumerate(proofs) if proof.state is result.outcome.state)
        note = (
            f" (proof {failing + 1} of {len(proofs)}, {proofs[failing].suite}: a proof set with a proof"
            " that does not verify does not verify, VC Data Integrity 1.0 §4.5)"
            if result.outcome.state is ProofState.INVALID
            else f" (none of the {len(proofs)} proofs could be checked)"
        )
        check = Check(check.id, check.outcome, check.message + note, check.problem_type, check.details)
    return None, check


def proof_failure(error: VcError) -> Check:
    if isinstance(error, UnsupportedError):
        # Not evidence of forgery: the suite is simply not on our allow-list (e.g. ecdsa-sd-2023).
        return Check(CheckId.PROOF, Outcome.FAILED, error.message, error.problem_type, {"unsupported": True})
    return Check(CheckId.PROOF, Outcome.FAILED, error.message, error.problem_type)


def proof_passed(document: Mapping[str, Any], outcome: ProofOutcome) -> Check:
    """The proof check, with OB 3.0 §9.1 step 3 (refresh) reported rather than performed."""
    message = f"The signature is valid ({outcome.suite})."
    unchecked = [
        f"proof {index + 1} ({proof.suite}): {proof.message}"
        for index, proof in enumerate(outcome.proofs)
        if proof.state is not ProofState.VERIFIED
    ]
    if unchecked:
        message += f" Not checked, so nothing rests on them: {'; '.join(unchecked)}"
    refresh = _refresh_service(document)
    if refresh is None:
        return Check(CheckId.PROOF, Outcome.PASSED, message)
    # §9.1 step 3 says to fetch a refreshed credential once and start over with it; on failure, to go on
    # with the original. We never fetch it: the credential verified is the one presented, and the report
    # says a refresh service exists. (The 1EdTech validator does not fetch it either.)
    message += (
        f" It names a refresh service ({refresh['type']}) that was not fetched;"
        " this is the credential as presented."
    )
    return Check(CheckId.PROOF, Outcome.PASSED, message, details={"refreshService": refresh})


def _refresh_service(document: Mapping[str, Any]) -> dict[str, Any] | None:
    services = document.get("refreshService")
    if services is None:
        return None
    first = (services or [None])[0] if isinstance(services, list) else services
    service = first if isinstance(first, Mapping) else {}
    service_id, service_type = service.get("id"), service.get("type")
    return {
        "id": service_id[:500] if isinstance(service_id, str) else None,
        "type": service_type[:100] if isinstance(service_type, str) else "of an unknown type",
        "fetched": False,
    }
