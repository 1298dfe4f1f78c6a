"""One verdict per report, the most serious first, and the facts a page may show (never before the proof
passed, never an identifier or email)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.i18n import use_locale
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
from verification.achievement_view import achievement_view
from verification.report_view import VerdictKind, report_view, verdict_of

SAMPLE = Path(__file__).resolve().parents[2] / "bench" / "sample-credential.json"

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


def test_a_key_that_could_not_be_resolved_is_a_configuration_fault_not_tampering() -> None:
    """The issuer's keys could not be fetched (a did:web under a changed or unreachable address): the
    signature was never checked, so the verdict says so, and still nothing the credential says is shown."""
    unresolved = report(proof=failed(CheckId.PROOF, "passport.old.example could not be fetched"))
    unresolved.proof = ProofOutcome(ProofState.KEY_UNRESOLVED)
    view = report_view(unresolved)
    assert view.verdict.kind is VerdictKind.KEYS_UNAVAILABLE
    assert "not that the credential was altered" in view.verdict.explanation
    assert view.achievement is None
    assert "Welding" not in str(view.facts)
    assert live_status(unresolved) is LiveStatus.NOT_VERIFIED
    # The same failed check about a signature that was checked and does not match is tampering.
    invalid = report(proof=failed(CheckId.PROOF))
    invalid.proof = ProofOutcome(ProofState.INVALID)
    assert verdict_of(invalid).kind is VerdictKind.NOT_VALID
    # ... and so is a credential that does not even follow the schema, whatever its key.
    malformed = report(proof=failed(CheckId.PROOF), schema=failed(CheckId.SCHEMA))
    malformed.proof = ProofOutcome(ProofState.KEY_UNRESOLVED)
    assert verdict_of(malformed).kind is VerdictKind.NOT_VALID


def test_dates_are_words_in_the_pages_language_and_identifiers_stay_technical() -> None:
    expired = report(
        validity_is=EXPIRED,
        validity_period=failed(
            CheckId.VALIDITY_PERIOD, "The credential expired on 2026-01-01T00:00:00+00:00."
        ),
    )
    expired.issuer_id = "did:web:college.example:issuers:1"
    view = report_view(expired)
    assert view.verdict.explanation == "It is genuine, but it expired on 1 January 2026."
    words = str([view.verdict, view.facts, view.checks, view.accreditation_message])
    assert "2026-01-01T" not in words
    assert "did:web" not in words
    technical = dict(view.technical)
    assert technical["Issuer ID"] == "did:web:college.example:issuers:1"
    assert technical["validity_period (failed)"].startswith("The credential expired on 2026-01-01T")
    with use_locale("cy"):
        welsh = report_view(expired)
    assert welsh.verdict.headline == "Wedi dod i ben"
    assert welsh.verdict.explanation == "Mae'n wirioneddol, ond daeth i ben ar 1 Ionawr 2026."


def test_revocation_date_from_the_report_or_else_the_providers_record() -> None:
    assert "on 1 November 2026" in verdict_of(report(status_is=REVOKED)).explanation
    undated = report(status_is=StatusOutcome(StatusState.REVOKED, "revocation"))
    assert verdict_of(undated).explanation == "The issuer has revoked it: do not rely on it."
    recorded = report_view(undated, status_date=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    assert recorded.verdict.explanation == "The issuer revoked it on 2 March 2026: do not rely on it."
    assert dict(recorded.facts)["Revocation"] == "Revoked on 2 March 2026"


def test_what_was_achieved_comes_from_the_signed_achievement_and_links_are_web_links_only() -> None:
    sample = json.loads(SAMPLE.read_text())
    sample["credentialSubject"]["result"] = [{"type": ["Result"], "value": "Distinction"}]
    sample["evidence"] = [
        {"id": "javascript:alert(1)", "name": "A trap"},
        {"id": "https://evidence.example.org/1", "name": "Project report", "narrative": "2,000 words."},
    ]
    achievement = achievement_view(sample, "https://passport.example.ac.uk")
    assert achievement.name == "Data Analysis Fundamentals (Level 3)"
    assert achievement.credits == "15"
    assert achievement.results == ["Distinction"]
    assert achievement.criteria is not None
    assert achievement.criteria.startswith("# Requirements")
    assert [(item.text, item.url) for item in achievement.evidence] == [
        ("A trap", None),
        ("Project report", "https://evidence.example.org/1"),
    ]
    assert achievement.alignments[0].url == "https://www.example.org/frameworks/digital-skills/analyse-data"
    # The site's Content-Security-Policy loads images from itself only: another site's is a link.
    assert achievement.image is not None
    assert achievement.image.src is not None
    elsewhere = achievement_view(sample, "https://passport.other.example")
    assert elsewhere.image is not None
    assert elsewhere.image.src is None
    assert elsewhere.image.url == sample["credentialSubject"]["achievement"]["image"]["id"]


def test_each_check_in_words_after_a_failed_proof_and_for_a_dated_revocation() -> None:
    forged = report(
        proof=failed(CheckId.PROOF),
        issuer_trust=Check(CheckId.ISSUER_TRUST, Outcome.SKIPPED, "Not checked: the proof did not verify."),
    )
    words = {check.label: check.message for check in report_view(forged).checks}
    assert words["Quality assurance"] == "Not checked: an earlier check did not pass."
    assert words["Signature (not altered)"].startswith("The signature does not match")
    revoked = report(
        status_is=StatusOutcome(StatusState.REVOKED, "revocation"), status=failed(CheckId.STATUS)
    )
    view = report_view(revoked, status_date=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    words = {check.label: check.message for check in view.checks}
    assert words["Revocation and suspension"] == "Revoked on 2 March 2026."
