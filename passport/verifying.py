"""The passport's port to the verification service: the same report as the public verifier.

The composition root hands the app's `verification.service.Verifier` to the passport in `PassportPorts`
(a service of the app: `core.services`); the passport depends only on this protocol, and reads each
report with `live_status` (what a learner or a viewer of a share link is told about a credential now).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from core.services import services_of
from vc.report import CheckId, Outcome, Trust, VerificationReport


class CredentialVerifier(Protocol):
    def verify_credential(
        self, session: Session, credential: Mapping[str, Any] | str, now: datetime
    ) -> VerificationReport: ...


class LiveStatus(StrEnum):
    """What a full verification says about a credential now, in one word (the report says why)."""

    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    OUTSIDE_SCHEME = "outside_scheme"  # authentic and current, but its issuer is not accredited for it
    NOT_VERIFIED = "not_verified"  # the proof, the issuer's key, or the status could not be confirmed


LIVE_WORDS = {
    LiveStatus.VALID: "Verified",
    LiveStatus.NOT_YET_VALID: "Not yet valid",
    LiveStatus.EXPIRED: "This credential has expired",
    LiveStatus.SUSPENDED: "Suspended by its issuer",
    LiveStatus.REVOKED: "Revoked by its issuer",
    LiveStatus.OUTSIDE_SCHEME: "Authentic, but its issuer is outside the quality-assurance scheme",
    LiveStatus.NOT_VERIFIED: "Could not be verified",
}


def live_status(report: VerificationReport) -> LiveStatus:
    """Proof and key first (nothing else matters if they fail), then status, then the validity period,
    then trust: the order `vc.verify` runs its checks in (VC DM 2.0 §7.1)."""
    outcomes = {check.id: check.outcome for check in report.checks}
    for required in (CheckId.WELL_FORMED, CheckId.PROOF, CheckId.ISSUER_KEY_BINDING):
        if outcomes.get(required) is Outcome.FAILED:
            return LiveStatus.NOT_VERIFIED
    status_check = report.check(CheckId.STATUS)
    if status_check is not None and status_check.outcome is Outcome.FAILED:
        message = status_check.message.lower()
        if "has been suspended" in message:
            return LiveStatus.SUSPENDED
        if "has been revoked" in message:
            return LiveStatus.REVOKED
        return LiveStatus.NOT_VERIFIED
    period = report.check(CheckId.VALIDITY_PERIOD)
    if period is not None and period.outcome is Outcome.FAILED:
        return LiveStatus.EXPIRED if "expired" in period.message else LiveStatus.NOT_YET_VALID
    if not report.verified:
        return LiveStatus.NOT_VERIFIED
    if report.trust in (Trust.OUTSIDE_SCHEME, Trust.NOT_TRUSTWORTHY):
        return LiveStatus.OUTSIDE_SCHEME if report.trust is Trust.OUTSIDE_SCHEME else LiveStatus.NOT_VERIFIED
    return LiveStatus.VALID


def authentic(report: VerificationReport) -> bool:
    """The proof verified with a key its issuer controls: the credential is what its issuer signed."""
    proof = report.check(CheckId.PROOF)
    binding = report.check(CheckId.ISSUER_KEY_BINDING)
    return (
        proof is not None
        and proof.outcome is Outcome.PASSED
        and (binding is None or binding.outcome is not Outcome.FAILED)
    )


@dataclass(frozen=True)
class PassportPorts:
    """What the passport asks of other domains, wired by the composition root."""

    verifier: CredentialVerifier


def get_verifier(request: Request) -> CredentialVerifier:
    return services_of(request.app).get(PassportPorts).verifier


VerifierDep = Annotated[CredentialVerifier, Depends(get_verifier)]
