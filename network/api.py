"""The network operator's HTTP API: accreditations and communities of practice (operator token), the
public trust list and the operator's DID document."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response, status

from core.deps import NowDep, Operator, SessionDep
from core.problems import Conflict, NotFound, Unauthorized, ValidationFailed, problem_responses
from core.services import provide

from . import communities, operator, trust
from .api_models import (
    AccreditationCreate,
    AccreditationOut,
    AccreditationUpdate,
    CommunityCreate,
    CommunityOut,
    EventOut,
    Reinstatement,
    ScopeOut,
    StateChange,
)
from .models import Accreditation, AccreditationEvent, Community
from .trust_policy import State

TrustConfigDep = Annotated[trust.TrustConfig, Depends(provide(trust.TrustConfig))]

api = APIRouter(
    prefix="/api/v1/admin/accreditations",
    tags=["operator"],
    dependencies=[Operator],
    responses=problem_responses(Unauthorized),
)
public = APIRouter(tags=["public"])
router = APIRouter()  # the three routers of this module, included at its end

_CHANGE = problem_responses(NotFound, Conflict, ValidationFailed)


def _out(row: Accreditation) -> AccreditationOut:
    return AccreditationOut(
        id=row.id,
        issuer=row.issuer_id,
        name=row.name,
        url=row.url,
        logo_url=row.logo_url,
        scope=ScopeOut(sectors=row.sectors, levels=row.levels, kinds=row.kinds),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        state=row.state,  # type: ignore[arg-type]
        state_reason=row.state_reason,
        state_changed_at=row.state_changed_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _event_out(event: AccreditationEvent) -> EventOut:
    return EventOut(
        id=event.id,
        accreditation_id=event.accreditation_id,
        event=event.event,
        at=event.at,
        actor=event.actor,
        reason=event.reason,
        changes=event.changes,
        registry_version=event.registry_version,
    )


@api.post(
    "", status_code=status.HTTP_201_CREATED, responses=problem_responses(NotFound, Conflict, ValidationFailed)
)
def accredit(
    body: AccreditationCreate, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> AccreditationOut:
    """Accredit an issuer (a provider here by ``provider_id``, or any issuer by DID or https URL) for a
    scope and a period. An issuer has at most one accreditation that is not withdrawn (else 409)."""
    return _out(trust.accredit(session, config.base_url, body, now))


@api.get("")
def list_accreditations(
    session: SessionDep, state: State | None = None, issuer: str | None = None
) -> list[AccreditationOut]:
    return [_out(row) for row in trust.list_accreditations(session, state=state, issuer_id=issuer)]


@api.get("/{accreditation_id}", responses=problem_responses(NotFound))
def get_accreditation(accreditation_id: str, session: SessionDep) -> AccreditationOut:
    return _out(trust.get_accreditation(session, accreditation_id))


@api.patch("/{accreditation_id}", responses=_CHANGE)
def update_accreditation(
    accreditation_id: str, body: AccreditationUpdate, session: SessionDep, now: NowDep
) -> AccreditationOut:
    """Change the name, url, logo, scope or period (not of a withdrawn accreditation: 409)."""
    return _out(trust.update(session, accreditation_id, body, now))


@api.post("/{accreditation_id}/suspend", responses=_CHANGE)
def suspend(accreditation_id: str, body: StateChange, session: SessionDep, now: NowDep) -> AccreditationOut:
    """Active -> suspended: the issuer's credentials verify as "not trustworthy" until reinstated."""
    return _out(trust.suspend(session, accreditation_id, body.reason, body.by, now))


@api.post("/{accreditation_id}/reinstate", responses=_CHANGE)
def reinstate(
    accreditation_id: str, session: SessionDep, now: NowDep, body: Reinstatement | None = None
) -> AccreditationOut:
    """Suspended -> active. A withdrawn accreditation cannot be reinstated (409)."""
    body = body or Reinstatement()
    return _out(trust.reinstate(session, accreditation_id, body.reason, body.by, now))


@api.post("/{accreditation_id}/withdraw", responses=_CHANGE)
def withdraw(accreditation_id: str, body: StateChange, session: SessionDep, now: NowDep) -> AccreditationOut:
    """Active or suspended -> withdrawn, for good; it stays in the register and the trust list."""
    return _out(trust.withdraw(session, accreditation_id, body.reason, body.by, now))


@api.get("/{accreditation_id}/history", responses=problem_responses(NotFound))
def history(accreditation_id: str, session: SessionDep) -> list[EventOut]:
    """Every change, oldest first: accredited, scope/period/details changed, suspended, reinstated,
    withdrawn, with who, when, why and the registry version it made."""
    return [_event_out(event) for event in trust.history(session, accreditation_id)]


# --- communities of practice -------------------------------------------------------------------------------

community_api = APIRouter(
    prefix="/api/v1/admin/communities",
    tags=["operator"],
    dependencies=[Operator],
    responses=problem_responses(Unauthorized),
)


def _community_out(row: Community) -> CommunityOut:
    return CommunityOut(id=row.id, name=row.name, created_at=row.created_at)


@community_api.get("")
def list_communities(session: SessionDep) -> list[CommunityOut]:
    """The network's communities of practice: what a community_of_practice achievement may name."""
    return [_community_out(row) for row in communities.list_communities(session)]


@community_api.post(
    "", status_code=status.HTTP_201_CREATED, responses=problem_responses(Conflict, ValidationFailed)
)
def create_community(body: CommunityCreate, session: SessionDep, now: NowDep) -> CommunityOut:
    """Add a community of practice; a name already listed (in any letter case) is 409."""
    return _community_out(communities.create_community(session, body.name, now))


# --- public documents ---------------------------------------------------------------------------------------


@public.get("/trust-list")
def trust_list(
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The register of accredited issuers as a credential signed by the operator (eddsa-rdfc-2022),
    with a version that goes up on every change; cacheable (ETag, five minutes)."""
    document, version = operator.signed_trust_list(session, config, now)
    etag = f'"{version}-{hashlib.sha256(document.encode()).hexdigest()[:16]}"'
    headers = {"Cache-Control": "public, max-age=300", "ETag": etag, "X-Trust-List-Version": str(version)}
    if if_none_match is not None and etag in {tag.strip() for tag in if_none_match.split(",")}:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(document, media_type="application/vc+ld+json", headers=headers)


@public.get("/operator/did.json")
def operator_did_document(session: SessionDep, config: TrustConfigDep, now: NowDep) -> Response:
    """The network operator's DID document (did:web), with the keys that sign the trust list."""
    document = operator.did_document(session, config, now)
    return Response(
        json.dumps(document), media_type="application/did+json", headers={"Cache-Control": "max-age=300"}
    )


router.include_router(api)
router.include_router(public)
router.include_router(community_api)
