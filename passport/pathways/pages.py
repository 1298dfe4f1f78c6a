"""The learner's pathways in the passport: the section on the passport home (`home_section`) and a page
per pathway, with the milestone credential to download."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from core.deps import NowDep, SessionDep
from core.i18n import gettext
from core.problems import NotFound
from network.pathways import service
from passport.models import Learner
from passport.web import PageRoute, VisitorDep, page

from .progress import MilestonesDep, PathwayMilestones, PathwayView, views

pages = APIRouter(route_class=PageRoute, include_in_schema=False)


def home_section(
    session: SessionDep, hook: PathwayMilestones, learner: Learner, now: NowDep
) -> list[PathwayView]:
    """What the passport home shows: the pathways the learner has started or completed."""
    found = views(hook.progress(session, learner, now), service.catalogue_of(session, hook.config, now))
    return [view for view in found if view.started or view.complete]


@pages.get("/passport/pathways/{pathway_id}")
def pathway_page(
    request: Request, pathway_id: str, who: VisitorDep, session: SessionDep, now: NowDep, hook: MilestonesDep
) -> HTMLResponse:
    learner = who.require_learner(request)
    found = hook.progress(session, learner, now, pathway_id)
    if not found:
        raise NotFound(gettext("no pathway %(id)r", id=pathway_id[:40]))
    [view] = views(found, service.catalogue_of(session, hook.config, now))
    return page(request, who, "passport_pathway.html", pathway=view)


@pages.get("/passport/pathways/{pathway_id}/milestone.json")
def milestone_download(
    request: Request, pathway_id: str, who: VisitorDep, session: SessionDep, now: NowDep, hook: MilestonesDep
) -> Response:
    """The milestone credential as signed (OB 3.0 JSON), to keep or hand to anyone."""
    learner = who.require_learner(request)
    found = hook.progress(session, learner, now, pathway_id)
    completion = found[0].completion if found else None
    if completion is None:
        raise NotFound(gettext("no milestone for pathway %(id)r in your passport", id=pathway_id[:40]))
    return Response(
        completion.document,
        media_type="application/vc+ld+json",
        headers={"Content-Disposition": 'attachment; filename="milestone.json"'},
    )
