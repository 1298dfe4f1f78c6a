"""The public achievement page, at the ``url`` the API gives for an achievement and every credential of it
holds as its achievement's ``id``.

``GET /achievements/{id}`` shows what the achievement is (name, kind, description, criteria, level,
sector, alignments) and who offers it; ``Accept: application/json`` (or ``application/ld+json``) gives the
OB 3.0 ``Achievement`` itself. ``?version=N`` shows a version an edit replaced (credentials issued with it
carry ``version``). An archived achievement's page stays up: what was issued stays verifiable, and the
page says nothing more is issued. Nothing about any learner is here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.routing import APIRoute

from core.deps import SessionDep
from core.i18n import gettext
from core.problems import PROBLEM_JSON, NotFound, Problem, problem_responses
from core.services import Site, services_of
from core.web import Templates

from . import achievements, images, issuing, service
from .deps import ConfigDep

__all__ = ["facts_of", "router"]

render = Templates(Path(__file__).parent / "templates").render
_JSON_TYPES = ("application/json", "application/ld+json")


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "text/html" not in accept and any(kind in accept for kind in _JSON_TYPES)


class PageRoute(APIRoute):
    """Errors on this page are pages for browsers, problems for JSON clients."""

    def render_problem(self, request: Request, problem: Problem) -> Response:
        if _wants_json(request):
            body = problem.body(services_of(request.app).get(Site).base_url, request.url.path)
            return Response(orjson.dumps(body), status_code=problem.status, media_type=PROBLEM_JSON)
        return render(
            request,
            "issuers_problem.html",
            status_code=problem.status,
            title=problem.shown_title,
            detail=problem.detail,
        )


router = APIRouter(tags=["public"], route_class=PageRoute)


def facts_of(definition: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": definition["name"],
        "description": definition["description"],
        "criteria_narrative": definition.get("criteria_narrative"),
        "criteria_url": definition.get("criteria_url"),
        "level": definition.get("level"),
        "sector": definition.get("sector"),
        "community": definition.get("community"),
        "credits": _number(definition.get("credits")),
        "alignments": definition.get("alignments", []),
        "exchange": definition.get("exchange"),
        "tags": definition.get("tags", []),
    }


def _number(value: float | None) -> float | int | None:
    """6.0 shows as 6; 7.5 as 7.5."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


@router.get(
    "/achievements/{achievement_id}",
    response_model=None,
    responses={
        200: {
            "description": "The page (HTML) or the OB 3.0 Achievement (JSON)",
            "content": {"text/html": {}},
        },
        **problem_responses(NotFound),
    },
)
def achievement_page(
    request: Request,
    achievement_id: str,
    session: SessionDep,
    config: ConfigDep,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    """What the achievement is and who offers it; JSON clients get the OB 3.0 Achievement."""
    current = achievements.find_public(session, achievement_id)
    shown = achievements.at_version(session, current, version or current.version)
    issuer = service.get_issuer(session, shown.issuer_id)
    did = service.did_of(config, issuer.id)
    model = issuing.credential_parts(config, issuer, did, shown, session).achievement
    if _wants_json(request):
        document = {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            **model.to_json(),
        }
        return Response(orjson.dumps(document), media_type="application/json")
    return render(
        request,
        "issuers_achievement.html",
        image_url=images.image_path(shown.id, shown.definition["image"])
        if shown.definition.get("image")
        else None,
        achievement=facts_of(shown.definition),
        kind=shown.kind,
        achievement_type=model.achievement_type,
        version=shown.version,
        current_version=current.version,
        archived=current.archived_at is not None,
        provider={"name": issuer.name, "url": issuer.url, "profile_url": f"/issuers/{issuer.id}/profile"},
        page_url=model.id,
    )


#: A badge image never changes (it is named by its SHA-256); an SVG is shown as an image, never as a page.
_IMAGE_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
}


@router.get(
    "/achievements/{achievement_id}/images/{sha256}.png",
    response_model=None,
    responses={200: {"content": {"image/png": {}}}, **problem_responses(NotFound)},
)
def achievement_image_png(achievement_id: str, sha256: str, session: SessionDep) -> Response:
    """The badge image as PNG (`issuers.images.png_of`: an SVG's 256 px rendering); 404 if it has none."""
    achievement = achievements.find_public(session, achievement_id)
    png = images.png_of(images.get_image(session, achievement.issuer_id, sha256))
    if png is None:
        raise NotFound(gettext("no such image"))
    return Response(png, media_type=images.MEDIA_TYPES["png"], headers=_IMAGE_HEADERS)


@router.get(
    "/achievements/{achievement_id}/images/{sha256}",
    response_model=None,
    responses={200: {"content": {"image/png": {}, "image/svg+xml": {}}}, **problem_responses(NotFound)},
)
def achievement_image(achievement_id: str, sha256: str, session: SessionDep) -> Response:
    """A badge image of the achievement's provider, at the URL its credentials hold (`issuers.images`)."""
    achievement = achievements.find_public(session, achievement_id)
    row = images.get_image(session, achievement.issuer_id, sha256)
    return Response(row.content, media_type=row.media_type, headers=_IMAGE_HEADERS)
