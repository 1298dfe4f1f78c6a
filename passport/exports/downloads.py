"""Exports of the learner's credentials, API and pages: each credential as its signed document (JSON or
VC-JWT) and baked into a badge image (OB 3.0 §Baking, PNG or SVG), and a selection as a Verifiable
Presentation signed by the learner's holder key (`passport.exports.holder`).

Downloads are exactly what the issuer signed: the JSON credential byte for byte as stored, or the compact
VC-JWT. The badge image is the service's default badge (`issuers.badges`): we bake only images we hold.
"""

from __future__ import annotations

import json
from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import Field
from sqlalchemy.orm import Session

from core.deps import NowDep, SessionDep
from core.i18n import gettext
from core.problems import NotFound, Unauthorized, ValidationFailed, problem_responses
from issuers.badges import badge_png, badge_svg, own_badge
from passport import credentials
from passport.api_models import StrictVerbatim
from passport.credentials import PassportItem
from passport.deps import CurrentLearner, PassportConfigDep
from passport.exports import holder
from passport.web import PageRoute, VisitorDep
from vc.baking import bake

api = APIRouter(prefix="/api/v1/passport", tags=["passport"], responses=problem_responses(Unauthorized))
pages = APIRouter(route_class=PageRoute, include_in_schema=False)

ImageFormat = Literal["png", "svg"]
#: VC DM 2.0 §6.3 media types (JSON-LD credential; JOSE-secured credential, VC-JOSE-COSE §6.1.1).
MEDIA_TYPES = {"ldp": "application/vc", "jwt": "application/vc+jwt"}
IMAGE_TYPES: dict[ImageFormat, str] = {"png": "image/png", "svg": "image/svg+xml"}


def attachment(body: bytes | str, media_type: str, filename: str) -> Response:
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    if media_type == IMAGE_TYPES["svg"]:  # served from our origin: nothing in it may run or load
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return Response(body, media_type=media_type, headers=headers)


def signed_file(entry: PassportItem) -> Response:
    document = entry.credential.signed_document()
    if isinstance(document, str):
        return attachment(document, MEDIA_TYPES["jwt"], f"credential-{entry.id}.jwt")
    body = json.dumps(document, indent=2, ensure_ascii=False)
    return attachment(body, MEDIA_TYPES["ldp"], f"credential-{entry.id}.json")


def baked_file(session: Session, entry: PassportItem, image_format: ImageFormat) -> Response:
    """Baked into the provider's own badge image when ours issued it with one (for a PNG, an SVG badge's
    rendering), else into the default badge."""
    own = own_badge(session, entry.credential.id, image_format) if entry.source == "issued" else None
    image = own or (
        badge_png()
        if image_format == "png"
        else badge_svg(entry.credential.achievement_name, entry.kind).encode()
    )
    baked = bake(image, entry.credential.signed_document())
    return attachment(baked, IMAGE_TYPES[image_format], f"credential-{entry.id}.{image_format}")


DOWNLOAD_RESPONSES = problem_responses(NotFound)


@api.get("/credentials/{credential_id}/download", response_class=Response, responses=DOWNLOAD_RESPONSES)
def download(credential_id: str, learner: CurrentLearner, session: SessionDep, now: NowDep) -> Response:
    """The credential exactly as signed: JSON (``application/vc``) or a compact VC-JWT
    (``application/vc+jwt``)."""
    return signed_file(credentials.item(session, learner, credential_id, now))


@api.get("/credentials/{credential_id}/baked.png", response_class=Response, responses=DOWNLOAD_RESPONSES)
def baked_png(credential_id: str, learner: CurrentLearner, session: SessionDep, now: NowDep) -> Response:
    return baked_file(session, credentials.item(session, learner, credential_id, now), "png")


@api.get("/credentials/{credential_id}/baked.svg", response_class=Response, responses=DOWNLOAD_RESPONSES)
def baked_svg(credential_id: str, learner: CurrentLearner, session: SessionDep, now: NowDep) -> Response:
    return baked_file(session, credentials.item(session, learner, credential_id, now), "svg")


class PresentationCreate(StrictVerbatim):
    credential_ids: list[str] = Field(min_length=1, max_length=64)
    challenge: str | None = Field(
        default=None, min_length=1, max_length=200, description="The verifier's nonce"
    )
    domain: str | None = Field(
        default=None, min_length=1, max_length=200, description="The verifier's domain"
    )


@api.post(
    "/presentations",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(NotFound, ValidationFailed),
)
def create_presentation(
    body: PresentationCreate,
    learner: CurrentLearner,
    session: SessionDep,
    config: PassportConfigDep,
    now: NowDep,
) -> Response:
    """A Verifiable Presentation of these credentials (yours only: any other is 404), signed by your
    holder key (``did:key``, Ed25519, ``eddsa-rdfc-2022``, ``authentication``) with the verifier's
    challenge and domain; ``POST /presentations/verify`` verifies it."""
    if len(set(body.credential_ids)) != len(body.credential_ids):
        raise ValidationFailed(
            gettext("A credential is listed twice."), [{"loc": ["credential_ids"], "msg": "duplicate"}]
        )
    assert config.keystore is not None, "server.app gives the passport the keystore"
    presented = holder.presentation(
        session,
        config.keystore,
        learner,
        body.credential_ids,
        now,
        challenge=body.challenge,
        domain=body.domain,
    )
    return Response(json.dumps(presented), status_code=201, media_type="application/vp")


# --- the same downloads from the passport pages (session cookie) -------------------------------------------


@pages.get("/passport/credentials/{credential_id}/download")
def page_download(
    credential_id: str, request: Request, who: VisitorDep, session: SessionDep, now: NowDep
) -> Response:
    return signed_file(credentials.item(session, who.require_learner(request), credential_id, now))


@pages.get("/passport/credentials/{credential_id}/baked.png")
def page_baked_png(
    credential_id: str, request: Request, who: VisitorDep, session: SessionDep, now: NowDep
) -> Response:
    return baked_file(
        session, credentials.item(session, who.require_learner(request), credential_id, now), "png"
    )


@pages.get("/passport/credentials/{credential_id}/baked.svg")
def page_baked_svg(
    credential_id: str, request: Request, who: VisitorDep, session: SessionDep, now: NowDep
) -> Response:
    return baked_file(
        session, credentials.item(session, who.require_learner(request), credential_id, now), "svg"
    )
