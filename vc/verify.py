"""Verify a credential: an ordered pipeline of named checks that returns a `VerificationReport`.

Order (OB 3.0 §9.1, VC DM 2.0 §7): well-formed -> schema -> proof -> issuer-key binding -> validity period
-> status -> issuer trust. §9.1 step 3 (refresh) is reported with the proof, never fetched. VC 2.0 and
VC 1.1 credentials both verify, each with its own date properties; proofs go to their suite in
`vc.proofs`. The world comes in through `Ports` (key resolver, status source, trust registry, document
loader) and the clock through `now`. When the proof fails, the checks after it are
*skipped*, not passed: nothing a forged credential says is worth reporting. Nothing the credential says
about itself (its validity, its issuer's name, its keys) is trusted without a check.

Each check has a message for people; the outcome is also data (`VerificationReport.proof`, ``.status``,
``.validity``, ``.trust``), for programs to read instead of the English. The proof check lives in
`vc.proof_check`; embedded endorsements' in `vc.endorsements`; the ports (`Ports`, `StatusSource`,
`IssuerRegistry`) in `vc.ports`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from schemas.loader import VC_V1_CONTEXT, VC_V2_CONTEXT
from schemas.validation import SchemaValidationError, conformance_errors, schema_errors, schema_for

from .did_key import VerificationMethod, did_key_for
from .endorsements import verify_endorsements
from .errors import (
    CRYPTOGRAPHIC_SECURITY_ERROR,
    MALFORMED_VALUE_ERROR,
    RANGE_ERROR,
    VcError,
)
from .fields import datetime_problem, issuer_id, parse_datetime, types_of
from .jwt import DecodedJwt, decode_jwt, verify_jwt
from .keys import KeyType
from .parsing import ORDINARY_LIMITS, Limits, check_depth
from .ports import IssuerRegistry, Ports, StatusResult, StatusSource, TrustDecision
from .proof_check import check_embedded_proofs, check_jwt_proof, proof_passed
from .report import (
    Check,
    CheckId,
    Outcome,
    ProofState,
    StatusOutcome,
    StatusState,
    Trust,
    ValidityOutcome,
    ValidityState,
    VerificationReport,
)

__all__ = [
    "STATUS_LIST_TYPES",
    "IssuerRegistry",
    "Ports",
    "StatusResult",
    "StatusSource",
    "TrustDecision",
    "verify_credential",
]

log = logging.getLogger(__name__)

STATUS_LIST_TYPES = frozenset({"VerifiableCredential", "BitstringStatusListCredential"})

_LATER_CHECKS = (
    CheckId.SCHEMA,
    CheckId.PROOF,
    CheckId.ISSUER_KEY_BINDING,
    CheckId.VALIDITY_PERIOD,
    CheckId.STATUS,
    CheckId.ISSUER_TRUST,
)


def verify_credential(
    credential: Mapping[str, Any] | str,
    ports: Ports,
    now: datetime,
    *,
    limits: Limits = ORDINARY_LIMITS,
    endorsements: bool = True,
) -> VerificationReport:
    """Verify a credential given as a JSON object (embedded proof) or a compact VC-JWT string.

    Never raises for a bad credential: every problem is a check in the report. An unexpected error in
    a check (a bug, or a port that raised) is reported as a failure too, never as a pass.

    ``limits`` bound the VC-JWT payload and the canonicalised document. Only `vc.clr.verify_clr` passes
    larger ones, and they apply to a ``ClrCredential`` alone: any other document verified under them
    is not well-formed, so the ordinary bounds can never be stretched for an ordinary credential.

    A credential whose proof verifies has its embedded endorsements verified too (``endorsements``;
    an endorsement's own endorsements are not followed): `VerificationReport.endorsements`.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    report = VerificationReport(checked_at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    try:
        _run(report, credential, ports, now, limits)
        if endorsements and report.proof.state is ProofState.VERIFIED and report.credential is not None:
            report.endorsements = verify_endorsements(
                report.credential,
                lambda endorsement: verify_credential(endorsement, ports, now, endorsements=False),
            )
    except Exception as error:
        log.exception("verification failed unexpectedly")
        done = {check.id for check in report.checks}
        pending = tuple(check_id for check_id in CheckId if check_id not in done)
        if pending:
            message = f"The credential could not be checked ({type(error).__name__})."
            report.add(Check(pending[0], Outcome.FAILED, message, MALFORMED_VALUE_ERROR))
            _skip(report, pending[1:], "an earlier check could not be completed")
        else:
            report.checks[-1] = Check(
                report.checks[-1].id, Outcome.FAILED, "The check could not be completed."
            )
    return report


def _run(
    report: VerificationReport,
    credential: Mapping[str, Any] | str,
    ports: Ports,
    now: datetime,
    limits: Limits,
) -> None:
    method: VerificationMethod | None = None
    jwt_error: VcError | None = None
    decoded: DecodedJwt | None = None
    if isinstance(credential, str):
        report.format = "jwt"
        try:
            decoded, method = verify_jwt(credential, ports.resolver, max_bytes=limits.max_document_bytes)
        except VcError as error:
            # A token we cannot even decode is malformed; one whose signature fails is a proof failure.
            try:
                decoded = decode_jwt(credential, max_bytes=limits.max_document_bytes)
            except VcError:
                _fail_all(report, CheckId.WELL_FORMED, error)
                return
            jwt_error = error
        report.credential = decoded.credential
    else:
        report.format = "ldp"
        report.credential = dict(credential)
    document = report.credential
    assert document is not None

    problem = _well_formed_problem(document)
    if not problem and _stretched(limits) and "ClrCredential" not in types_of(document):
        problem = "the larger limits for Comprehensive Learner Records apply to a ClrCredential only"
    if problem:
        report.add(Check(CheckId.WELL_FORMED, Outcome.FAILED, problem, MALFORMED_VALUE_ERROR))
        _skip(report, _LATER_CHECKS, "the credential is not well-formed")
        return
    report.add(_well_formed_check(decoded))
    report.issuer_id = issuer_id(document)
    report.add(_schema_check(document))

    if decoded is not None:
        method, proof_problem = check_jwt_proof(report, decoded, method, jwt_error, ports.loader, limits)
    else:
        method, proof_problem = check_embedded_proofs(report, document, ports, limits)
    if proof_problem or method is None:
        report.add(proof_problem or Check(CheckId.PROOF, Outcome.FAILED, "The proof does not verify."))
        _skip(report, _LATER_CHECKS[2:], "the proof did not verify")
        return
    report.verification_method = method.id or "(key embedded in the token)"
    report.add(proof_passed(document, report.proof))
    binding = report.add(_binding_check(report.issuer_id, method))
    report.add(_validity_check(report, document, now))
    report.add(_status_check(report, document, ports.status, now))
    report.add(_trust_check(report, binding, document, ports.registry, now))


def _stretched(limits: Limits) -> bool:
    return (
        limits.max_document_bytes > ORDINARY_LIMITS.max_document_bytes
        or limits.max_statements > ORDINARY_LIMITS.max_statements
    )


def _failed(check_id: CheckId, error: VcError) -> Check:
    return Check(check_id, Outcome.FAILED, error.message, error.problem_type)


def _fail_all(report: VerificationReport, check_id: CheckId, error: VcError) -> None:
    report.add(_failed(check_id, error))
    _skip(report, _LATER_CHECKS, "the input could not be read")


def _skip(report: VerificationReport, check_ids: tuple[CheckId, ...], reason: str) -> None:
    for check_id in check_ids:
        report.add(Check(check_id, Outcome.SKIPPED, f"Not checked: {reason}."))


def _well_formed_check(decoded: DecodedJwt | None) -> Check:
    """Passed, or a warning about a form other verifiers accept but the spec does not (still verified)."""
    if decoded is not None and decoded.vc_claim_holds_vc_2_0:
        message = f"The credential is well-formed. {' '.join(decoded.warnings)}"
        return Check(CheckId.WELL_FORMED, Outcome.WARNING, message, details={"jwtForm": "vc_claim"})
    return Check(CheckId.WELL_FORMED, Outcome.PASSED, "The credential is well-formed.")


def _well_formed_problem(document: Mapping[str, Any]) -> str | None:
    """The VC envelope (VC DM 2.0 §4): what every later check relies on."""
    try:
        check_depth(document)
    except VcError as error:
        return error.message
    context = document.get("@context")
    if not isinstance(context, list) or not context or context[0] not in (VC_V2_CONTEXT, VC_V1_CONTEXT):
        return f"@context must be a list starting with {VC_V2_CONTEXT}"
    if VC_V1_CONTEXT in context and VC_V2_CONTEXT in context:
        return "@context mixes the VC 1.1 and VC 2.0 base contexts; a credential is one version or the other"
    if "VerifiableCredential" not in types_of(document):
        return "type must include VerifiableCredential"
    if issuer_id(document) is None:
        return "the credential has no issuer id"
    if not isinstance(document.get("credentialSubject"), (Mapping, list)):
        return "the credential has no credentialSubject"
    if context[0] == VC_V1_CONTEXT and "issuanceDate" not in document:
        return "a VC 1.1 credential needs issuanceDate"
    for name in ("validFrom", "validUntil", "issuanceDate", "expirationDate"):
        problem = datetime_problem(document[name]) if name in document else None
        if problem is not None:
            return f"{name} {problem}"
    return None


def _schema_check(document: Mapping[str, Any]) -> Check:
    """OB 3.0 §9.1 step 1: the 1EdTech JSON Schema for the credential's type, plus what it cannot say."""
    if set(types_of(document)) == STATUS_LIST_TYPES:
        return Check(
            CheckId.SCHEMA, Outcome.PASSED, "A status list credential: no Open Badges schema applies."
        )
    errors = list(conformance_errors(document))
    # The 1EdTech schemas describe the VC 2.0 shape (validFrom, the v2 context first); the schemas that
    # also accept VC 1.1 (ob_v3p0_anyachievementcredential_schema.json) are not published anywhere we
    # could copy them from, so a VC 1.1 credential gets the conformance rules only, and the report says so.
    v2 = document["@context"][0] == VC_V2_CONTEXT
    try:
        schema = schema_for(document)
    except SchemaValidationError as error:
        errors = error.errors + errors
    else:
        if v2:
            errors = schema_errors(document, schema) + errors
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return Check(
            CheckId.SCHEMA,
            Outcome.FAILED,
            f"The credential does not conform to Open Badges 3.0: {errors[0]}{more}",
            MALFORMED_VALUE_ERROR,
            {"errors": errors[:50]},
        )
    if not v2:
        return Check(
            CheckId.SCHEMA,
            Outcome.PASSED,
            "A VC 1.1 credential: it meets the Open Badges 3.0 rules checked in code; the 1EdTech JSON "
            "Schemas describe VC 2.0 credentials, so they were not applied.",
        )
    return Check(CheckId.SCHEMA, Outcome.PASSED, "The credential conforms to the Open Badges 3.0 schema.")


def _binding_check(issuer_id: str | None, method: VerificationMethod) -> Check:
    """The key must be controlled by the issuer (VC-DI §4.4 step; OB 3.0 Impl Guide "Key provenance")."""
    assert issuer_id is not None
    # A token that carries its key inline (no controller) is bound when that key *is* the did:key issuer.
    embedded_did_key = (
        not method.controller
        and issuer_id.startswith("did:key:")
        and method.public_key.key_type is not KeyType.RSA
        and did_key_for(method.public_key) == issuer_id
    )
    if (method.controller and method.controller == issuer_id) or embedded_did_key:
        return Check(
            CheckId.ISSUER_KEY_BINDING, Outcome.PASSED, f"The signing key belongs to the issuer {issuer_id}."
        )
    if not issuer_id.startswith(("did:", "https://", "http://")):
        return Check(
            CheckId.ISSUER_KEY_BINDING,
            Outcome.WARNING,
            f"The issuer id {issuer_id} cannot be resolved, so the signing key cannot be tied to the issuer.",
        )
    owner = method.controller or "nobody (the key is embedded in the token)"
    return Check(
        CheckId.ISSUER_KEY_BINDING,
        Outcome.FAILED,
        f"The signing key is controlled by {owner}, not by the issuer {issuer_id}.",
        CRYPTOGRAPHIC_SECURITY_ERROR,
    )


# The date properties each base context defines, as (valid-from, valid-until) pairs. VC 2.0 defines only
# validFrom/validUntil; the VC 1.1 context defines issuanceDate/expirationDate and, with the same IRIs as
# VC 2.0, validFrom/validUntil too. A name the base context does not define means nothing we can rely on.
_DATE_FIELDS = {
    VC_V2_CONTEXT: (("validFrom",), ("validUntil",)),
    VC_V1_CONTEXT: (("issuanceDate", "validFrom"), ("expirationDate", "validUntil")),
}


def _validity_check(report: VerificationReport, document: Mapping[str, Any], now: datetime) -> Check:
    """The one place time is compared (VC DM 2.0 §4.9; VC DM 1.1 §4.6, §4.7), so "genuine but expired"
    can be reported. Where a credential carries more than one bound, the strictest applies: adding a
    property can never make a credential valid for longer. Sets `report.validity`."""
    version = document["@context"][0]
    from_fields, until_fields = _DATE_FIELDS[version]
    starts = [(parse_datetime(document.get(name)), name) for name in from_fields if name in document]
    ends = [(parse_datetime(document.get(name)), name) for name in until_fields if name in document]
    valid_from = max(((moment, name) for moment, name in starts if moment), default=None)
    valid_until = min(((moment, name) for moment, name in ends if moment), default=None)

    def record(state: ValidityState) -> None:
        bounds = (_utc(valid_from[0]) if valid_from else None, _utc(valid_until[0]) if valid_until else None)
        report.validity = ValidityOutcome(state, *bounds)

    if valid_from is not None and now < valid_from[0]:
        record(ValidityState.NOT_YET_VALID)
        return Check(
            CheckId.VALIDITY_PERIOD,
            Outcome.FAILED,
            f"The credential is not valid until {valid_from[0].isoformat()} ({valid_from[1]}).",
            RANGE_ERROR,
        )
    if valid_until is not None and now > valid_until[0]:
        record(ValidityState.EXPIRED)
        return Check(
            CheckId.VALIDITY_PERIOD,
            Outcome.FAILED,
            f"The credential expired on {valid_until[0].isoformat()} ({valid_until[1]}).",
            RANGE_ERROR,
        )
    record(ValidityState.CURRENT)
    until = f" until {valid_until[0].isoformat()}" if valid_until else ""
    message = f"The credential is within its validity period{until}."
    ignored = [
        name for name in ("issuanceDate", "expirationDate") if version == VC_V2_CONTEXT and name in document
    ]
    if ignored:
        message += (
            f" {' and '.join(ignored)} (VC 1.1 terms) mean nothing in a VC 2.0 credential and were ignored."
        )
    return Check(CheckId.VALIDITY_PERIOD, Outcome.PASSED, message)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


_SET_STATES = {"revocation": StatusState.REVOKED, "suspension": StatusState.SUSPENDED}


def _status_check(
    report: VerificationReport, document: Mapping[str, Any], source: StatusSource | None, now: datetime
) -> Check:
    """Each ``credentialStatus`` entry through the status port; sets `report.status`."""
    entries = document.get("credentialStatus")
    if entries is None:
        report.status = StatusOutcome(StatusState.NONE)
        return Check(
            CheckId.STATUS, Outcome.SKIPPED, "The credential has no status entry, so it cannot be revoked."
        )
    entries = entries if isinstance(entries, list) else [entries]
    report.status = StatusOutcome(StatusState.UNKNOWN)  # until every entry has been looked up
    if source is None:
        return Check(
            CheckId.STATUS, Outcome.FAILED, "The credential's status could not be checked (no status source)."
        )
    results = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            return Check(
                CheckId.STATUS,
                Outcome.FAILED,
                "credentialStatus entries must be objects.",
                MALFORMED_VALUE_ERROR,
            )
        try:
            result = source.check(entry, document, now)
        except VcError as error:
            return Check(
                CheckId.STATUS,
                Outcome.FAILED,
                f"The credential's status could not be checked: {error.message}",
            )
        if result.is_set:
            since = _utc(result.since) if result.since else None
            state = _SET_STATES.get(result.purpose, StatusState.FLAGGED)
            report.status = StatusOutcome(state, result.purpose, since)
            return Check(CheckId.STATUS, Outcome.FAILED, result.message, details={"purpose": result.purpose})
        results.append(result)
    purposes = sorted({result.purpose for result in results})
    report.status = StatusOutcome(StatusState.VALID, purposes[0] if len(purposes) == 1 else None)
    return Check(CheckId.STATUS, Outcome.PASSED, " ".join(result.message for result in results))


def _trust_check(
    report: VerificationReport,
    binding: Check,
    document: Mapping[str, Any],
    registry: IssuerRegistry | None,
    now: datetime,
) -> Check:
    if registry is None:
        return Check(CheckId.ISSUER_TRUST, Outcome.SKIPPED, "No trust registry was consulted.")
    if binding.outcome is not Outcome.PASSED:
        # Accreditation belongs to an issuer; a key not proven to be theirs borrows nothing from it.
        report.trust = Trust.NOT_TRUSTWORTHY if binding.outcome is Outcome.FAILED else Trust.OUTSIDE_SCHEME
        outcome = Outcome.FAILED if binding.outcome is Outcome.FAILED else Outcome.WARNING
        return Check(
            CheckId.ISSUER_TRUST,
            outcome,
            "The trust registry was not consulted: the signing key is not proven to be the issuer's.",
            details={"trust": report.trust.value},
        )
    assert report.issuer_id is not None
    try:
        decision = registry.decide(report.issuer_id, document, now)
    except VcError as error:  # the registry could not answer: no trust is implied
        return Check(
            CheckId.ISSUER_TRUST,
            Outcome.FAILED,
            f"The trust registry could not be consulted: {error.message}",
        )
    report.trust = decision.trust
    report.scheme_operator = decision.scheme_operator
    outcome = {
        Trust.ACCREDITED: Outcome.PASSED,
        Trust.OUTSIDE_SCHEME: Outcome.WARNING,
        Trust.NOT_TRUSTWORTHY: Outcome.FAILED,
    }[decision.trust]
    # The registry's name and logo for the issuer (never the credential's), for pages to show.
    details = {"trust": decision.trust.value}
    if decision.issuer_name:
        details["issuerName"] = decision.issuer_name
    if decision.issuer_logo:
        details["issuerLogo"] = decision.issuer_logo
    return Check(CheckId.ISSUER_TRUST, outcome, decision.message, details=details)
