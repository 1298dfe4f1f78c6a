"""A verification report in plain words for people, in English or Welsh: a verdict, the facts, what was
achieved, each check, and the technical details.

The verdict is `network.verdict.verdict_of`, read from the report's data (never its messages). The
issuer is named by `network.naming.issuer_name`: from the trust registry or, for this service's own
providers, the provider record; a name the credential gives itself is shown as "not confirmed". What it
says about the award (achievement, dates) is shown only once its proof has passed. No recipient email or
hashed identifier is ever shown: the recipient's name only when the provider gave one.

Prose holds no raw identifier (DID, URL of a key, ISO timestamp): dates are in words, in the page's
language (`core.i18n.format_date`); identifiers and the checks' own (English) messages go in
``technical``, which the page shows in a section of its own that wraps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from core.i18n import N_, format_date, format_datetime, gettext
from network.bursaries.credential import HOST_GENRE
from network.naming import IssuerName, ProviderRecord, issuer_name
from network.verdict import ApprovalState, approval_of
from network.verdict import Verdict as VerdictKind
from network.verdict import verdict_of as verdict_kind
from vc.fields import parse_datetime
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

from .achievement_view import AchievementView, Image, achievement_view, image_of

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
    outcome: str  # the Outcome value: the CSS class of its tag
    outcome_words: str
    message: str


@dataclass(frozen=True)
class ApprovalLine:
    """The achievement's approval under the scheme (`network.verdict.approval_of`), for the page's
    approval block (verification_approval.html, which words it in the page's language)."""

    state: str  # an ApprovalState value
    scheme: str | None
    date: datetime | None


@dataclass(frozen=True)
class EndorsementLine:
    """Who vouches for the credential besides its issuer, said honestly (verification_endorsements.html):
    ``signed`` a verified EndorsementCredential by `name`; ``not_verified`` an embedded endorsement that
    does not verify; ``named`` a host the issuer names in its evidence (`network.bursaries.credential.
    HOST_GENRE`) who signed nothing. The scheme operator's approvals have their own block."""

    kind: str  # "signed" | "not_verified" | "named"
    name: str
    endorser: str | None = None  # the endorser's DID (signed ones), for the technical-minded


def endorsement_lines(report: VerificationReport, credential: Mapping[str, object]) -> list[EndorsementLine]:
    """The endorsements of a genuine credential (its proof passed: `credential` is empty otherwise)."""
    if not credential:
        return []
    embedded = credential.get("endorsement")
    names = {}
    for item in embedded if isinstance(embedded, list) else []:
        issuer = item.get("issuer") if isinstance(item, Mapping) else None
        if (
            isinstance(issuer, Mapping)
            and isinstance(item.get("id"), str)
            and isinstance(issuer.get("name"), str)
        ):
            names[item["id"]] = issuer["name"]
    lines = []
    for result in report.endorsements:
        if result.scheme_operator:
            continue
        name = result.endorser_name or names.get(result.id or "") or result.endorser or "?"
        signed = result.state is EndorsementState.VERIFIED and result.endorses_this
        lines.append(EndorsementLine("signed" if signed else "not_verified", name[:200], result.endorser))
    evidence = credential.get("evidence")
    for item in evidence if isinstance(evidence, list) else []:
        if (
            isinstance(item, Mapping)
            and item.get("genre") == HOST_GENRE
            and isinstance(item.get("name"), str)
        ):
            lines.append(EndorsementLine("named", item["name"][:200]))
    return lines


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
    achievement: AchievementView | None = None
    accreditation: str | None = None
    accreditation_message: str | None = None
    accreditor: str | None = None
    checks: list[CheckView] = field(default_factory=list)
    technical: list[tuple[str, str]] = field(default_factory=list)
    checked_at: str | None = None
    issuer_image: Image | None = None
    approval: ApprovalLine | None = None
    endorsements: list[EndorsementLine] = field(default_factory=list)

    @property
    def issuer_logo(self) -> str | None:
        return self.issuer_image.src if self.issuer_image else None


_LABELS = {
    CheckId.WELL_FORMED: N_("Readable credential"),
    CheckId.SCHEMA: N_("Open Badges 3.0 format"),
    CheckId.PROOF: N_("Signature (not altered)"),
    CheckId.ISSUER_KEY_BINDING: N_("Signed by the issuer"),
    CheckId.VALIDITY_PERIOD: N_("Validity period"),
    CheckId.STATUS: N_("Revocation and suspension"),
    CheckId.ISSUER_TRUST: N_("Quality assurance"),
}
_OUTCOMES = {
    Outcome.PASSED: N_("Passed"),
    Outcome.FAILED: N_("Failed"),
    Outcome.WARNING: N_("Warning"),
    Outcome.SKIPPED: N_("Not checked"),
}
_ACCREDITATION = {
    Trust.ACCREDITED: N_("Accredited"),
    Trust.OUTSIDE_SCHEME: N_("Outside the quality-assurance scheme"),
    Trust.NOT_TRUSTWORTHY: N_("Not trustworthy"),
}
#: What each check came to, in words (by check and outcome); None: see `_check_words`.
_PASSED = {
    CheckId.WELL_FORMED: N_("It is a readable credential."),
    CheckId.SCHEMA: N_("It follows the Open Badges 3.0 format."),
    CheckId.PROOF: N_("The signature is valid: nothing has been changed since it was signed."),
    CheckId.ISSUER_KEY_BINDING: N_("It was signed with a key that belongs to the issuer."),
}
_FAILED = {
    CheckId.WELL_FORMED: N_("It is not a readable credential."),
    CheckId.SCHEMA: N_("It does not follow the Open Badges 3.0 format."),
    CheckId.ISSUER_KEY_BINDING: N_("It was signed with a key that does not belong to the issuer."),
}
_PROOF_FAILED = {
    ProofState.KEY_UNRESOLVED: N_(
        "The issuer's keys could not be fetched, so the signature could not be checked."
    ),
    ProofState.UNSUPPORTED: N_("It is signed in a way this service cannot check."),
}
_SKIPPED = N_("Not checked: an earlier check did not pass.")


def _day(value: str | None) -> str | None:
    moment = parse_datetime(value) if value else None
    return format_date(moment) if moment else None


def _operator(operator: str | None) -> str:
    return operator or gettext("the skills network")


def verdict_of(
    report: VerificationReport, *, operator: str | None = None, status_date: datetime | None = None
) -> Verdict:
    """The verdict in words, from the report's data. `status_date` is when the credential was revoked
    or suspended, where the report does not say and the provider's own record does."""
    kind = verdict_kind(report)
    changed = _day(report.status.date) or (format_date(status_date) if status_date else None)
    if kind is VerdictKind.NOT_VALID:
        return Verdict(
            kind,
            "bad",
            gettext("Not valid"),
            gettext(
                "This credential has been altered, is not signed by its issuer, or is not a credential: "
                "do not rely on it."
            ),
        )
    if kind is VerdictKind.KEYS_UNAVAILABLE:
        return Verdict(
            kind,
            "warn",
            gettext("Could not be checked: the issuer's keys could not be fetched"),
            gettext(
                "The signature could not be checked because the issuer's keys could not be fetched. This "
                "usually means the issuer's web address has changed or cannot be reached, not that the "
                "credential was altered. Until it can be checked, do not rely on it: ask the issuer."
            ),
        )
    if kind is VerdictKind.REVOKED:
        explanation = (
            gettext("The issuer revoked it on %(date)s: do not rely on it.", date=changed)
            if changed
            else gettext("The issuer has revoked it: do not rely on it.")
        )
        return Verdict(kind, "bad", gettext("Revoked"), explanation)
    if kind is VerdictKind.SUSPENDED:
        explanation = (
            gettext("The issuer suspended it on %(date)s: do not rely on it for now.", date=changed)
            if changed
            else gettext("The issuer has suspended it: do not rely on it for now.")
        )
        return Verdict(kind, "bad", gettext("Suspended"), explanation)
    if kind is VerdictKind.EXPIRED:
        until = _day(report.validity.valid_until)
        explanation = (
            gettext("It is genuine, but it expired on %(date)s.", date=until)
            if until
            else gettext("It is genuine, but it has expired.")
        )
        return Verdict(kind, "bad", gettext("Expired"), explanation)
    if kind is VerdictKind.NOT_YET_VALID:
        start = _day(report.validity.valid_from)
        explanation = (
            gettext("It is genuine, but it is not valid until %(date)s.", date=start)
            if start
            else gettext("It is genuine, but it is not valid yet.")
        )
        return Verdict(kind, "warn", gettext("Not yet valid"), explanation)
    if kind is VerdictKind.NOT_TRUSTWORTHY:
        explanation = (
            gettext(
                "It is genuine, but the issuer's accreditation by %(operator)s has been suspended, withdrawn "
                "or has ended: do not rely on it.",
                operator=_operator(operator),
            )
            if report.trust is Trust.NOT_TRUSTWORTHY
            else gettext("The register of quality-assured providers could not be consulted. Try again later.")
        )
        return Verdict(kind, "bad", gettext("Issuer not trustworthy"), explanation)
    if kind is VerdictKind.OUTSIDE_SCHEME:
        return Verdict(
            kind,
            "warn",
            gettext("Genuine, but outside the quality-assurance scheme"),
            gettext(
                "The credential is genuine and current, but %(operator)s has not accredited its issuer for "
                "it.",
                operator=_operator(operator),
            ),
        )
    if kind is VerdictKind.VALID:
        return Verdict(
            kind,
            "ok",
            gettext("Valid"),
            gettext("Genuine, vouched for by the quality-assurance scheme, not revoked and not expired."),
        )
    status_failed = report.status.state is StatusState.UNKNOWN
    explanation = (
        gettext("Whether it has been revoked could not be checked just now. Try again later.")
        if status_failed
        else gettext("See the checks below.")
    )
    return Verdict(kind, "bad", gettext("Could not be checked"), explanation)


def _check_words(
    report: VerificationReport, check_id: CheckId, outcome: Outcome, operator: str, changed: str | None
) -> str:
    """What one check came to, from the report's data, with dates in words and no identifier."""
    if outcome is Outcome.SKIPPED:
        if check_id is CheckId.STATUS and report.status.state is StatusState.NONE:
            return gettext("It has no status entry, so it cannot be revoked.")
        if check_id is CheckId.ISSUER_TRUST and report.trust is None and not report.errors:
            return gettext("No register of quality-assured providers was consulted.")
        return gettext(_SKIPPED)
    if check_id is CheckId.PROOF and outcome is Outcome.FAILED:
        return gettext(
            _PROOF_FAILED.get(
                report.proof.state,
                N_("The signature does not match: it was altered or signed by someone else."),
            )
        )
    if check_id is CheckId.ISSUER_KEY_BINDING and outcome is Outcome.WARNING:
        return gettext("The issuer cannot be looked up, so the signing key cannot be tied to the issuer.")
    if check_id is CheckId.VALIDITY_PERIOD:
        return _validity_words(report)
    if check_id is CheckId.STATUS:
        return _status_words(report, changed)
    if check_id is CheckId.ISSUER_TRUST:
        return _trust_words(report, outcome, operator)
    table = _PASSED if outcome in (Outcome.PASSED, Outcome.WARNING) else _FAILED
    return gettext(table.get(check_id, _OUTCOMES[outcome]))


def _validity_words(report: VerificationReport) -> str:
    validity = report.validity
    if validity.state is ValidityState.EXPIRED:
        return gettext("It expired on %(date)s.", date=_day(validity.valid_until) or "?")
    if validity.state is ValidityState.NOT_YET_VALID:
        return gettext("It is not valid until %(date)s.", date=_day(validity.valid_from) or "?")
    if validity.valid_until:
        return gettext("It is within its validity period, until %(date)s.", date=_day(validity.valid_until))
    return gettext("It is within its validity period: it does not expire.")


def _status_words(report: VerificationReport, changed: str | None = None) -> str:
    """The status in words; `changed`: the day it changed, in words, where the report gives none."""
    state, date = report.status.state, _day(report.status.date) or changed
    if state is StatusState.VALID:
        return gettext("Not revoked or suspended (checked now with the issuer's status list).")
    if state is StatusState.REVOKED:
        return gettext("Revoked on %(date)s.", date=date) if date else gettext("Revoked by the issuer.")
    if state is StatusState.SUSPENDED:
        return gettext("Suspended on %(date)s.", date=date) if date else gettext("Suspended by the issuer.")
    if state is StatusState.FLAGGED:
        return gettext("The issuer's status list flags it.")
    return gettext("Whether it has been revoked could not be checked.")


def _trust_words(report: VerificationReport, outcome: Outcome, operator: str) -> str:
    if report.trust is Trust.ACCREDITED:
        return gettext("The issuer is accredited by %(operator)s for this credential.", operator=operator)
    if report.trust is Trust.OUTSIDE_SCHEME:
        return gettext(
            "The issuer is not accredited by %(operator)s for this credential (see the technical details).",
            operator=operator,
        )
    if report.trust is Trust.NOT_TRUSTWORTHY:
        return gettext(
            "The issuer's accreditation by %(operator)s has been suspended, withdrawn or has ended.",
            operator=operator,
        )
    if outcome is Outcome.FAILED:
        return gettext("The register of quality-assured providers could not be consulted.")
    return gettext(_OUTCOMES[outcome])


def report_view(
    report: VerificationReport,
    *,
    provider: ProviderRecord | None = None,
    recipient_name: str | None = None,
    operator: str | None = None,
    status_date: datetime | None = None,
    base_url: str = "",
) -> ReportView:
    """The page's content for `report`; `provider`, `recipient_name` and `status_date` (when it was
    revoked or suspended) come from the service's own records, when the credential is one of ours
    (`network.naming.own_provider`, or its stored row); `operator` is the network operator's name."""
    checked = parse_datetime(report.checked_at)
    operator_name = _operator(operator)
    changed = format_date(status_date) if status_date else None
    issuer = issuer_name(report, provider)
    view = ReportView(
        verdict=verdict_of(report, operator=operator, status_date=status_date),
        issuer=issuer,
        checked_at=format_datetime(checked) if checked else None,
        issuer_image=image_of(issuer.logo_url, gettext("%(name)s logo", name=issuer.name), base_url)
        if issuer.confirmed and issuer.logo_url
        else None,
        approval=approval_line(report),
    )
    view.checks = [
        CheckView(
            gettext(_LABELS[check.id]),
            check.outcome.value,
            gettext(_OUTCOMES[check.outcome]),
            _check_words(report, check.id, check.outcome, operator_name, changed),
        )
        for check in report.checks
    ]
    trust = report.check(CheckId.ISSUER_TRUST)
    if report.trust is not None:
        view.accreditation = gettext(_ACCREDITATION[report.trust])
        view.accreditation_message = _trust_words(
            report, trust.outcome if trust else Outcome.SKIPPED, operator_name
        )
        if report.trust is Trust.ACCREDITED:
            view.accreditor = operator_name
    proof = report.check(CheckId.PROOF)
    genuine = proof is not None and proof.outcome is Outcome.PASSED
    credential = report.credential if genuine and isinstance(report.credential, Mapping) else {}
    if credential:
        view.achievement = achievement_view(credential, base_url)
        view.endorsements = endorsement_lines(report, credential)
    view.facts = _facts(report, view, recipient_name, status_date)
    view.technical = _technical(report, credential, genuine)
    return view


def _facts(
    report: VerificationReport,
    view: ReportView,
    recipient_name: str | None,
    status_date: datetime | None,
) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    achievement = view.achievement
    if recipient_name:
        facts.append((gettext("Awarded to"), recipient_name))
    if achievement is not None and achievement.name:
        facts.append((gettext("Achievement"), achievement.name))
    if achievement is not None and achievement.description:
        facts.append((gettext("Description"), achievement.description[:600]))
    facts.append((gettext("Issued by"), view.issuer.shown))
    if achievement is None:
        return facts
    credential = report.credential or {}
    issued = next((credential[name] for name in ("validFrom", "issuanceDate") if name in credential), None)
    if _day(issued):
        facts.append((gettext("Issued on"), str(_day(issued))))
    until = next((credential[name] for name in ("validUntil", "expirationDate") if name in credential), None)
    facts.append((gettext("Valid until"), _day(until) or gettext("No expiry date")))
    changed = _day(report.status.date) or (format_date(status_date) if status_date else None)
    status_words = {
        StatusState.VALID: gettext("Not revoked or suspended (checked now with the issuer's status list)"),
        StatusState.NONE: gettext("The credential cannot be revoked (it has no status entry)"),
        StatusState.REVOKED: gettext("Revoked on %(date)s", date=changed) if changed else gettext("Revoked"),
        StatusState.SUSPENDED: gettext("Suspended on %(date)s", date=changed)
        if changed
        else gettext("Suspended"),
    }
    if report.check(CheckId.STATUS) is not None:
        facts.append((gettext("Revocation"), status_words.get(report.status.state, _status_words(report))))
    return facts


def _technical(
    report: VerificationReport, credential: Mapping[str, object], genuine: bool
) -> list[tuple[str, str]]:
    """Identifiers and the checks' own messages (in English), for whoever needs them."""
    rows: list[tuple[str, str]] = []
    if report.issuer_id:
        label = gettext("Issuer ID") if genuine else gettext("Issuer ID (as the credential states it)")
        rows.append((label, report.issuer_id[:2000]))
    credential_id = credential.get("id")
    if isinstance(credential_id, str):
        rows.append((gettext("Credential ID"), credential_id[:2000]))
    if report.verification_method:
        rows.append((gettext("Signing key"), report.verification_method[:2000]))
    if report.proof.suite:
        rows.append((gettext("Proof"), report.proof.suite))
    if report.format:
        rows.append((gettext("Format"), {"ldp": "JSON-LD (Data Integrity)", "jwt": "VC-JWT"}[report.format]))
    for label, value in (
        (gettext("Valid from"), report.validity.valid_from),
        (gettext("Valid until"), report.validity.valid_until),
        (gettext("Status changed"), report.status.date),
        (gettext("Checked at"), report.checked_at),
    ):
        if value:
            rows.append((label, value))
    for check in report.checks:
        rows.append((f"{check.id.value} ({check.outcome.value})", check.message[:2000]))
    return rows
