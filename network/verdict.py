"""One verdict for a verification report, read from the report's data (never its English messages).

The employer's pages (`verification.report_view`) and the passport (`passport.verifying`) both answer
"can I rely on this credential now?" with this function, each in its own words.

The most serious answer wins, in the order `vc.verify` runs its checks (VC DM 2.0 §7.1, OB 3.0 §9.1):
not genuine (envelope, schema, proof, or a key the issuer does not control) -- except a proof that could
not be checked because the issuer's key could not be resolved, a fault of set-up (a did:web under a changed
or unreachable address) rather than evidence of tampering, and said so -- then the status (revoked
outranks suspended: Bitstring Status List 1.0 §3), then the validity period (VC DM 2.0 §4.9), then the
quality-assurance scheme (`network.trust_policy`).
"""

from __future__ import annotations

from enum import StrEnum

from vc.report import CheckId, Outcome, ProofState, StatusState, Trust, ValidityState, VerificationReport

__all__ = ["Verdict", "verdict_of"]

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
