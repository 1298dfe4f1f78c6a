"""Embedded endorsements (OB 3.0 §B.1 EndorsementCredential), each verified on its own with the same
pipeline as a credential: its proof and key binding, validity period, status, and the trust registry's
word on its endorser (`TrustDecision.scheme_operator` when the endorser is the scheme's operator). The
results are data (`VerificationReport.endorsements`), never a check of the credential that carries them:
a revoked or forged endorsement does not make the credential less genuine. What an endorsement *means*
(a scheme approval) is decided elsewhere (`network.verdict.approval_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .fields import types_of
from .report import (
    CheckId,
    EndorsementResult,
    EndorsementState,
    Outcome,
    StatusState,
    ValidityState,
    VerificationReport,
)

__all__ = ["MAX_ENDORSEMENTS", "embedded_endorsements", "verify_endorsements"]

Verify = Callable[[Mapping[str, Any] | str], VerificationReport]

#: At most this many embedded endorsements are verified; any more are ignored (each costs a verification).
MAX_ENDORSEMENTS = 8
#: An endorsement is genuine when these pass (a key not shown to be the endorser's is not enough) ...
_MUST_PASS = (CheckId.PROOF, CheckId.ISSUER_KEY_BINDING)
#: ... and these do not fail.
_MUST_NOT_FAIL = (CheckId.WELL_FORMED, CheckId.SCHEMA)


def embedded_endorsements(document: Mapping[str, Any]) -> list[tuple[str, str | None, Any]]:
    """(where, the id of what holds it, endorsement) for each endorsement the credential embeds: in its
    achievement(s), in the credential itself and in its issuer, objects (``endorsement``) and VC-JWTs
    (``endorsementJwt``) alike. The credential is untrusted input: anything odd is skipped."""
    holders: list[tuple[str, Any]] = []
    subjects = document.get("credentialSubject")
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        if isinstance(subject, Mapping):
            holders.append(("achievement", subject.get("achievement")))
    holders.append(("credential", document))
    holders.append(("issuer", document.get("issuer")))
    found: list[tuple[str, str | None, Any]] = []
    for where, holder in holders:
        if not isinstance(holder, Mapping):
            continue
        holder_id = holder.get("id") if isinstance(holder.get("id"), str) else None
        for name in ("endorsement", "endorsementJwt"):
            values = holder.get(name)
            for value in values if isinstance(values, list) else [values] if values is not None else []:
                if isinstance(value, (Mapping, str)):
                    found.append((where, holder_id, value))
    return found[:MAX_ENDORSEMENTS]


def verify_endorsements(document: Mapping[str, Any], verify: Verify) -> list[EndorsementResult]:
    """Each embedded endorsement verified on its own by `verify` (`vc.verify.verify_credential` with the
    same ports and clock, not following the endorsement's own endorsements)."""
    return [
        _endorsement_result(where, holder_id, verify(endorsement))
        for where, holder_id, endorsement in embedded_endorsements(document)
    ]


def _endorsement_result(where: str, holder_id: str | None, nested: VerificationReport) -> EndorsementResult:
    document = nested.credential or {}
    subject = document.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, Mapping) else None
    subject_id = subject_id if isinstance(subject_id, str) else None
    comment = subject.get("endorsementComment") if isinstance(subject, Mapping) else None
    name = document.get("name")
    trust = nested.check(CheckId.ISSUER_TRUST)
    decided = trust is not None and trust.outcome is not Outcome.SKIPPED
    return EndorsementResult(
        where=where,
        state=_endorsement_state(nested),
        id=document.get("id") if isinstance(document.get("id"), str) else None,
        endorser=nested.issuer_id,
        endorser_name=trust.details.get("issuerName") if trust is not None and decided else None,
        scheme_operator=decided and nested.scheme_operator,
        subject=subject_id,
        endorses_this=subject_id is not None and subject_id == holder_id,
        name=name if isinstance(name, str) else None,
        comment=comment if isinstance(comment, str) else None,
        valid_from=nested.validity.valid_from,
        status_date=nested.status.date,
    )


def _endorsement_state(report: VerificationReport) -> EndorsementState:
    outcomes = {check.id: check.outcome for check in report.checks}
    if any(outcomes.get(check_id) is not Outcome.PASSED for check_id in _MUST_PASS) or any(
        outcomes.get(check_id) is Outcome.FAILED for check_id in _MUST_NOT_FAIL
    ):
        return EndorsementState.NOT_VERIFIED
    if "EndorsementCredential" not in types_of(report.credential or {}):
        return EndorsementState.NOT_VERIFIED
    if report.status.state is StatusState.REVOKED:
        return EndorsementState.REVOKED
    if report.status.state is StatusState.SUSPENDED:
        return EndorsementState.SUSPENDED
    if outcomes.get(CheckId.STATUS) is Outcome.FAILED:
        return EndorsementState.UNCHECKED
    if report.validity.state is ValidityState.EXPIRED:
        return EndorsementState.EXPIRED
    if report.validity.state is ValidityState.NOT_YET_VALID:
        return EndorsementState.NOT_YET_VALID
    return EndorsementState.VERIFIED if report.verified else EndorsementState.UNCHECKED
