"""The verification report: named checks with stable ids, each passed, failed, skipped or a warning.

A bad credential is a report, not an exception: callers (CLI, API, pages) render the same object. Besides
each check's message (English, for people), the report carries the outcome as data for programs to read:
the proof (`ProofOutcome`, one `ProofResult` per proof of the set), the status (`StatusOutcome`: valid,
revoked, suspended, ... with the date when the source gives one), the validity period
(`ValidityOutcome`: current, expired or not yet valid, with the dates), the trust decision, and the
embedded endorsements, each verified on its own (`EndorsementResult`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class CheckId(StrEnum):
    """Stable ids, in the order the checks run."""

    WELL_FORMED = "well_formed"
    SCHEMA = "schema"
    PROOF = "proof"
    ISSUER_KEY_BINDING = "issuer_key_binding"
    VALIDITY_PERIOD = "validity_period"
    STATUS = "status"
    ISSUER_TRUST = "issuer_trust"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"  # does not stop verification, but the reader should know
    SKIPPED = "skipped"  # not run: an earlier check failed, or it does not apply


class Trust(StrEnum):
    """The three answers the quality-assurance scheme gives about an issuer."""

    ACCREDITED = "accredited"
    OUTSIDE_SCHEME = "outside_scheme"  # authentic, but the issuer is not (or not for this) accredited
    NOT_TRUSTWORTHY = "not_trustworthy"


class ProofState(StrEnum):
    """What a proof (or a proof set) came to."""

    VERIFIED = "verified"
    INVALID = "invalid"  # checked, and it does not verify: altered, malformed, or not signed by that key
    UNSUPPORTED = "unsupported"  # not checked: a suite, algorithm or key type this verifier does not use
    KEY_UNRESOLVED = "key_unresolved"  # not checked: its verification method could not be resolved
    NOT_CHECKED = "not_checked"  # an earlier check failed


@dataclass(frozen=True)
class ProofResult:
    """One proof of a proof set (or the JWS of a VC-JWT)."""

    suite: str  # e.g. "Data Integrity eddsa-rdfc-2022", "Ed25519Signature2020", "VC-JWT"
    state: ProofState
    message: str
    verification_method: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "state": self.state.value,
            "verificationMethod": self.verification_method,
            "message": self.message,
        }


@dataclass(frozen=True)
class ProofOutcome:
    state: ProofState = ProofState.NOT_CHECKED
    suite: str | None = None  # of the proof the report relies on
    proofs: tuple[ProofResult, ...] = ()  # every proof, in document order

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "suite": self.suite,
            "proofs": [proof.to_json() for proof in self.proofs],
        }


class StatusState(StrEnum):
    """The credential's status, in Bitstring Status List 1.0's words where it has them."""

    VALID = "valid"  # checked now: neither revoked nor suspended
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    FLAGGED = "flagged"  # set for another purpose (the outcome's purpose names it)
    UNKNOWN = "unknown"  # it could not be established (no status source, list unreachable or invalid)
    NONE = "none"  # the credential has no status entry, so it cannot be revoked
    NOT_CHECKED = "not_checked"  # an earlier check failed


@dataclass(frozen=True)
class StatusOutcome:
    state: StatusState = StatusState.NOT_CHECKED
    purpose: str | None = None  # statusPurpose of the entry that decided, e.g. "revocation"
    date: str | None = None  # when the status took effect, where the status source says (ISO 8601, UTC)

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state.value, "purpose": self.purpose, "date": self.date}


class ValidityState(StrEnum):
    CURRENT = "current"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NOT_CHECKED = "not_checked"  # an earlier check failed


@dataclass(frozen=True)
class ValidityOutcome:
    """The validity period as verified against the injected clock (ISO 8601 date-times, UTC)."""

    state: ValidityState = ValidityState.NOT_CHECKED
    valid_from: str | None = None  # the bound that applies (the latest of validFrom/issuanceDate)
    valid_until: str | None = None  # the bound that applies (the earliest of validUntil/expirationDate)

    @property
    def date(self) -> str | None:
        """The date that decided: when it expired, or when it becomes valid."""
        if self.state is ValidityState.EXPIRED:
            return self.valid_until
        return self.valid_from if self.state is ValidityState.NOT_YET_VALID else None

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "date": self.date,
            "validFrom": self.valid_from,
            "validUntil": self.valid_until,
        }


class EndorsementState(StrEnum):
    """What an embedded endorsement (OB 3.0 EndorsementCredential) came to, verified on its own."""

    VERIFIED = "verified"  # genuine, current, and not revoked
    REVOKED = "revoked"  # its endorser revoked it (e.g. a withdrawn scheme approval)
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NOT_VERIFIED = "not_verified"  # not genuine, not signed by its endorser, or not an endorsement
    UNCHECKED = "unchecked"  # something could not be established (e.g. its status list)


@dataclass(frozen=True)
class EndorsementResult:
    """One endorsement the credential embeds, verified with the same checks as a credential (its own
    proof, key binding, validity, status, and the trust registry's word on its endorser)."""

    where: str  # "achievement", "credential" or "issuer": whose ``endorsement`` holds it
    state: EndorsementState
    id: str | None = None
    endorser: str | None = None  # the endorsement's issuer id (a claim until `state` is verified)
    endorser_name: str | None = None  # the trust registry's name for the endorser, never the document's
    scheme_operator: bool = False  # the registry says the endorser is the scheme's operator
    subject: str | None = None  # credentialSubject.id: what it endorses
    endorses_this: bool = False  # the subject is the achievement, credential or issuer it is embedded in
    name: str | None = None
    comment: str | None = None  # endorsementComment
    valid_from: str | None = None
    status_date: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "state": self.state.value,
            "id": self.id,
            "endorser": self.endorser,
            "endorserName": self.endorser_name,
            "schemeOperator": self.scheme_operator,
            "subject": self.subject,
            "endorsesThis": self.endorses_this,
            "name": self.name,
            "comment": self.comment,
            "validFrom": self.valid_from,
            "statusDate": self.status_date,
        }


# Checks that must pass (or pass with a warning) for `verified`; the others must merely not fail.
REQUIRED = frozenset({CheckId.WELL_FORMED, CheckId.SCHEMA, CheckId.PROOF, CheckId.VALIDITY_PERIOD})


@dataclass(frozen=True)
class Check:
    id: CheckId
    outcome: Outcome
    message: str
    problem_type: str | None = None  # VC DM 2.0 §7.2 type when the check failed
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id.value, "outcome": self.outcome.value, "message": self.message}
        if self.problem_type:
            data["problemType"] = self.problem_type
        if self.details:
            data["details"] = self.details
        return data


@dataclass
class VerificationReport:
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None  # what was verified (the decoded credential for a JWT)
    format: str | None = None  # "ldp" | "jwt"
    issuer_id: str | None = None
    verification_method: str | None = None
    trust: Trust | None = None
    #: The trust registry said the issuer is the scheme's own operator (`TrustDecision.scheme_operator`).
    scheme_operator: bool = False
    checked_at: str | None = None
    proof: ProofOutcome = field(default_factory=ProofOutcome)
    status: StatusOutcome = field(default_factory=StatusOutcome)
    validity: ValidityOutcome = field(default_factory=ValidityOutcome)
    #: The endorsements the credential embeds, each verified on its own: data, never a check of the
    #: credential (an endorsement revoked or forged does not make the credential less genuine).
    endorsements: list[EndorsementResult] = field(default_factory=list)

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check

    def check(self, check_id: CheckId) -> Check | None:
        return next((check for check in self.checks if check.id is check_id), None)

    @property
    def verified(self) -> bool:
        """True only when every required check passed (a warning does not stop verification) and no
        check failed."""
        if any(check.outcome is Outcome.FAILED for check in self.checks):
            return False
        passed = {check.id for check in self.checks if check.outcome in (Outcome.PASSED, Outcome.WARNING)}
        return passed >= REQUIRED

    @property
    def errors(self) -> list[Check]:
        return [check for check in self.checks if check.outcome is Outcome.FAILED]

    @property
    def warnings(self) -> list[Check]:
        return [check for check in self.checks if check.outcome is Outcome.WARNING]

    def to_json(self) -> dict[str, Any]:
        return json_safe(
            {
                "verified": self.verified,
                "format": self.format,
                "issuer": self.issuer_id,
                "verificationMethod": self.verification_method,
                "trust": self.trust.value if self.trust else None,
                "checkedAt": self.checked_at,
                "proof": self.proof.to_json(),
                "status": self.status.to_json(),
                "validity": self.validity.to_json(),
                "endorsements": [endorsement.to_json() for endorsement in self.endorsements],
                "checks": [check.to_json() for check in self.checks],
                "errors": [check.to_json() for check in self.errors],
                "warnings": [check.to_json() for check in self.warnings],
            }
        )


def json_safe(data: dict[str, Any]) -> dict[str, Any]:
    r"""`data` with every lone surrogate in its text replaced by U+FFFD.

    Reports quote what they were given (an issuer id, an undefined term), and JSON parsed from ``\ud800``
    escapes holds lone surrogates, which no UTF-8 response can carry.
    """
    safe: dict[str, Any] = _safe(data)
    return safe


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in value)
        return value
    if isinstance(value, dict):
        return {_safe(key): _safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_safe(item) for item in value]
    return value
