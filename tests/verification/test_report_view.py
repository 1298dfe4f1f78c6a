"""One verdict per report, the most serious first, and the facts a page may show (never before the proof
passed, never an identifier or email)."""

from __future__ import annotations

from typing import Any

import pytest

from vc.report import Check, CheckId, Outcome, Trust, VerificationReport
from verification.report_view import IssuerRecord, VerdictKind, report_view, verdict_of

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


def report(trust: Trust | None = Trust.ACCREDITED, **replaced: Check) -> VerificationReport:
    checks = {**PASSED, **{CheckId(name): check for name, check in replaced.items()}}
    return VerificationReport(checks=list(checks.values()), credential=CREDENTIAL, trust=trust)


def failed(check_id: CheckId, message: str = "no", **details: Any) -> Check:
    return Check(check_id, Outcome.FAILED, message, details=details)


@pytest.mark.parametrize(
    ("built", "kind"),
    [
        (report(), VerdictKind.VALID),
        (
            report(Trust.OUTSIDE_SCHEME, issuer_trust=Check(CheckId.ISSUER_TRUST, Outcome.WARNING, "n")),
            "outside_scheme",
        ),
        (report(Trust.NOT_TRUSTWORTHY, issuer_trust=failed(CheckId.ISSUER_TRUST)), "not_trustworthy"),
        (report(status=failed(CheckId.STATUS, purpose="revocation")), "revoked"),
        (report(status=failed(CheckId.STATUS, purpose="suspension")), "suspended"),
        (report(status=failed(CheckId.STATUS, "could not be checked")), "unchecked"),
        (report(validity_period=failed(CheckId.VALIDITY_PERIOD, "The credential expired on x.")), "expired"),
        (report(validity_period=failed(CheckId.VALIDITY_PERIOD, "not valid until x")), "not_yet_valid"),
        # Altered beats everything else it might also be.
        (
            report(proof=failed(CheckId.PROOF), status=failed(CheckId.STATUS, purpose="revocation")),
            "not_valid",
        ),
        (report(issuer_key_binding=failed(CheckId.ISSUER_KEY_BINDING)), "not_valid"),
        # Revoked and expired: revoked is the stronger statement.
        (
            report(
                status=failed(CheckId.STATUS, purpose="revocation"),
                validity_period=failed(CheckId.VALIDITY_PERIOD, "expired"),
            ),
            "revoked",
        ),
    ],
)
def test_the_verdict(built: VerificationReport, kind: str) -> None:
    assert verdict_of(built).kind == kind


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
    view = report_view(forged, issuer_record=IssuerRecord("Midlands College"))
    assert "Welding" not in str(view.facts)
