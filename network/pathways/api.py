"""Pathways over HTTP: the operator defines and manages every pathway (operator token,
``/api/v1/admin/pathways``); a partnership (an `issuers` row of kind ``partnership``) defines and manages
its own (its API key or its staff's console session, ``/api/v1/pathways``: another owner's pathway is
"not found", and a provider, which owns no pathways, is 403); everyone reads the published ones
(``/pathways``, ``/pathways/{id}``: a page, or JSON for ``Accept: application/json``)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from core.deps import NowDep, Operator, SessionDep
from core.i18n import N_, gettext
from core.problems import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed, problem_responses
from core.services import provide
from core.web import Templates
from issuers.deps import CurrentIssuer
from network.trust import TrustConfig

from . import milestones, rules, service
from .api_models import (
    MilestoneRecordOut,
    MilestoneRevoke,
    OfferOut,
    OptionOut,
    PathwayCreate,
    PathwayOut,
    PathwayUpdate,
    ProviderOut,
    StepOut,
)
from .models import Pathway, PathwayCompletion

TrustConfigDep = Annotated[TrustConfig, Depends(provide(TrustConfig))]
render = Templates(Path(__file__).parent / "templates").render

api = APIRouter(
    prefix="/api/v1/admin/pathways",
    tags=["operator"],
    dependencies=[Operator],
    responses=problem_responses(Unauthorized),
)
public = APIRouter(tags=["public"])
router = APIRouter()


class NotAPartnership(Forbidden):
    slug, title = "not-a-partnership", N_("Only a partnership manages pathways")


def current_partnership(issuer: CurrentIssuer) -> Any:
    """The calling organisation, when it is a partnership (a provider owns no pathways: 403)."""
    if issuer.kind != "partnership":
        raise NotAPartnership(
            gettext("Pathways are defined by partnerships and the network operator, not by providers.")
        )
    return issuer


#: The partnership's `issuers` row (network never names the issuers' tables).
Partnership = Annotated[Any, Depends(current_partnership)]
partner = APIRouter(
    prefix="/api/v1/pathways",
    tags=["partnerships"],
    responses=problem_responses(Unauthorized, NotAPartnership),
)


def milestone_record(base_url: str, row: PathwayCompletion) -> MilestoneRecordOut:
    status = json.loads(row.document).get("credentialStatus") or {}
    return MilestoneRecordOut(
        id=row.id,
        url=milestones.milestone_url(base_url, row.pathway_id, row.id),
        version=row.version,
        learner_id=row.learner_id,
        completed_at=row.completed_at,
        issued_at=row.issued_at,
        revoked_at=row.revoked_at,
        revocation_reason=row.revocation_reason,
        review_flagged_at=row.review_flagged_at,
        status_list_credential=status.get("statusListCredential") if isinstance(status, dict) else None,
    )


def pathway_out(
    pathway: Pathway,
    definition: rules.Definition,
    version: int,
    catalogue: service.Catalogue,
    base_url: str,
    owner_name: str,
) -> PathwayOut:
    names = {offer.achievement_id: offer.name for offer, _ in catalogue.offers}
    dumped = rules.dump(definition)["steps"]

    def option_out(option: rules.Option, raw: dict[str, object]) -> OptionOut:
        offers = [
            OfferOut(
                achievement_id=o.achievement_id,
                achievement_name=o.name,
                provider=ProviderOut(
                    id=o.provider_id, name=o.provider_name, did=o.provider_did, url=o.provider_url
                ),
            )
            for o in catalogue.for_option(option)
        ]
        rule = raw.get("rule")
        return OptionOut(
            achievement=option.achievement,
            rule=rule if isinstance(rule, dict) else None,
            described=service.describe(option, names),
            offered_by=offers,
        )

    return PathwayOut(
        id=pathway.id,
        url=service.pathway_url(base_url, pathway.id),
        owner=pathway.owner,
        owner_name=owner_name,
        title=pathway.title,
        description=pathway.description,
        region=pathway.region,
        sector=pathway.sector,
        version=version,
        state=pathway.state,
        steps=[
            StepOut(
                key=step.key,
                title=step.title,
                choose=step.choose,
                after=list(step.after),
                options=[
                    option_out(o, raw) for o, raw in zip(step.options, raw_step["options"], strict=True)
                ],
            )
            for step, raw_step in zip(definition.steps, dumped, strict=True)
        ],
        created_at=pathway.created_at,
        updated_at=pathway.updated_at,
    )


def _out(session: Session, config: TrustConfig, pathway: Pathway, now: datetime) -> PathwayOut:
    definition = service.definition_of(session, pathway.id, pathway.current_version)
    catalogue = service.catalogue_of(session, config, now)
    owner_name = service.owner_name(session, config, pathway)
    return pathway_out(pathway, definition, pathway.current_version, catalogue, config.base_url, owner_name)


def _all_out(
    session: Session, config: TrustConfig, pathways: list[Pathway], now: datetime
) -> list[PathwayOut]:
    catalogue = service.catalogue_of(session, config, now)
    return [
        pathway_out(
            p,
            service.definition_of(session, p.id, p.current_version),
            p.current_version,
            catalogue,
            config.base_url,
            service.owner_name(session, config, p),
        )
        for p in pathways
    ]


# --- the operator -------------------------------------------------------------------------------------------


@api.post("", status_code=status.HTTP_201_CREATED, responses=problem_responses(ValidationFailed))
def create_pathway(
    body: PathwayCreate, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> PathwayOut:
    """Define a pathway: steps of named achievements (any provider) or rules over accredited providers'
    credentials, "N of these M" (``choose``) and optional order (``after``). A definition that could
    never be completed (a cycle, an impossible level, an unknown achievement, ...) is 422 naming every
    problem, and nothing is stored."""
    return _out(session, config, service.create(session, config.base_url, body, now), now)


@api.get("")
def list_pathways(session: SessionDep, config: TrustConfigDep, now: NowDep) -> list[PathwayOut]:
    """Every pathway, withdrawn ones too."""
    return _all_out(session, config, service.list_pathways(session), now)


@api.get("/{pathway_id}", responses=problem_responses(NotFound))
def get_pathway(pathway_id: str, session: SessionDep, config: TrustConfigDep, now: NowDep) -> PathwayOut:
    return _out(session, config, service.get(session, pathway_id), now)


@api.patch("/{pathway_id}", responses=problem_responses(NotFound, ValidationFailed))
def update_pathway(
    pathway_id: str, body: PathwayUpdate, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> PathwayOut:
    """Change what is sent. New steps (or a new title) make a new version: what learners already
    completed keeps the version they completed. ``state`` withdraws a pathway (or publishes it again)."""
    return _out(session, config, service.update(session, config.base_url, pathway_id, body, now), now)


@api.get("/{pathway_id}/versions/{version}", responses=problem_responses(NotFound))
def get_version(
    pathway_id: str, version: int, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> PathwayOut:
    """One version of the pathway, as it was defined."""
    pathway = service.get(session, pathway_id)
    definition = service.definition_of(session, pathway_id, version)
    catalogue = service.catalogue_of(session, config, now)
    owner_name = service.owner_name(session, config, pathway)
    return pathway_out(pathway, definition, version, catalogue, config.base_url, owner_name)


@api.get("/{pathway_id}/milestones", responses=problem_responses(NotFound))
def list_milestones(pathway_id: str, session: SessionDep, config: TrustConfigDep) -> list[MilestoneRecordOut]:
    """The milestones issued for the pathway, newest first, revoked ones too."""
    service.get(session, pathway_id)
    return [milestone_record(config.base_url, r) for r in milestones.list_completions(session, pathway_id)]


@api.post("/{pathway_id}/milestones/{completion_id}/revoke", responses=problem_responses(NotFound, Conflict))
def revoke_milestone(
    pathway_id: str,
    completion_id: str,
    body: MilestoneRevoke,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
) -> MilestoneRecordOut:
    """Revoke a milestone on its owner's status list (verifiers then report it revoked); idempotent."""
    pathway = service.get(session, pathway_id)
    row = milestones.revoke(session, pathway, completion_id, body.reason, now)
    return milestone_record(config.base_url, row)


# --- a partnership's own pathways ---------------------------------------------------------------------------


@partner.post("", status_code=status.HTTP_201_CREATED, responses=problem_responses(ValidationFailed))
def partner_create(
    body: PathwayCreate, owner: Partnership, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> PathwayOut:
    """Define a pathway the partnership owns (and whose milestones its key signs); see the operator's."""
    return _out(session, config, service.create(session, config.base_url, body, now, owner.id), now)


@partner.get("")
def partner_list(
    owner: Partnership, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> list[PathwayOut]:
    """The partnership's pathways, drafts and withdrawn ones too."""
    return _all_out(session, config, service.list_pathways(session, owner=owner.id), now)


@partner.get("/{pathway_id}", responses=problem_responses(NotFound))
def partner_get(
    pathway_id: str, owner: Partnership, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> PathwayOut:
    return _out(session, config, service.get_owned(session, pathway_id, owner.id), now)


@partner.patch("/{pathway_id}", responses=problem_responses(NotFound, ValidationFailed))
def partner_update(
    pathway_id: str,
    body: PathwayUpdate,
    owner: Partnership,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
) -> PathwayOut:
    """Change one of the partnership's pathways: a new version for new steps; publish or withdraw."""
    pathway = service.update(session, config.base_url, pathway_id, body, now, owner.id)
    return _out(session, config, pathway, now)


@partner.get("/{pathway_id}/versions/{version}", responses=problem_responses(NotFound))
def partner_version(
    pathway_id: str,
    version: int,
    owner: Partnership,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
) -> PathwayOut:
    pathway = service.get_owned(session, pathway_id, owner.id)
    definition = service.definition_of(session, pathway_id, version)
    catalogue = service.catalogue_of(session, config, now)
    owner_name = service.owner_name(session, config, pathway)
    return pathway_out(pathway, definition, version, catalogue, config.base_url, owner_name)


@partner.get("/{pathway_id}/milestones", responses=problem_responses(NotFound))
def partner_milestones(
    pathway_id: str, owner: Partnership, session: SessionDep, config: TrustConfigDep
) -> list[MilestoneRecordOut]:
    service.get_owned(session, pathway_id, owner.id)
    return [milestone_record(config.base_url, r) for r in milestones.list_completions(session, pathway_id)]


@partner.post(
    "/{pathway_id}/milestones/{completion_id}/revoke", responses=problem_responses(NotFound, Conflict)
)
def partner_revoke(
    pathway_id: str,
    completion_id: str,
    body: MilestoneRevoke,
    owner: Partnership,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
) -> MilestoneRecordOut:
    """Revoke a milestone of one of the partnership's pathways, on the partnership's status list."""
    pathway = service.get_owned(session, pathway_id, owner.id)
    row = milestones.revoke(session, pathway, completion_id, body.reason, now)
    return milestone_record(config.base_url, row)


# --- public ------------------------------------------------------------------------------------------------


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@public.get("/pathways", response_model=list[PathwayOut])
def public_pathways(request: Request, session: SessionDep, config: TrustConfigDep, now: NowDep) -> Response:
    """The published pathways, each step with the providers offering it: a page, or JSON."""
    found = _all_out(session, config, service.list_pathways(session, public=True), now)
    if _wants_json(request):
        return JSONResponse([p.model_dump(mode="json") for p in found])
    return render(request, "pathways.html", pathways=found)


@public.get("/pathways/{pathway_id}", response_model=PathwayOut, responses=problem_responses(NotFound))
def public_pathway(
    request: Request, pathway_id: str, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> Response:
    """One published pathway: its steps and who offers each (a page, or JSON)."""
    found = _out(session, config, service.get(session, pathway_id, public=True), now)
    if _wants_json(request):
        return JSONResponse(found.model_dump(mode="json"))
    return render(request, "pathway.html", pathway=found)


router.include_router(api)
router.include_router(partner)
router.include_router(public)
