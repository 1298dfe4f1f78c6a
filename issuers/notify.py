"""A port: who is told that a credential was issued.

Issuance owns this protocol and knows nothing of who implements it (the learner passport sends claim
links through it). The listener runs inside the issuing transaction, after the credential row is
flushed: what it records commits with the credential or not at all, so nobody is told about a
credential that was rolled back. Idempotent replays of an issue request are not announced again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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


class IssuanceListener(Protocol):
    def credential_issued(self, session: Session, notice: IssuedNotice) -> None: ...


class NoListener:
    """The default: issuing works on its own, with nobody told."""

    def credential_issued(self, session: Session, notice: IssuedNotice) -> None:
        return None
