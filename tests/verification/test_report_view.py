"""One verdict per report, the most serious first, and the facts a page may show (never before the proof
passed, never an identifier or email)."""

from __future__ import annotations

from typing import Any

import pytest

from network.naming import ProviderRecord
from passport.verifying import LiveStatus, live_status
from vc.report import (
    Check,
    CheckId,
    Outcome,
    ProofOutcome,
    ProofState,
    StatusOutcome,
    StatusState,
    Trust,
    ValidityOutcome,
    ValidityState,
    VerificationReport,
)
from verification.report_view import VerdictKind, report_view, verdict_of

PASSED = {check_id: Check(check_id, Outcome.PASSED, "ok") for check_id in CheckId}
CREDENTIAL: dict[str, Any] = {
    "validFrom": "2026-01-05T00:00:00Z",
    "validUntil": "2027-01-05T00:00:00Z",
    "issuer": {"id": "did:example:1", "name": "Claimed University"},
    "credentialSubject": {
        "identifier": [{"identityHash": "sha256$abc", "salt": "s"}],
        "achievement": {"name": "Welding (Level 2)", "description": "Weld safely."},
    },
}


NOT_REVOKED = StatusOutcome(StatusState.VALID, "revocation")
CURRENT = ValidityOutcome(ValidityState.CURRENT)


def report(
    trust: Trust | None = Trust.ACCREDITED,
    status_is: StatusOutcome = NOT_REVOKED,
    validity_is: ValidityOutcome = CURRENT,
    **replaced: Check,
) -> VerificationReport:
    checks = {**PASSED, **{CheckId(name): check for name, check in replaced.items()}}
    return VerificationReport(
        checks=list(checks.values()),
        credential=CREDENTIAL,
        trust=trust,
        proof=ProofOutcome(ProofState.VERIFIED),
        status=status_is,
        validity=validity_is,
    )


def failed(check_id: CheckId, message: str = "no", **details: Any) -> Check:
    return Check(check_id, Outcome.FAILED, message, details=details)


REVOKED = StatusOutcome(StatusState.REVOKED, "revocation", "2026-11-01T00:00:00Z")
EXPIRED = ValidityOutcome(ValidityState.EXPIRED, None, "2026-01-01T00:00:00Z")


@pytest.mark.parametrize(
    ("built", "kind"),
    [
        (report(), VerdictKind.VALID),
        (
            report(Trust.OUTSIDE_SCHEME, issuer_trust=Check(CheckId.ISSUER_TRUST, Outcome.WARNING, "n")),
            "outside_scheme",
        ),
        (report(Trust.NOT_TRUSTWORTHY, issuer_trust=failed(CheckId.ISSUER_TRUST)), "not_trustworthy"),
        (report(status_is=REVOKED, status=failed(CheckId.STATUS)), "revoked"),
        (
            report(
                status_is=StatusOutcome(StatusState.SUSPENDED, "suspension"),
                status=failed(CheckId.STATUS),
            ),
            "suspended",
        ),
        (
            report(status_is=StatusOutcome(StatusState.UNKNOWN), status=failed(CheckId.STATUS)),
            "unchecked",
        ),
        (report(validity_is=EXPIRED, validity_period=failed(CheckId.VALIDITY_PERIOD)), "expired"),
        (
            report(
                validity_is=ValidityOutcome(ValidityState.NOT_YET_VALID, "2030-01-01T00:00:00Z"),
                validity_period=failed(CheckId.VALIDITY_PERIOD),
            ),
            "not_yet_valid",
        ),
        # Altered beats everything else it might also be.
        (
            report(status_is=REVOKED, proof=failed(CheckId.PROOF), status=failed(CheckId.STATUS)),
            "not_valid",
        ),
        (report(issuer_key_binding=failed(CheckId.ISSUER_KEY_BINDING)), "not_valid"),
        # Revoked and expired: revoked is the stronger statement.
        (
            report(
                status_is=REVOKED,
                validity_is=EXPIRED,
                validity_period=failed(CheckId.VALIDITY_PERIOD),
                status=failed(CheckId.STATUS),
            ),
            "revoked",
        ),
    ],
)
def test_the_verdict(built: VerificationReport, kind: str) -> None:
    assert verdict_of(built).kind == kind
    assert live_status(built).value == (kind if kind in {s.value for s in LiveStatus} else "not_verified")


def test_the_verdict_is_read_from_the_data_never_from_the_messages() -> None:
    """The English says one thing, the data another: pages and the passport follow the data (before, a
    message containing "expired" or "has been revoked" decided)."""
    misleading = report(
        validity_is=ValidityOutcome(ValidityState.NOT_YET_VALID, "2030-01-01T00:00:00Z"),
        validity_period=failed(CheckId.VALIDITY_PERIOD, "Not expired: valid only from 2030."),
    )
    assert verdict_of(misleading).kind == "not_yet_valid"
    assert live_status(misleading) is LiveStatus.NOT_YET_VALID
    suspended = report(
        status_is=StatusOutcome(StatusState.SUSPENDED, "suspension"),
        status=failed(CheckId.STATUS, "Status message 0x1: it has been revoked? No: paused."),
    )
    assert verdict_of(suspended).kind == "suspended"
    assert live_status(suspended) is LiveStatus.SUSPENDED
    reworded = report(status_is=REVOKED, status=failed(CheckId.STATUS, "Withdrawn by the college."))
    assert verdict_of(reworded).kind == "revoked"
    assert live_status(reworded) is LiveStatus.REVOKED


def test_facts_come_from_the_registry_and_the_signed_award_never_the_claimed_issuer() -> None:
    passed = report(
        issuer_trust=Check(
            CheckId.ISSUER_TRUST, Outcome.PASSED, "ok", details={"issuerName": "Midlands College"}
        )
    )
    view = report_view(passed, recipient_name="Sam Jones")
    facts = dict(view.facts)
    assert facts["Awarded to"] == "Sam Jones"
    assert facts["Achievement"] == "Welding (Level 2)"
    assert facts["Issued by"] == "Midlands College"
    assert facts["Issued on"] == "5 January 2026"
    assert facts["Valid until"] == "5 January 2027"
    assert "Claimed University" not in str(view)
    assert "sha256$abc" not in str(view)


def test_nothing_a_forged_credential_says_is_shown() -> None:
    forged = report(proof=failed(CheckId.PROOF))
    view = report_view(forged, provider=ProviderRecord("Midlands College"))
    assert "Welding" not in str(view.facts)
