"""The report on a presentation: the holder's checks, each credential's own report, and whether the
holder was shown to be the subject of each credential.

VC DM 2.0 §1.2 expects the holder to be the subject usually, but not always (a parent holds a child's
credentials; see the VC Implementation Guidelines, "Subject-Holder Relationships"), so this is reported
as data (`HolderBinding` per credential, `PresentationReport.holder_is_subject`), not as a failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .report import CheckId, Outcome, ProofOutcome, ProofState, VerificationReport, json_safe

__all__ = [
    "HolderBinding",
    "PresentationCheck",
    "PresentationCheckId",
    "PresentationReport",
    "SubjectMatch",
    "holder_binding",
]


class PresentationCheckId(StrEnum):
    WELL_FORMED = "presentation_well_formed"
    PROOF = "presentation_proof"  # the holder's signature, purpose, challenge and domain
    CREDENTIALS = "credentials"  # every credential inside verifies


@dataclass(frozen=True)
class PresentationCheck:
    id: PresentationCheckId
    outcome: Outcome
    message: str
    problem_type: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id.value, "outcome": self.outcome.value, "message": self.message}
        if self.problem_type:
            data["problemType"] = self.problem_type
        return data


class SubjectMatch(StrEnum):
    """Whether the proven holder is a credential's subject (``credentialSubject.id``)."""

    HOLDER = "holder"  # the holder, proven by the presentation's proof, is the credential's subject
    NOT_HOLDER = "not_holder"  # the credential names its subject, and it is someone else
    # Cannot be shown: the credential names no subject id (an OB 3.0 credential may name its recipient
    # by a hashed identifier only), or it is not shown to be its issuer's (its proof or key failed).
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class HolderBinding:
    subject: SubjectMatch
    subject_ids: tuple[str, ...] = ()  # credentialSubject ids, as the credential names them

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.subject.value, "subjectIds": list(self.subject_ids)}


def holder_binding(holder: str | None, credential: VerificationReport) -> HolderBinding:
    """`holder` must be the holder the presentation's proof was verified for (None when none was)."""
    subject_ids = tuple(_subject_ids(credential.credential or {}))
    binding = credential.check(CheckId.ISSUER_KEY_BINDING)
    authentic = credential.proof.state is ProofState.VERIFIED and (
        binding is not None and binding.outcome is not Outcome.FAILED
    )
    if holder is None or not authentic or not subject_ids:
        return HolderBinding(SubjectMatch.UNKNOWN, subject_ids)
    return HolderBinding(
        SubjectMatch.HOLDER if holder in subject_ids else SubjectMatch.NOT_HOLDER, subject_ids
    )


def _subject_ids(credential: Mapping[str, Any]) -> list[str]:
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    ids = [subject.get("id") for subject in subjects if isinstance(subject, Mapping)]
    return [subject_id[:500] for subject_id in ids if isinstance(subject_id, str)]


@dataclass
class PresentationReport:
    checks: list[PresentationCheck] = field(default_factory=list)
    credentials: list[VerificationReport] = field(default_factory=list)
    holder: str | None = None
    verification_method: str | None = None
    checked_at: str | None = None
    proof: ProofOutcome = field(default_factory=ProofOutcome)  # the holder's proof(s), as data
    holder_bindings: list[HolderBinding] = field(default_factory=list)  # one per credential, in order

    @property
    def verified(self) -> bool:
        """The holder's proof passed, and every credential inside verified."""
        outcomes = {check.id: check.outcome for check in self.checks}
        return (
            outcomes.get(PresentationCheckId.PROOF) in (Outcome.PASSED, Outcome.WARNING)
            and not any(check.outcome is Outcome.FAILED for check in self.checks)
            and all(report.verified for report in self.credentials)
        )

    @property
    def holder_is_subject(self) -> bool:
        """The holder was shown to be the subject of every credential presented (and there is one)."""
        return bool(self.holder_bindings) and all(
            binding.subject is SubjectMatch.HOLDER for binding in self.holder_bindings
        )

    def to_json(self) -> dict[str, Any]:
        return json_safe(
            {
                "verified": self.verified,
                "holder": self.holder,
                "verificationMethod": self.verification_method,
                "checkedAt": self.checked_at,
                "proof": self.proof.to_json(),
                "holderIsSubject": self.holder_is_subject,
                "holderBindings": [binding.to_json() for binding in self.holder_bindings],
                "checks": [check.to_json() for check in self.checks],
                "errors": [check.to_json() for check in self.checks if check.outcome is Outcome.FAILED],
                "warnings": [check.to_json() for check in self.checks if check.outcome is Outcome.WARNING],
                "credentialResults": [report.to_json() for report in self.credentials],
            }
        )
