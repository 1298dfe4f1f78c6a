"""A verification report in plain English for people: a verdict, the facts, and each check.

The verdict is `network.verdict.verdict_of`, read from the report's data (never its messages). The
issuer is named by `network.naming.issuer_name`: from the trust registry or, for this service's own
providers, the provider record; a name the credential gives itself is shown as "not confirmed". What it
says about the award (achievement, dates) is shown only once its proof has passed. No recipient email or
hashed identifier is ever shown: the recipient's name only when the provider gave one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from network.naming import IssuerName, ProviderRecord, issuer_name
from network.verdict import ApprovalState, approval_of
from network.verdict import Verdict as VerdictKind
from network.verdict import verdict_of as verdict_kind
from vc.fields import parse_datetime
from vc.report import CheckId, Outcome, StatusState, Trust, VerificationReport

__all__ = ["ProviderRecord", "ReportView", "Verdict", "VerdictKind", "report_view", "verdict_of"]


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
    tone: str  # "ok" | "warn" | "bad": the CSS class of the verdict block
    headline: str
    explanation: str


@dataclass(frozen=True)
class CheckView:
    label: str
    outcome: str
    message: str


@dataclass(frozen=True)
class ApprovalLine:
    """The achievement's approval under the scheme (`network.verdict.approval_of`), for the page's
    approval block (verification_approval.html, which words it in the page's language)."""

    state: str  # an ApprovalState value
    scheme: str | None
    date: datetime | None


def approval_line(report: VerificationReport) -> ApprovalLine | None:
    """None when there is nothing to say (no endorsement at all)."""
    approval = approval_of(report)
    if approval.state is ApprovalState.NOT_APPROVED:
        return None
    return ApprovalLine(approval.state.value, approval.scheme, parse_datetime(approval.date))


@dataclass
class ReportView:
    verdict: Verdict
    issuer: IssuerName
    facts: list[tuple[str, str]] = field(default_factory=list)
    accreditation: str | None = None
    accreditation_message: str | None = None
    checks: list[CheckView] = field(default_factory=list)
    checked_at: str | None = None
    approval: ApprovalLine | None = None

    @property
    def issuer_logo(self) -> str | None:
        return self.issuer.logo_url


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
    StatusState.VALID: "Not revoked or suspended (checked now with the issuer's status list)",
    StatusState.NONE: "The credential cannot be revoked (it has no status entry)",
}


def _day(moment: datetime | None) -> str | None:
    return f"{moment.day} {moment:%B %Y}" if moment else None


def _message(report: VerificationReport, check_id: CheckId) -> str:
    check = report.check(check_id)
    return check.message if check is not None else ""


def verdict_of(report: VerificationReport) -> Verdict:
    """The verdict in words: the checks' own messages explain, they never decide."""
    kind = verdict_kind(report)
    if kind is VerdictKind.NOT_VALID:
        failed = next((check for check in report.errors), None)
        return Verdict(
            kind,
            "bad",
            "Not valid",
            "This credential has been altered, is not signed by its issuer, or is not a credential: "
            f"do not rely on it. {failed.message if failed else ''}".rstrip(),
        )
    if kind is VerdictKind.REVOKED:
        return Verdict(kind, "bad", "Revoked", "The issuer has revoked it: do not rely on it.")
    if kind is VerdictKind.SUSPENDED:
        return Verdict(kind, "bad", "Suspended", "The issuer has suspended it: do not rely on it for now.")
    if kind is VerdictKind.EXPIRED:
        explanation = f"It is genuine but no longer valid. {_message(report, CheckId.VALIDITY_PERIOD)}"
        return Verdict(kind, "bad", "Expired", explanation)
    if kind is VerdictKind.NOT_YET_VALID:
        return Verdict(kind, "warn", "Not yet valid", _message(report, CheckId.VALIDITY_PERIOD))
    if kind is VerdictKind.NOT_TRUSTWORTHY:
        return Verdict(kind, "bad", "Issuer not trustworthy", _message(report, CheckId.ISSUER_TRUST))
    if kind is VerdictKind.OUTSIDE_SCHEME:
        return Verdict(
            kind,
            "warn",
            "Genuine, but outside the quality-assurance scheme",
            "The credential is genuine and current, but its issuer is not accredited for it. "
            + _message(report, CheckId.ISSUER_TRUST),
        )
    if kind is VerdictKind.VALID:
        return Verdict(
            kind,
            "ok",
            "Valid",
            "Genuine, vouched for by the quality-assurance scheme, not revoked and not expired.",
        )
    status_failed = report.check(CheckId.STATUS)
    explanation = (
        status_failed.message
        if status_failed is not None and status_failed.outcome is Outcome.FAILED
        else "See the checks below."
    )
    return Verdict(kind, "bad", "Could not be checked", explanation)


def report_view(
    report: VerificationReport,
    *,
    provider: ProviderRecord | None = None,
    recipient_name: str | None = None,
) -> ReportView:
    """The page's content for `report`; `provider` and `recipient_name` come from the service's own
    records, when the credential is one of ours (`network.naming.own_provider`, or its stored row)."""
    checked = parse_datetime(report.checked_at)
    view = ReportView(
        verdict=verdict_of(report),
        issuer=issuer_name(report, provider),
        checked_at=f"{_day(checked)}, {checked:%H:%M} UTC" if checked else None,
        approval=approval_line(report),
    )
    view.checks = [
        CheckView(_LABELS.get(check.id, check.id.value), check.outcome.value, check.message)
        for check in report.checks
    ]
    trust = report.check(CheckId.ISSUER_TRUST)
    if report.trust is not None:
        view.accreditation = _ACCREDITATION[report.trust]
        view.accreditation_message = trust.message if trust else None
    proof = report.check(CheckId.PROOF)
    genuine = proof is not None and proof.outcome is Outcome.PASSED
    credential = report.credential if genuine and isinstance(report.credential, Mapping) else {}
    view.facts = _facts(credential, recipient_name, view.issuer.shown)
    status = report.check(CheckId.STATUS)
    if genuine and status is not None:
        view.facts.append(("Revocation", _STATUS_WORDS.get(report.status.state, status.message)))
    return view


def _facts(
    credential: Mapping[str, Any], recipient_name: str | None, issued_by: str
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
    facts.append(("Issued by", issued_by))
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
