"""A credential's status: one state machine, and every change a compare-and-set written with its status bit.

    valid ──suspend──► suspended ──reinstate──► valid
    valid, suspended ──revoke──► revoked (final)

Bitstring Status List 1.0 §2.1: a provider that enables suspension gives its credentials a two-bit
``message`` entry (0x0 valid, 0x1 suspended, 0x2 revoked); otherwise the entry is one ``revocation`` bit,
and only ``revoke`` applies.

Each change is one ``UPDATE`` of the credential's row whose ``WHERE`` names the states the change may
start from (compare-and-set). Of any number of concurrent changes to one credential, one matches; each
other one matches only if the state the winner left still allows it, and otherwise changes nothing and
is a 409 that says the current state (on PostgreSQL that state may already allow the change again, when
another change undid the winner's meanwhile: still a 409, for a change applies only to the state it
compared). The winning ``UPDATE`` holds the row until its transaction ends
(PostgreSQL's row lock; SQLite's one writer), and the status entry is written in the same transaction
(`status.set_status`), so the provider's record and the published list never disagree. Every change
takes the credential's row, then its list's row: always in that order, so changes never deadlock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy.orm import Session

from core.changes import record_change
from core.i18n import N_, gettext
from core.problems import Conflict
from vc.status_list import REVOKED, SUSPENDED, VALID

from . import issuing, status
from .models import Achievement, IssuedCredential, Issuer
from .ports import IssuanceListener, StatusNotice
from .reports import statistics
from .staff import audit


class State(StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[State]
    target: State


REVOKE = Transition("revoke", frozenset({State.VALID, State.SUSPENDED}), State.REVOKED)
SUSPEND = Transition("suspend", frozenset({State.VALID}), State.SUSPENDED)
REINSTATE = Transition("reinstate", frozenset({State.SUSPENDED}), State.VALID)

#: The status value of each state on a two-bit ``message`` list (a ``revocation`` list: 1 is revoked).
_MESSAGE_VALUES = {State.VALID: VALID, State.SUSPENDED: SUSPENDED, State.REVOKED: REVOKED}

#: Why a change cannot start from a state: (change, current state) -> the 409's detail.
_REFUSALS = {  # translated when raised
    ("revoke", State.REVOKED): N_("this credential is already revoked"),
    ("suspend", State.REVOKED): N_("this credential is revoked; revocation is final"),
    ("suspend", State.SUSPENDED): N_("this credential is already suspended"),
    ("reinstate", State.REVOKED): N_("this credential is revoked; revocation is final"),
    ("reinstate", State.VALID): N_("this credential is not suspended"),
}


class StateConflict(Conflict):
    """409: the change cannot start from the credential's current state, which the problem carries."""

    def __init__(self, transition: Transition, current: State) -> None:
        # A state the change could start from: it changed and changed back while the change waited.
        refusal = _REFUSALS.get((transition.name, current))
        detail = (
            gettext(refusal)
            if refusal is not None
            else gettext(
                "this credential's status changed while the request ran (it is %(state)s now); try again",
                state=current.value,
            )
        )
        super().__init__(detail, current_status=current.value)


def state_of(row: IssuedCredential) -> State:
    """What the credential's record says; its status entry says the same (see the module doc)."""
    if row.revoked_at is not None:
        return State.REVOKED
    return State.SUSPENDED if row.suspended_at is not None else State.VALID


def _in_state(state: State) -> ColumnElement[bool]:
    revoked, suspended = IssuedCredential.revoked_at, IssuedCredential.suspended_at
    if state is State.REVOKED:
        return revoked.is_not(None)
    if state is State.SUSPENDED:
        return and_(revoked.is_(None), suspended.is_not(None))
    return and_(revoked.is_(None), suspended.is_(None))


def change(
    session: Session,
    issuer: Issuer,
    credential_id: str,
    transition: Transition,
    record: Mapping[str, Any],
    now: datetime,
    listener: IssuanceListener | None = None,
) -> IssuedCredential:
    """Move the credential along `transition`, writing `record` (the columns of the new state) and its
    status entry in the caller's transaction; `StateConflict` if its current state does not allow it.
    `listener` (the passport, which emails the learner) is told in the same transaction."""
    row = issuing.get_credential(session, issuer, credential_id)
    before = state_of(row)
    status_list = status.get_list(session, row.revocation_list_id)
    if transition is SUSPEND:  # switched off later, what is suspended can still be reinstated
        _check_suspension(issuer, status_list.purpose)
    changed = session.execute(
        update(IssuedCredential)
        .where(
            IssuedCredential.id == row.id,
            or_(*(_in_state(state) for state in sorted(transition.sources))),
        )
        .values(dict(record))
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)  # what the winner committed, or what this change wrote
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise StateConflict(transition, state_of(row))
    value = _MESSAGE_VALUES[transition.target] if status_list.purpose == status.MESSAGE else 1
    status.set_status(session, row.revocation_list_id, row.revocation_index, value, now)
    reason = record.get("revocation_reason") or record.get("suspension_reason")
    audit.record(
        session,
        f"credential.{transition.name}",
        "credential",
        row.id,
        now,
        provider_id=issuer.id,
        before={"status": before.value},
        after={"status": transition.target.value} | ({"reason": reason} if reason else {}),
    )
    record_change(session)  # every verify cache, in every process, sees it from the commit on
    if listener is not None:
        achievement = session.get(Achievement, row.achievement_id)
        listener.credential_status_changed(
            session,
            StatusNotice(
                credential_id=row.id,
                issuer_name=issuer.name,
                achievement_name=achievement.definition["name"] if achievement is not None else "",
                recipient_email=row.recipient_email,
                status=transition.target.value,
                reason=row.revocation_reason if transition is REVOKE else record.get("suspension_reason"),
                changed_at=now,
            ),
        )
    return row


def _check_suspension(issuer: Issuer, purpose: str) -> None:
    if not issuer.suspension_enabled:
        raise Conflict(gettext("suspension is not enabled for this provider; the operator can enable it"))
    if purpose != status.MESSAGE:
        raise Conflict(
            gettext(
                "this credential was issued before suspension was enabled: its status entry can only say"
                " revoked; revoke it instead"
            )
        )


def revoke(
    session: Session,
    issuer: Issuer,
    credential_id: str,
    reason: str,
    now: datetime,
    listener: IssuanceListener | None = None,
) -> IssuedCredential:
    """Final: a revoked credential stays revoked (a suspended one may be revoked)."""
    record = {"revoked_at": now, "revocation_reason": reason, "suspended_at": None, "suspension_reason": None}
    row = change(session, issuer, credential_id, REVOKE, record, now, listener)
    statistics.count(session, row.issuer_id, row.achievement_id, now, "revoked")
    return row


def suspend(
    session: Session,
    issuer: Issuer,
    credential_id: str,
    reason: str,
    now: datetime,
    listener: IssuanceListener | None = None,
) -> IssuedCredential:
    """Temporarily invalid (status 0x1 of the credential's ``message`` entry); reversible by `reinstate`."""
    record = {"suspended_at": now, "suspension_reason": reason}
    return change(session, issuer, credential_id, SUSPEND, record, now, listener)


def reinstate(
    session: Session,
    issuer: Issuer,
    credential_id: str,
    now: datetime,
    listener: IssuanceListener | None = None,
) -> IssuedCredential:
    """Lift a suspension: the entry says valid (0x0) again."""
    record = {"suspended_at": None, "suspension_reason": None}
    return change(session, issuer, credential_id, REINSTATE, record, now, listener)
