"""What issuing asks of the rest of the system, through protocols the composition root wires: who is told
that a credential was issued, and which communities of practice the network has.

**Issued notices.** Issuance owns this protocol and knows nothing of who implements it (the learner
passport sends claim links through it). The listener runs inside the issuing transaction, after the
credential row is flushed: what it records commits with the credential or not at all, so nobody is told
about a credential that was rolled back. Idempotent replays of an issue request are not announced again.
A status change (revoked, suspended, reinstated) is told the same way, in the transaction that makes it.

**The scheme's answer.** Before and when a credential is issued, the provider is told whether it will
be inside its accreditation's scope: the network's trust policy decides (`network.trust.ProviderScope`),
from the achievement as the credential will carry it, exactly as verification will decide later.
**Endorsements.** An achievement the network operator approved under its scheme carries the approval's
signed EndorsementCredential in the ``endorsement`` of the Achievement of every credential issued from
then on (`network.approvals` implements the port; OB 3.0 §B.1 Achievement.endorsement).

**Communities.** A ``community_of_practice`` achievement names one of the network's communities, a list
the network operator keeps (`network.communities` implements the register).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class IssuedNotice:
    credential_id: str
    issuer_id: str
    issuer_name: str
    achievement_name: str
    recipient_email: str
    recipient_name: str | None
    issued_at: datetime


@dataclass(frozen=True)
class StatusNotice:
    """A credential's status changed (`issuers.lifecycle`): ``status`` is ``revoked``, ``suspended`` or
    ``valid`` (a suspension lifted)."""

    credential_id: str
    issuer_name: str
    achievement_name: str
    recipient_email: str
    status: str
    reason: str | None
    changed_at: datetime


class IssuanceListener(Protocol):
    def credential_issued(self, session: Session, notice: IssuedNotice) -> None: ...

    def credential_status_changed(self, session: Session, notice: StatusNotice) -> None: ...


class NoListener:
    """The default: issuing works on its own, with nobody told."""

    def credential_issued(self, session: Session, notice: IssuedNotice) -> None:
        return None

    def credential_status_changed(self, session: Session, notice: StatusNotice) -> None:
        return None


class CommunityRegister(Protocol):
    def community_names(self, session: Session) -> Sequence[str]: ...


class NoCommunities:
    """The default: no register wired, so no achievement can name a community."""

    def community_names(self, session: Session) -> Sequence[str]:
        return ()


@dataclass(frozen=True)
class ScopeAnswer:
    """Will a credential be inside the provider's accreditation? ``reason`` says why, in plain words."""

    inside: bool
    reason: str
    #: The trust policy's answer: accredited, outside_scheme or not_trustworthy (`vc.report.Trust`).
    trust: Literal["accredited", "outside_scheme", "not_trustworthy"]


class SchemeScope(Protocol):
    def scope_answer(
        self, session: Session, issuer_did: str, credential: Mapping[str, Any], now: datetime
    ) -> ScopeAnswer: ...


class NoScheme:
    """The default: no scheme wired, so no credential is inside one."""

    def scope_answer(
        self, session: Session, issuer_did: str, credential: Mapping[str, Any], now: datetime
    ) -> ScopeAnswer:
        return ScopeAnswer(False, "No quality-assurance scheme is configured.", "outside_scheme")


class AchievementEndorsements(Protocol):
    def endorsements(self, session: Session, achievement_id: str) -> Sequence[dict[str, Any]]: ...


class NoEndorsements:
    """The default: no scheme wired, so no achievement carries an endorsement."""

    def endorsements(self, session: Session, achievement_id: str) -> Sequence[dict[str, Any]]:
        return ()
