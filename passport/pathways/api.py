"""The learner's pathways over the passport API (a learner token): progress, and the milestone."""

from __future__ import annotations

import json

from fastapi import APIRouter

from core.deps import NowDep, SessionDep
from core.i18n import gettext
from core.problems import Conflict, NotFound, Unauthorized, problem_responses
from network.pathways import milestones, service
from network.pathways.api_models import MilestoneOut, ProgressOut, StepProgressOut
from network.pathways.service import LearnerPathway
from passport.accounts import addresses
from passport.deps import CurrentLearner

from .progress import MilestonesDep, held

api = APIRouter(prefix="/api/v1/passport", tags=["passport"], responses=problem_responses(Unauthorized))


def progress_out(item: LearnerPathway) -> ProgressOut:
    completion = item.completion
    return ProgressOut(
        pathway_id=item.pathway.id,
        title=item.pathway.title,
        version=item.version,
        steps_done=item.progress.done,
        steps_total=len(item.progress.steps),
        complete=completion is not None or item.progress.complete,
        steps=[
            StepProgressOut(
                key=step.step.key,
                title=step.step.title,
                state=step.state.value,
                choose=step.step.choose,
                satisfied_options=list(step.satisfied),
                open_options=list(step.open_options),
                credentials=[facts.id for facts in step.credentials],
                credits_so_far=step.credits,
            )
            for step in item.progress.steps
        ],
        milestone=MilestoneOut(
            id=completion.id,
            version=completion.version,
            completed_at=completion.completed_at,
            credential=json.loads(completion.document),
            state="revoked"
            if completion.revoked_at is not None
            else "review"
            if item.needs_review
            else "valid",
            revoked_at=completion.revoked_at,
        )
        if completion is not None
        else None,
    )


@api.get("/pathways")
def my_pathways(
    learner: CurrentLearner, session: SessionDep, now: NowDep, hook: MilestonesDep
) -> list[ProgressOut]:
    """Your progress on every published pathway (steps done, in progress, next), with the milestone
    credential of each you completed (issued now if it had not been yet)."""
    return [progress_out(item) for item in hook.progress(session, learner, now)]


@api.get("/pathways/{pathway_id}", responses=problem_responses(NotFound))
def my_pathway(
    pathway_id: str, learner: CurrentLearner, session: SessionDep, now: NowDep, hook: MilestonesDep
) -> ProgressOut:
    found = hook.progress(session, learner, now, pathway_id)
    if not found:
        raise NotFound(gettext("no pathway %(id)r", id=pathway_id[:40]))
    return progress_out(found[0])


@api.post("/pathways/{pathway_id}/milestone", responses=problem_responses(NotFound, Conflict))
def claim_milestone(
    pathway_id: str, learner: CurrentLearner, session: SessionDep, now: NowDep, hook: MilestonesDep
) -> MilestoneOut:
    """The milestone credential of a pathway you completed (the same one however often you ask). 409 with
    ``missing_steps`` when the pathway is not complete: nothing is issued."""
    found = service.learner_progress(
        session, hook.config.base_url, learner.id, held(session, learner, now), now, pathway_id
    )
    if not found:
        raise NotFound(gettext("no pathway %(id)r", id=pathway_id[:40]))
    email = addresses.primary_email(session, learner)
    if email is None:
        raise Conflict(gettext("Confirm an email address first: the milestone names you by it."))
    completion = milestones.issue(session, hook.config, learner.id, email, found[0], now)
    return MilestoneOut(
        id=completion.id,
        version=completion.version,
        completed_at=completion.completed_at,
        credential=json.loads(completion.document),
    )
