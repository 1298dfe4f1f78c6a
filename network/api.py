"""The network operator's HTTP API: accreditations and communities of practice (operator token), scheme
approvals (providers submit with their key; the operator decides), the public trust list, the
operator's DID document, the published approvals and the operator's status lists."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response, status

from core.actors import acting_as
from core.deps import OPERATOR_TOKEN, NowDep, Operator, SessionDep, bearer_token
from core.i18n import gettext
from core.problems import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed, problem_responses
from core.services import OperatorToken, provide, services_of
from issuers.deps import CurrentIssuer
from issuers.service import API_KEY_PREFIX
from issuers.staff.access import operator_member

from . import approval_status, approvals, assignments, communities, operator, trust
from .api_models import (
    AccreditationCreate,
    AccreditationOut,
    AccreditationUpdate,
    ApprovalDecision,
    ApprovalOut,
    ApprovalRefusal,
    ApprovalSubmit,
    ApprovalWithdrawal,
    AssignmentIn,
    AssignmentOut,
    CommunityCreate,
    CommunityOut,
    EventOut,
    Reinstatement,
    ScopeOut,
    StateChange,
)
from .models import Accreditation, AccreditationEvent, Community, SchemeApproval
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


# --- scheme approvals ---------------------------------------------------------------------------------------


def current_reviewer(request: Request, session: SessionDep, now: NowDep) -> approvals.Reviewer:
    """The operator's token reviews any submission (and the request acts as the operator, `core.actors`).
    A provider's key is 403: providers submit, they never decide. Without a token, the operator's staff
    signed in to /operator: an administrator reviews any submission, an assessor those assigned to them
    (`network.assignments`)."""
    if not request.headers.get("authorization"):
        member = operator_member(request, session, now, reviewing=True)
        if member is not None:
            return assignments.reviewer_for(session, member)
    token = bearer_token(request)
    expected = services_of(request.app).get(OperatorToken).value
    if hmac.compare_digest(token.encode(), expected.encode()):
        acting_as(session, OPERATOR_TOKEN)
        return approvals.OPERATOR
    if token.startswith(API_KEY_PREFIX):
        raise approvals.forbid_provider()
    raise Unauthorized(gettext("the network operator's token is required"))


ReviewerDep = Annotated[approvals.Reviewer, Depends(current_reviewer)]

provider_approval_api = APIRouter(
    prefix="/api/v1/approvals", tags=["approvals"], responses=problem_responses(Unauthorized)
)
review_api = APIRouter(
    prefix="/api/v1/admin/approvals",
    tags=["operator"],
    responses=problem_responses(Unauthorized, Forbidden),
)


def approval_out(row: SchemeApproval, base_url: str) -> ApprovalOut:
    return ApprovalOut(
        id=row.id,
        provider_id=row.issuer_id,
        achievement_id=row.achievement_id,
        state=row.state,  # type: ignore[arg-type]
        quality_statement=row.quality_statement,
        criteria=row.criteria,
        submitted_at=row.submitted_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        comment=row.comment,
        reasons=row.reasons,
        endorsement_url=approvals.approval_url(base_url, row.id) if row.endorsement else None,
        withdrawn_at=row.withdrawn_at,
        withdrawn_reason=row.withdrawn_reason,
    )


@provider_approval_api.post(
    "", status_code=status.HTTP_201_CREATED, responses=problem_responses(NotFound, Conflict, ValidationFailed)
)
def submit_approval(
    body: ApprovalSubmit, issuer: CurrentIssuer, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> ApprovalOut:
    """Submit one of your achievements for approval under the scheme. Another provider's achievement is
    404; one already pending or approved is 409 (with ``approval_id`` and ``current_state``)."""
    row = approvals.submit(session, issuer, body.achievement_id, body.quality_statement, now)
    return approval_out(row, config.base_url)


@provider_approval_api.get("")
def list_own_approvals(
    issuer: CurrentIssuer, session: SessionDep, config: TrustConfigDep
) -> list[ApprovalOut]:
    """Your submissions, oldest first, with their decisions."""
    return [approval_out(row, config.base_url) for row in approvals.list_own(session, issuer)]


@provider_approval_api.get("/{approval_id}", responses=problem_responses(NotFound))
def get_own_approval(
    approval_id: str, issuer: CurrentIssuer, session: SessionDep, config: TrustConfigDep
) -> ApprovalOut:
    return approval_out(approvals.get_own(session, issuer, approval_id), config.base_url)


@review_api.get("")
def list_approvals(
    reviewer: ReviewerDep,
    session: SessionDep,
    config: TrustConfigDep,
    state: approvals.State | None = None,
) -> list[ApprovalOut]:
    """Submissions to review (``state=pending``) and decided ones, oldest first."""
    return [approval_out(row, config.base_url) for row in approvals.list_all(session, reviewer, state)]


@review_api.get("/{approval_id}", responses=problem_responses(NotFound))
def get_approval(
    approval_id: str, reviewer: ReviewerDep, session: SessionDep, config: TrustConfigDep
) -> ApprovalOut:
    return approval_out(approvals.get(session, approval_id, reviewer), config.base_url)


@review_api.post("/{approval_id}/approve", responses=_CHANGE)
def approve(
    approval_id: str,
    reviewer: ReviewerDep,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
    body: ApprovalDecision | None = None,
) -> ApprovalOut:
    """Pending -> approved: signs the EndorsementCredential, published at ``endorsement_url`` and carried
    by every credential of the achievement issued from now on. 422 when a criterion is not met; 409 when
    the submission is no longer pending."""
    body = body or ApprovalDecision()
    row = approvals.approve(session, config, approval_id, reviewer, body.comment, now)
    return approval_out(row, config.base_url)


@review_api.post("/{approval_id}/refuse", responses=_CHANGE)
def refuse(
    approval_id: str,
    body: ApprovalRefusal,
    reviewer: ReviewerDep,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
) -> ApprovalOut:
    """Pending -> refused, with reasons (each naming a criterion or ``other``)."""
    reasons = [reason.model_dump() for reason in body.reasons]
    return approval_out(approvals.refuse(session, approval_id, reviewer, reasons, now), config.base_url)


@review_api.post("/{approval_id}/withdraw", responses=_CHANGE)
def withdraw_approval(
    approval_id: str,
    body: ApprovalWithdrawal,
    reviewer: ReviewerDep,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
) -> ApprovalOut:
    """Approved -> withdrawn: the endorsement is revoked on the operator's status list. Credentials that
    carry it stay valid, and verifiers report the approval as withdrawn. Not an assessor's to do (403)."""
    if reviewer.kind != "operator":
        raise assignments.forbid_assessor()
    row = approvals.withdraw(session, approval_id, reviewer, body.reason, now)
    return approval_out(row, config.base_url)


@review_api.post("/{approval_id}/assign", responses=_CHANGE)
def assign_approval(
    approval_id: str, body: AssignmentIn, reviewer: ReviewerDep, session: SessionDep, now: NowDep
) -> AssignmentOut:
    """Assign a pending submission to one of the operator's assessors (it moves from whoever had it):
    they see and decide only what is assigned to them. Not an assessor's to do (403)."""
    if reviewer.kind != "operator":
        raise assignments.forbid_assessor()
    row = assignments.assign(session, approval_id, body.assessor_id, now)
    return AssignmentOut(
        approval_id=row.approval_id,
        assessor_id=row.assessor_id,
        assigned_at=row.assigned_at,
        assigned_by=row.assigned_by,
    )


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


@public.get("/approvals/{approval_id}", responses=problem_responses(NotFound))
def published_approval(approval_id: str, session: SessionDep) -> Response:
    """An approval's signed EndorsementCredential (its stable ``id``); a withdrawn one stays published,
    and its status entry says it is revoked."""
    return Response(
        approvals.published(session, approval_id),
        media_type="application/vc+ld+json",
        headers={"Cache-Control": "public, max-age=300"},
    )


@public.get("/operator/status/{list_id}", responses=problem_responses(NotFound))
def operator_status_list(list_id: str, session: SessionDep, config: TrustConfigDep, now: NowDep) -> Response:
    """The operator's signed Bitstring Status List credential (the approvals' endorsements)."""
    document, version = approval_status.signed_list(session, config, list_id, now)
    headers = {"Cache-Control": "public, max-age=300", "ETag": f'"{version}"'}
    return Response(document, media_type="application/vc+ld+json", headers=headers)


router.include_router(api)
router.include_router(public)
router.include_router(community_api)
router.include_router(provider_approval_api)
router.include_router(review_api)
