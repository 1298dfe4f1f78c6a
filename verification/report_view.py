"""A verification report in plain English for people: a verdict, the facts, and each check.

The page never shows what a credential says about its own issuer (name, logo): those come from the trust
registry or, for this service's own providers, from the provider record (`IssuerRecord`). What it says
about the award (achievement, dates) is shown only once its proof has passed. No recipient email or
hashed identifier is ever shown: the recipient's name only when the provider gave one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from vc.fields import parse_datetime
from vc.report import Check, CheckId, Outcome, Trust, VerificationReport

__all__ = ["IssuerRecord", "ReportView", "Verdict", "VerdictKind", "report_view"]


class VerdictKind(StrEnum):
    VALID = "valid"
    OUTSIDE_SCHEME = "outside_scheme"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NOT_TRUSTWORTHY = "not_trustworthy"
    NOT_VALID = "not_valid"
    UNCHECKED = "unchecked"


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
    tone: str  # "ok" | "warn" | "bad": the CSS class of the verdict block
    headline: str
    explanation: str


@dataclass(frozen=True)
class IssuerRecord:
    """What the service knows about a provider itself (never read from a credential)."""

    name: str
    logo_url: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class CheckView:
    label: str
    outcome: str
    message: str


@dataclass
class ReportView:
    verdict: Verdict
    facts: list[tuple[str, str]] = field(default_factory=list)
    issuer_name: str | None = None
    issuer_logo: str | None = None
    accreditation: str | None = None
    accreditation_message: str | None = None
    checks: list[CheckView] = field(default_factory=list)
    checked_at: str | None = None


_LABELS = {
    CheckId.WELL_FORMED: "Readable credential",
    CheckId.SCHEMA: "Open Badges 3.0 format",
    CheckId.PROOF: "Signature (not altered)",
    CheckId.ISSUER_KEY_BINDING: "Signed by the issuer",
    CheckId.VALIDITY_PERIOD: "Validity period",
    CheckId.STATUS: "Revocation and suspension",
    CheckId.ISSUER_TRUST: "Quality assurance",
}
_ACCREDITATION = {
    Trust.ACCREDITED: "Accredited",
    Trust.OUTSIDE_SCHEME: "Outside the quality-assurance scheme",
    Trust.NOT_TRUSTWORTHY: "Not trustworthy",
}
_STATUS_WORDS = {
    Outcome.PASSED: "Not revoked or suspended (checked now with the issuer's status list)",
    Outcome.SKIPPED: "The credential cannot be revoked (it has no status entry)",
}
_AUTHENTICITY = (CheckId.WELL_FORMED, CheckId.SCHEMA, CheckId.PROOF, CheckId.ISSUER_KEY_BINDING)


def _day(moment: datetime | None) -> str | None:
    return f"{moment.day} {moment:%B %Y}" if moment else None


def _failed(report: VerificationReport, check_id: CheckId) -> Check | None:
    check = report.check(check_id)
    return check if check is not None and check.outcome is Outcome.FAILED else None


def verdict_of(report: VerificationReport) -> Verdict:
    """One verdict, the most serious first: not genuine, revoked or suspended, expired, then trust."""
    for check_id in _AUTHENTICITY:
        failed = _failed(report, check_id)
        if failed is not None:
            return Verdict(
                VerdictKind.NOT_VALID,
                "bad",
                "Not valid",
                "This credential has been altered, is not signed by its issuer, or is not a credential: "
                f"do not rely on it. {failed.message}",
            )
    status = _failed(report, CheckId.STATUS)
    if status is not None:
        purpose = status.details.get("purpose")
        if purpose == "revocation":
            return Verdict(
                VerdictKind.REVOKED, "bad", "Revoked", "The issuer has revoked it: do not rely on it."
            )
        if purpose == "suspension":
            explanation = "The issuer has suspended it: do not rely on it for now."
            return Verdict(VerdictKind.SUSPENDED, "bad", "Suspended", explanation)
        return Verdict(VerdictKind.UNCHECKED, "bad", "Could not be checked", status.message)
    validity = _failed(report, CheckId.VALIDITY_PERIOD)
    if validity is not None:
        if "expired" in validity.message:
            return Verdict(
                VerdictKind.EXPIRED,
                "bad",
                "Expired",
                f"It is genuine but no longer valid. {validity.message}",
            )
        return Verdict(VerdictKind.NOT_YET_VALID, "warn", "Not yet valid", validity.message)
    trust = report.check(CheckId.ISSUER_TRUST)
    if report.trust is Trust.NOT_TRUSTWORTHY or (trust is not None and trust.outcome is Outcome.FAILED):
        message = trust.message if trust else ""
        return Verdict(VerdictKind.NOT_TRUSTWORTHY, "bad", "Issuer not trustworthy", message)
    if report.trust is Trust.OUTSIDE_SCHEME:
        return Verdict(
            VerdictKind.OUTSIDE_SCHEME,
            "warn",
            "Genuine, but outside the quality-assurance scheme",
            "The credential is genuine and current, but its issuer is not accredited for it. "
            + (trust.message if trust else ""),
        )
    if report.verified:
        return Verdict(
            VerdictKind.VALID,
            "ok",
            "Valid",
            "Genuine, issued by an accredited provider, not revoked and not expired.",
        )
    return Verdict(VerdictKind.UNCHECKED, "bad", "Could not be checked", "See the checks below.")


def report_view(
    report: VerificationReport,
    *,
    issuer_record: IssuerRecord | None = None,
    recipient_name: str | None = None,
) -> ReportView:
    """The page's content for `report`; `issuer_record` and `recipient_name` come from the service's own
    records, when the credential is one of ours."""
    checked = parse_datetime(report.checked_at)
    view = ReportView(
        verdict=verdict_of(report), checked_at=f"{_day(checked)}, {checked:%H:%M} UTC" if checked else None
    )
    view.checks = [
        CheckView(_LABELS.get(check.id, check.id.value), check.outcome.value, check.message)
        for check in report.checks
    ]
    trust = report.check(CheckId.ISSUER_TRUST)
    details = trust.details if trust is not None else {}
    view.issuer_name = details.get("issuerName") or (issuer_record.name if issuer_record else None)
    view.issuer_logo = details.get("issuerLogo") or (issuer_record.logo_url if issuer_record else None)
    if report.trust is not None:
        view.accreditation = _ACCREDITATION[report.trust]
        view.accreditation_message = trust.message if trust else None
    proof = report.check(CheckId.PROOF)
    genuine = proof is not None and proof.outcome is Outcome.PASSED
    credential = report.credential if genuine and isinstance(report.credential, Mapping) else {}
    view.facts = _facts(credential, recipient_name, view.issuer_name)
    status = report.check(CheckId.STATUS)
    if genuine and status is not None:
        view.facts.append(("Revocation", _STATUS_WORDS.get(status.outcome, status.message)))
    return view


def _facts(
    credential: Mapping[str, Any], recipient_name: str | None, issuer_name: str | None
) -> list[tuple[str, str]]:
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    achievement = achievement if isinstance(achievement, Mapping) else {}
    facts: list[tuple[str, str]] = []
    if recipient_name:
        facts.append(("Awarded to", recipient_name))
    if isinstance(achievement.get("name"), str):
        facts.append(("Achievement", achievement["name"]))
    if isinstance(achievement.get("description"), str):
        facts.append(("Description", achievement["description"][:600]))
    facts.append(("Issued by", issuer_name or "Not known to this service's register"))
    for label, names in (
        ("Issued on", ("validFrom", "issuanceDate")),
        ("Valid until", ("validUntil", "expirationDate")),
    ):
        moment = next((parse_datetime(credential[name]) for name in names if name in credential), None)
        if _day(moment) is not None:
            facts.append((label, str(_day(moment))))
    if credential and not any(label == "Valid until" for label, _ in facts):
        facts.append(("Valid until", "No expiry date"))
    return facts
