"""The quality-assured trust registry: the network operator accredits issuers, and verifiers ask it.

An accreditation is active, suspended or withdrawn::

    accredit -> active <-> suspended          (suspend / reinstate, each with who, when and why)
                active | suspended -> withdrawn (final: accredit the issuer again for a new one)

Its scope and period can change while it is not withdrawn. Every change takes the registry's one state
row FOR UPDATE first, so changes are serialised, bumps the registry version once, and appends events to
the history (never updated, never deleted). Services only ``flush()``; the request commits once.

`DatabaseTrustRegistry` is the `vc.verify.IssuerRegistry` for the service; the decision itself is
`network.trust_policy.decide`, shared with the offline `network.trust_list` snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.changes import record_change
from core.db import new_id, write_lock
from core.i18n import N_, gettext
from core.keystore import Keystore
from core.problems import Conflict, NotFound, ValidationFailed
from issuers import identity
from issuers import service as issuers_service
from issuers.ports import ScopeAnswer
from issuers.staff import audit
from vc.report import Trust
from vc.verify import TrustDecision

from .api_models import AccreditationCreate, AccreditationUpdate, ScopeIn
from .models import Accreditation, AccreditationEvent, TrustRegistryState
from .trust_list import format_time
from .trust_policy import Operator, RegistryEntry, SchemeRegistry, Scope, State, decide

if TYPE_CHECKING:  # providers come from the issuers' service; their table is theirs
    from issuers.models import Issuer

OPERATOR = "operator"


@dataclass(frozen=True)
class TrustConfig:
    base_url: str
    keystore: Keystore
    #: The network operator's name, as verifiers' messages and the trust list show it.
    operator_name: str
    #: The scheme achievements are approved under (`network.approvals`): the name its endorsements carry.
    scheme_name: str = "Skills Passport Quality Scheme"


# --- the registry's state row -------------------------------------------------------------------------------


def registry_state(session: Session, *, lock: bool = False) -> TrustRegistryState:
    """The one state row (created by migration 0003); ``lock`` serialises changes until commit.

    The lock is `core.db.write_lock`, which serialises on SQLite as well as PostgreSQL.
    """
    if lock:
        write_lock(session, TrustRegistryState, TrustRegistryState.id == 1, TrustRegistryState.version)
    statement = select(TrustRegistryState).where(TrustRegistryState.id == 1)
    state = session.scalars(statement.execution_options(populate_existing=True)).one_or_none()
    if state is None:
        raise RuntimeError("the trust registry has no state row: apply the database migrations")
    return state


def _record(
    session: Session,
    state: TrustRegistryState,
    row: Accreditation,
    events: list[tuple[str, dict[str, Any]]],
    reason: str | None,
    actor: str | None,
    now: datetime,
) -> None:
    """One change of the registry: a new version, and its events in the history; verification's cached
    accreditations are read again from the commit on (`core.changes`)."""
    record_change(session)
    state.version += 1
    state.updated_at = now
    row.updated_at = now
    for event, changes in events:
        session.add(
            AccreditationEvent(
                accreditation_id=row.id,
                event=event,
                at=now,
                actor=actor or OPERATOR,
                reason=reason,
                changes=changes,
                registry_version=state.version,
            )
        )
        audit.record(
            session,
            f"accreditation.{event}",
            "accreditation",
            row.id,
            now,
            provider_id=_provider_of(row.issuer_id),
            after={"changes": changes, "reason": reason, "by": actor},
        )
    session.flush()


# --- accreditations -----------------------------------------------------------------------------------------


def _provider_of(issuer_id: str) -> str | None:
    """The provider id in a did:web DID of this service's providers (``...:issuers:<id>``), for the audit
    trail: the provider's admins see what the operator changed about them."""
    if not issuer_id.startswith("did:web:") or ":issuers:" not in issuer_id:
        return None
    candidate = issuer_id.rsplit(":issuers:", 1)[1]
    return candidate if len(candidate) == 32 and candidate.isalnum() else None


def _own_provider(session: Session, base_url: str, issuer_id: str) -> Issuer | None:
    """The provider of this service whose did:web DID this is; a DID of ours naming no provider is 404."""
    prefix = identity.issuer_did(base_url, "")
    if not issuer_id.startswith(prefix):
        return None
    return issuers_service.get_issuer(session, issuer_id.removeprefix(prefix))


def _snapshot(row: Accreditation) -> dict[str, Any]:
    return {
        "issuer": row.issuer_id,
        "name": row.name,
        "url": row.url,
        "logo_url": row.logo_url,
        "scope": _scope_json(row),
        "valid_from": format_time(row.valid_from),
        "valid_until": format_time(row.valid_until),
    }


def _scope_json(row: Accreditation) -> dict[str, list[str]]:
    return {"sectors": list(row.sectors), "levels": list(row.levels), "kinds": list(row.kinds)}


def _scope_columns(scope: ScopeIn) -> dict[str, list[str]]:
    return {
        "sectors": list(scope.sectors),
        "levels": list(scope.levels),
        "kinds": [k.value for k in scope.kinds],
    }


def accredit(session: Session, base_url: str, data: AccreditationCreate, now: datetime) -> Accreditation:
    """Accredit an issuer; the service's own providers are named by ``provider_id`` or by their DID, and
    then the entry's name, url and logo default to the provider's."""
    state = registry_state(session, lock=True)
    if data.provider_id is not None:
        provider: Issuer | None = issuers_service.get_issuer(session, data.provider_id)
        assert provider is not None
        issuer_id = identity.issuer_did(base_url, provider.id)
    else:
        assert data.issuer is not None
        issuer_id = data.issuer
        provider = _own_provider(session, base_url, issuer_id)
    name = data.name or (provider.name if provider else None)
    if name is None:
        raise ValidationFailed(
            gettext("name is required for an issuer that is not a provider of this service"),
            [{"loc": ["body", "name"], "msg": "Field required"}],
        )
    current = session.scalar(
        select(Accreditation).where(
            Accreditation.issuer_id == issuer_id, Accreditation.state != State.WITHDRAWN.value
        )
    )
    if current is not None:
        raise Conflict(
            gettext(
                "%(issuer)s already has accreditation %(accreditation)s; change that one instead",
                issuer=issuer_id,
                accreditation=current.id,
            )
        )
    row = Accreditation(
        id=new_id(),
        issuer_id=issuer_id,
        name=name,
        url=str(data.url) if data.url else (provider.url if provider else None),
        logo_url=str(data.logo_url) if data.logo_url else (provider.logo_url if provider else None),
        **_scope_columns(data.scope),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        state=State.ACTIVE.value,
        state_reason=None,
        state_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _record(session, state, row, [("accredited", _snapshot(row))], data.reason, data.by, now)
    return row


def get_accreditation(session: Session, accreditation_id: str) -> Accreditation:
    row = session.get(Accreditation, accreditation_id)
    if row is None:
        raise NotFound(gettext("no accreditation %(id)r", id=accreditation_id))
    return row


def list_accreditations(
    session: Session, *, state: State | None = None, issuer_id: str | None = None
) -> list[Accreditation]:
    statement = select(Accreditation).order_by(Accreditation.created_at, Accreditation.id)
    if state is not None:
        statement = statement.where(Accreditation.state == state.value)
    if issuer_id is not None:
        statement = statement.where(Accreditation.issuer_id == issuer_id)
    return list(session.scalars(statement))


def _changed_fields(row: Accreditation, new: Mapping[str, Any]) -> dict[str, Any]:
    changes = {}
    for name, value in new.items():
        old = getattr(row, name)
        if old != value:
            shown = (format_time(old), format_time(value)) if isinstance(value, datetime) else (old, value)
            changes[name] = {"from": shown[0], "to": shown[1]}
    return changes


def update(
    session: Session, accreditation_id: str, data: AccreditationUpdate, now: datetime
) -> Accreditation:
    """Change the entry, scope or period; one history event per kind of change, none if nothing changed."""
    state = registry_state(session, lock=True)
    row = get_accreditation(session, accreditation_id)
    if row.state == State.WITHDRAWN.value:
        raise Conflict(gettext("a withdrawn accreditation cannot change; accredit the issuer again"))
    given = data.model_fields_set
    details: dict[str, Any] = {
        name: None if getattr(data, name) is None else str(getattr(data, name))
        for name in ("name", "url", "logo_url")
        if name in given
    }
    scope: dict[str, Any] = _scope_columns(data.scope) if data.scope is not None else {}
    period: dict[str, Any] = {
        name: getattr(data, name) for name in ("valid_from", "valid_until") if name in given
    }
    valid_from, valid_until = (
        period.get("valid_from", row.valid_from),
        period.get("valid_until", row.valid_until),
    )
    if valid_until <= valid_from:
        raise ValidationFailed(
            gettext("valid_until must be after valid_from"),
            [{"loc": ["body", "valid_until"], "msg": "too early"}],
        )
    events = []
    for event, new in (("details_changed", details), ("scope_changed", scope), ("period_changed", period)):
        changes = _changed_fields(row, new)
        if changes:
            events.append((event, changes))
            for name, value in new.items():
                setattr(row, name, value)
    if events:
        _record(session, state, row, events, data.reason, data.by, now)
    return row


#: Why a change of state is refused, for each state and change that can meet (whole sentences, so that
#: each language can word them its own way).
_REFUSALS = {
    ("withdrawn", "suspended"): N_("the accreditation is withdrawn, which is final: it cannot be suspended"),
    ("withdrawn", "reinstated"): N_(
        "the accreditation is withdrawn, which is final: it cannot be reinstated"
    ),
    ("withdrawn", "withdrawn"): N_("the accreditation is withdrawn, which is final: it cannot be withdrawn"),
    ("suspended", "suspended"): N_("the accreditation is suspended, so it cannot be suspended"),
    ("active", "reinstated"): N_("the accreditation is active, so it cannot be reinstated"),
}


def _transition(
    session: Session,
    accreditation_id: str,
    allowed_from: set[State],
    to: State,
    event: str,
    reason: str | None,
    actor: str | None,
    now: datetime,
) -> Accreditation:
    state = registry_state(session, lock=True)
    row = get_accreditation(session, accreditation_id)
    current = State(row.state)
    if current not in allowed_from:
        refusal = _REFUSALS.get((current.value, event), N_("the accreditation cannot change that way now"))
        raise Conflict(gettext(refusal))
    changes = {"state": {"from": current.value, "to": to.value}}
    row.state, row.state_reason, row.state_changed_at = to.value, reason, now
    _record(session, state, row, [(event, changes)], reason, actor, now)
    return row


def suspend(
    session: Session, accreditation_id: str, reason: str, actor: str | None, now: datetime
) -> Accreditation:
    """Credentials of a suspended issuer verify as "not trustworthy" until it is reinstated."""
    return _transition(
        session, accreditation_id, {State.ACTIVE}, State.SUSPENDED, "suspended", reason, actor, now
    )


def reinstate(
    session: Session, accreditation_id: str, reason: str | None, actor: str | None, now: datetime
) -> Accreditation:
    return _transition(
        session, accreditation_id, {State.SUSPENDED}, State.ACTIVE, "reinstated", reason, actor, now
    )


def withdraw(
    session: Session, accreditation_id: str, reason: str, actor: str | None, now: datetime
) -> Accreditation:
    """Final: the accreditation stays in the register (and the trust list) as withdrawn."""
    return _transition(
        session,
        accreditation_id,
        {State.ACTIVE, State.SUSPENDED},
        State.WITHDRAWN,
        "withdrawn",
        reason,
        actor,
        now,
    )


def history(session: Session, accreditation_id: str) -> list[AccreditationEvent]:
    get_accreditation(session, accreditation_id)
    return list(
        session.scalars(
            select(AccreditationEvent)
            .where(AccreditationEvent.accreditation_id == accreditation_id)
            .order_by(AccreditationEvent.id)
        )
    )


# --- what verifiers use -------------------------------------------------------------------------------------


def entry_of(row: Accreditation) -> RegistryEntry:
    return RegistryEntry(
        accreditation_id=row.id,
        issuer_id=row.issuer_id,
        name=row.name,
        url=row.url,
        logo_url=row.logo_url,
        scope=Scope(sectors=tuple(row.sectors), levels=tuple(row.levels), kinds=tuple(row.kinds)),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        state=State(row.state),
        reason=row.state_reason,
        changed_at=row.state_changed_at,
    )


class DatabaseTrustRegistry:
    """`vc.verify.IssuerRegistry` backed by the request's session (read only)."""

    def __init__(self, session: Session, operator_name: str) -> None:
        self.session = session
        self.operator_name = operator_name

    def decide(self, issuer_id: str, credential: Mapping[str, Any], now: datetime) -> TrustDecision:
        rows = self.session.scalars(select(Accreditation).where(Accreditation.issuer_id == issuer_id))
        return decide([entry_of(row) for row in rows], issuer_id, credential, now, self.operator_name)


class ProviderScope:
    """`issuers.ports.SchemeScope`: the trust policy's decision for a credential about to be issued, from
    the register as it is now (no cache: the provider is about to act on the answer)."""

    def __init__(self, operator_name: str) -> None:
        self.operator_name = operator_name

    def scope_answer(
        self, session: Session, issuer_did: str, credential: Mapping[str, Any], now: datetime
    ) -> ScopeAnswer:
        decision = DatabaseTrustRegistry(session, self.operator_name).decide(issuer_did, credential, now)
        return ScopeAnswer(decision.trust is Trust.ACCREDITED, decision.message, decision.trust.value)


def registry_for(config: TrustConfig) -> Callable[[Session], SchemeRegistry]:
    """The ``registry_for(session)`` factory the verify service takes (the operator's own documents are
    the scheme's: `SchemeRegistry`)."""
    operator = scheme_operator(config)
    return lambda session: SchemeRegistry(DatabaseTrustRegistry(session, config.operator_name), operator)


def operator_did(base_url: str) -> str:
    """The network operator's DID, ``did:web:<host>:operator`` (its document at ``/operator/did.json``)."""
    return identity.did_web(base_url, "operator")


def scheme_operator(config: TrustConfig) -> Operator:
    """The network operator as the trust policy names it."""
    return Operator(operator_did(config.base_url), config.operator_name)
