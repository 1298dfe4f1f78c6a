"""The passport's port to the verification service: the same report as the public verifier.

The composition root hands the app's `verification.service.Verifier` to the passport in `PassportPorts`
(a service of the app: `core.services`); the passport depends only on this protocol, and reads each
report with `live_status` (what a learner or a viewer of a share link is told about a credential now:
`network.verdict`, from the report's data) and names its issuer with `LiveChecker.issuer_of`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from core.i18n import N_, gettext
from core.services import services_of
from network.naming import IssuerName, issuer_name, own_provider
from network.verdict import Verdict, verdict_of
from passport.config import PassportConfig
from vc.report import CheckId, Outcome, ProofState, VerificationReport


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
    NOT_VERIFIED = "not_verified"  # not genuine, its status not established, or its issuer not trustworthy


#: Marked for translation: pages show them through `live_words()` in the request's language.
LIVE_WORDS = {
    LiveStatus.VALID: N_("Verified"),
    LiveStatus.NOT_YET_VALID: N_("Not yet valid"),
    LiveStatus.EXPIRED: N_("This credential has expired"),
    LiveStatus.SUSPENDED: N_("Suspended by its issuer"),
    LiveStatus.REVOKED: N_("Revoked by its issuer"),
    LiveStatus.OUTSIDE_SCHEME: N_("Authentic, but its issuer is outside the quality-assurance scheme"),
    LiveStatus.NOT_VERIFIED: N_("Could not be verified"),
}


def live_words() -> dict[LiveStatus, str]:
    """Each live status in words, in the current language."""
    return {status: gettext(words) for status, words in LIVE_WORDS.items()}


_LIVE = {
    Verdict.VALID: LiveStatus.VALID,
    Verdict.OUTSIDE_SCHEME: LiveStatus.OUTSIDE_SCHEME,
    Verdict.REVOKED: LiveStatus.REVOKED,
    Verdict.SUSPENDED: LiveStatus.SUSPENDED,
    Verdict.EXPIRED: LiveStatus.EXPIRED,
    Verdict.NOT_YET_VALID: LiveStatus.NOT_YET_VALID,
}


def live_status(report: VerificationReport) -> LiveStatus:
    """`network.verdict.verdict_of` in the passport's words: the same rule as the employer's pages."""
    return _LIVE.get(verdict_of(report), LiveStatus.NOT_VERIFIED)


def authentic(report: VerificationReport) -> bool:
    """The proof verified with a key its issuer controls: the credential is what its issuer signed."""
    binding = report.check(CheckId.ISSUER_KEY_BINDING)
    return report.proof.state is ProofState.VERIFIED and (
        binding is None or binding.outcome is not Outcome.FAILED
    )


@dataclass(frozen=True)
class LiveChecker:
    """The verifier as the passport uses it: the report, and the issuer named by the one rule every page
    follows (`network.naming`: the registry, this service's provider table, or "not confirmed")."""

    verifier: CredentialVerifier
    base_url: str

    def verify_credential(
        self, session: Session, credential: Mapping[str, Any] | str, now: datetime
    ) -> VerificationReport:
        return self.verifier.verify_credential(session, credential, now)

    def issuer_of(self, session: Session, report: VerificationReport) -> IssuerName:
        return issuer_name(report, own_provider(session, self.base_url, report))


@dataclass(frozen=True)
class PassportPorts:
    """What the passport asks of other domains, wired by the composition root."""

    verifier: CredentialVerifier


def get_verifier(request: Request) -> LiveChecker:
    services = services_of(request.app)
    return LiveChecker(services.get(PassportPorts).verifier, services.get(PassportConfig).base_url)


VerifierDep = Annotated[LiveChecker, Depends(get_verifier)]
