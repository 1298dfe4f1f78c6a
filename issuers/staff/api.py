"""The audit trail over HTTP: a provider's own (its administrators: an API key or an admin's console
session), and everyone's for the network operator."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from core.deps import NowDep, Operator, SessionDep
from core.problems import Conflict, NotFound, Unauthorized, ValidationFailed, problem_responses
from core.services import provide
from issuers import service
from issuers.api_models import Email
from issuers.deps import CurrentIssuer

from . import accounts, audit
from .accounts import StaffConfig
from .models import StaffMember
from .roles import Role

router = APIRouter(prefix="/api/v1", responses=problem_responses(Unauthorized))


class AuditEventOut(BaseModel):
    id: str
    at: datetime
    provider_id: str | None
    actor_kind: str
    actor_id: str | None
    actor_label: str
    action: str
    subject_kind: str
    subject_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _out(events: list[audit.AuditEvent]) -> list[AuditEventOut]:
    return [AuditEventOut.model_validate(event, from_attributes=True) for event in events]


class StaffInvite(BaseModel):
    email: Email = Field(max_length=320)
    name: str = Field(min_length=1, max_length=200)
    role: Role


class StaffOut(BaseModel):
    id: str
    provider_id: str | None
    email: str
    name: str
    role: str
    #: ``invited`` until the invitation is accepted.
    state: str
    totp_enabled: bool
    created_at: datetime


def _staff_out(member: StaffMember) -> StaffOut:
    return StaffOut(
        id=member.id,
        provider_id=member.provider_id,
        email=member.email,
        name=member.name,
        role=member.role,
        state="active" if member.password_hash else "invited",
        totp_enabled=member.totp_enabled,
        created_at=member.created_at,
    )


StaffConfigDep = Annotated[StaffConfig, Depends(provide(StaffConfig))]
INVITE_PROBLEMS = problem_responses(NotFound, Conflict, ValidationFailed)


@router.post(
    "/admin/issuers/{issuer_id}/staff",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Operator],
    tags=["operator"],
    responses=INVITE_PROBLEMS,
)
def invite_provider_staff(
    issuer_id: str, body: StaffInvite, session: SessionDep, config: StaffConfigDep, now: NowDep
) -> StaffOut:
    """Invite a member of a provider's staff (its first administrator, say): they are emailed a
    single-use link to choose a password at ``/console/invitations/...``."""
    provider = service.get_issuer(session, issuer_id)
    member, _ = accounts.invite(
        session, config, provider.id, provider.name, body.email, body.name, body.role.value, now
    )
    return _staff_out(member)


@router.get("/admin/issuers/{issuer_id}/staff", dependencies=[Operator], tags=["operator"])
def list_provider_staff(issuer_id: str, session: SessionDep) -> list[StaffOut]:
    service.get_issuer(session, issuer_id)
    return [_staff_out(member) for member in accounts.list_staff(session, issuer_id)]


@router.post(
    "/admin/staff",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Operator],
    tags=["operator"],
    responses=INVITE_PROBLEMS,
)
def invite_operator_staff(
    body: StaffInvite, session: SessionDep, config: StaffConfigDep, now: NowDep
) -> StaffOut:
    """Invite a member of the operator's staff (``operator_admin`` or ``assessor``), who signs in at
    ``/operator/sign-in``."""
    member, _ = accounts.invite(
        session, config, None, config.operator_name, body.email, body.name, body.role.value, now
    )
    return _staff_out(member)


@router.get("/staff", tags=["provider"])
def list_staff(issuer: CurrentIssuer, session: SessionDep) -> list[StaffOut]:
    """This provider's staff (its administrators)."""
    return [_staff_out(member) for member in accounts.list_staff(session, issuer.id)]


Limit = Annotated[int, Query(ge=1, le=audit.MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("/audit", tags=["provider"])
def provider_audit(
    issuer: CurrentIssuer, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> list[AuditEventOut]:
    """This provider's audit trail, newest first: who (staff member, API key, operator) did what, with
    the state before and after."""
    return _out(audit.events(session, provider_id=issuer.id, limit=limit, offset=offset))


@router.get("/admin/audit", dependencies=[Operator], tags=["operator"])
def operator_audit(
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
    provider_id: Annotated[str | None, Query(max_length=32)] = None,
) -> list[AuditEventOut]:
    """The whole network's audit trail, newest first, or one provider's (``provider_id``)."""
    everyone = provider_id is None
    return _out(audit.events(session, provider_id=provider_id, everyone=everyone, limit=limit, offset=offset))
