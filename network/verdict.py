"""One verdict for a verification report, read from the report's data (never its English messages).

The employer's pages (`verification.report_view`) and the passport (`passport.verifying`) both answer
"can I rely on this credential now?" with this function, each in its own words.

`approval_of` answers the other question, about the achievement rather than its provider: is it
approved under the network's scheme? An accredited provider's achievement may be unapproved, and an
approved achievement's provider may have lost its accreditation since; the two are reported apart.

The most serious answer wins, in the order `vc.verify` runs its checks (VC DM 2.0 §7.1, OB 3.0 §9.1):
not genuine (envelope, schema, proof, or a key the issuer does not control) -- except a proof that could
not be checked because the issuer's key could not be resolved, a fault of set-up (a did:web under a changed
or unreachable address) rather than evidence of tampering, and said so -- then the status (revoked
outranks suspended: Bitstring Status List 1.0 §3), then the validity period (VC DM 2.0 §4.9), then the
quality-assurance scheme (`network.trust_policy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vc.report import (
    CheckId,
    EndorsementState,
    Outcome,
    ProofState,
    StatusState,
    Trust,
    ValidityState,
    VerificationReport,
)

__all__ = ["Approval", "ApprovalState", "Verdict", "approval_of", "verdict_of"]

_AUTHENTICITY = (CheckId.WELL_FORMED, CheckId.SCHEMA, CheckId.PROOF, CheckId.ISSUER_KEY_BINDING)


class Verdict(StrEnum):
    VALID = "valid"  # genuine, current, not revoked, and its issuer accredited for it
    OUTSIDE_SCHEME = "outside_scheme"  # genuine and current; its issuer is not accredited for it
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NOT_TRUSTWORTHY = "not_trustworthy"  # the issuer's accreditation is suspended, withdrawn or expired
    NOT_VALID = "not_valid"  # not genuine: altered, not signed by its issuer, or not a credential
    KEYS_UNAVAILABLE = (
        "keys_unavailable"  # the issuer's keys could not be fetched: not checked, not relied on
    )
    UNCHECKED = "unchecked"  # something could not be established (e.g. its status list was unreachable)


def verdict_of(report: VerificationReport) -> Verdict:
    outcomes = {check.id: check.outcome for check in report.checks}
    if any(outcomes.get(check_id) is Outcome.FAILED for check_id in _AUTHENTICITY):
        if outcomes.get(CheckId.SCHEMA) is Outcome.PASSED and report.proof.state is ProofState.KEY_UNRESOLVED:
            return Verdict.KEYS_UNAVAILABLE
        return Verdict.NOT_VALID
    if report.status.state is StatusState.REVOKED:
        return Verdict.REVOKED
    if report.status.state is StatusState.SUSPENDED:
        return Verdict.SUSPENDED
    if outcomes.get(CheckId.STATUS) is Outcome.FAILED:
        return Verdict.UNCHECKED  # flagged for another purpose, or the status could not be looked up
    if report.validity.state is ValidityState.EXPIRED:
        return Verdict.EXPIRED
    if report.validity.state is ValidityState.NOT_YET_VALID:
        return Verdict.NOT_YET_VALID
    if report.trust is Trust.NOT_TRUSTWORTHY or outcomes.get(CheckId.ISSUER_TRUST) is Outcome.FAILED:
        return Verdict.NOT_TRUSTWORTHY
    if not report.verified:
        return Verdict.UNCHECKED
    if report.trust is Trust.OUTSIDE_SCHEME:
        return Verdict.OUTSIDE_SCHEME
    return Verdict.VALID


class ApprovalState(StrEnum):
    APPROVED = "approved"  # the operator's endorsement of this achievement verifies and is not revoked
    WITHDRAWN = (
        "withdrawn"  # the operator's endorsement is revoked (or suspended): the approval was withdrawn
    )
    NOT_APPROVED = "not_approved"  # no endorsement of the operator's
    NOT_TRUSTED = "not_trusted"  # endorsements are there, but none is a genuine approval by the operator


@dataclass(frozen=True)
class Approval:
    state: ApprovalState
    scheme: str | None = None  # the endorsement's name: the scheme, as the operator signed it
    date: str | None = None  # approved: when (the endorsement's validFrom); withdrawn: when, if known
    endorser: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "scheme": self.scheme,
            "date": self.date,
            "endorser": self.endorser,
        }


def approval_of(report: VerificationReport) -> Approval:
    """Whether the credential's achievement is approved under the scheme, from the embedded endorsements
    (`vc.verify.verify_endorsements`): one of the achievement's, endorsing that very achievement, by the
    scheme's operator (the trust registry's word, its key bound to the operator's DID). A withdrawn
    approval does not touch the credential's own verdict. Any other endorsement is reported, never
    trusted as an approval (a provider cannot approve its own achievement by endorsing it)."""
    if not report.endorsements:
        return Approval(ApprovalState.NOT_APPROVED)
    operator = [
        endorsement
        for endorsement in report.endorsements
        if endorsement.where == "achievement" and endorsement.endorses_this and endorsement.scheme_operator
    ]
    for endorsement in operator:
        if endorsement.state is EndorsementState.VERIFIED:
            return Approval(
                ApprovalState.APPROVED, endorsement.name, endorsement.valid_from, endorsement.endorser_name
            )
    for endorsement in operator:
        if endorsement.state in (EndorsementState.REVOKED, EndorsementState.SUSPENDED):
            return Approval(
                ApprovalState.WITHDRAWN, endorsement.name, endorsement.status_date, endorsement.endorser_name
            )
    if any(endorsement.where == "achievement" for endorsement in report.endorsements) or operator:
        return Approval(ApprovalState.NOT_TRUSTED)
    return Approval(ApprovalState.NOT_APPROVED)
