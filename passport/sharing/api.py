"""Passport API for sharing and importing (``/api/v1/passport/shares``, ``…/imports``): thin routes.

A share link's public page is ``/shared/{secret}`` (``passport.sharing.pages``); its QR codes are
``/shared/{secret}/qr.png`` and ``.svg``, so whoever holds the link can have its code, and nobody else.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile, status

from core.deps import NowDep, SessionDep
from core.problems import NotFound, PayloadTooLarge, Unauthorized, ValidationFailed, problem_responses
from passport import credentials, imports
from passport.api_models import (
    CredentialSummary,
    ImportOut,
    ImportRequest,
    ShareCreate,
    ShareCreated,
    ShareOut,
)
from passport.deps import CurrentLearner, PassportConfigDep
from passport.imports import NotAuthentic, UnreadableImport
from passport.models import ShareLink, ShareLinkItem
from passport.pathways.progress import MilestonesDep, PathwayMilestones
from passport.sharing import sharing
from passport.sharing.sharing import share_url
from passport.verifying import VerifierDep

api = APIRouter(prefix="/api/v1/passport", tags=["passport"], responses=problem_responses(Unauthorized))


def share_out(share: ShareLink, chosen: list[ShareLinkItem], now: NowDep) -> ShareOut:
    return ShareOut(
        id=share.id,
        label=share.label,
        shared_by=share.shared_by,
        credential_ids=[row.credential_id for row in chosen],
        created_at=share.created_at,
        expires_at=share.expires_at,
        revoked_at=share.revoked_at,
        state=sharing.state(share, now),  # type: ignore[arg-type]
        view_count=share.view_count,
        last_viewed_at=share.last_viewed_at,
    )


@api.get("/shares")
def list_shares(learner: CurrentLearner, session: SessionDep, now: NowDep) -> list[ShareOut]:
    shares = sharing.list_shares(session, learner)
    chosen = sharing.share_items(session, [share.id for share in shares])
    return [share_out(share, chosen[share.id], now) for share in shares]


@api.post(
    "/shares",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(NotFound, ValidationFailed),
)
def create_share(
    body: ShareCreate, learner: CurrentLearner, session: SessionDep, config: PassportConfigDep, now: NowDep
) -> ShareCreated:
    """A link showing these credentials (yours only: any other is 404, and nothing is made) until it
    expires or you revoke it, with the name you choose to show (``shared_by``). Its page says of each
    credential whether it was issued to you. The URL is shown once."""
    share, secret = sharing.create_share(
        session, learner, body.credential_ids, body.label, body.expires_in_days, now, body.shared_by
    )
    url = share_url(config.base_url, secret)
    out = share_out(share, sharing.share_items(session, [share.id])[share.id], now)
    return ShareCreated(**out.model_dump(), url=url, qr_png=f"{url}/qr.png", qr_svg=f"{url}/qr.svg")


@api.get("/shares/{share_id}", responses=problem_responses(NotFound))
def get_share(share_id: str, learner: CurrentLearner, session: SessionDep, now: NowDep) -> ShareOut:
    share = sharing.get_share(session, learner, share_id)
    return share_out(share, sharing.share_items(session, [share.id])[share.id], now)


@api.post("/shares/{share_id}/revoke", responses=problem_responses(NotFound))
def revoke_share(share_id: str, learner: CurrentLearner, session: SessionDep, now: NowDep) -> ShareOut:
    """Withdraw the link now: its page answers 410 from then on."""
    share = sharing.revoke_share(session, learner, share_id, now)
    return share_out(share, sharing.share_items(session, [share.id])[share.id], now)


# --- imports ------------------------------------------------------------------------------------------------


def _imported(
    credential: dict[str, object] | str,
    learner: CurrentLearner,
    session: SessionDep,
    verifier: VerifierDep,
    now: NowDep,
    response: Response,
    milestones: PathwayMilestones,
) -> ImportOut:
    row, report, created = imports.import_credential(session, verifier, learner, credential, now)
    if created:
        milestones.learner_changed(session, learner.id, now)  # it may complete a pathway
    entry = credentials.item(session, learner, row.id, now, verifier)  # its issuer and recipient too
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return ImportOut(created=created, item=CredentialSummary.of(entry), report=report.to_json())


IMPORT_PROBLEMS = problem_responses(NotAuthentic, UnreadableImport, PayloadTooLarge, ValidationFailed)


@api.post("/imports", status_code=status.HTTP_201_CREATED, responses=IMPORT_PROBLEMS)
def import_credential(
    body: ImportRequest,
    learner: CurrentLearner,
    session: SessionDep,
    verifier: VerifierDep,
    now: NowDep,
    response: Response,
    milestones: MilestonesDep,
) -> ImportOut:
    """Add a credential issued elsewhere (OB 3.0 JSON or a compact VC-JWT). It is verified first, with the
    public verifier's report: a forgery is 422 ``credential-not-authentic`` (with the report) and nothing
    is stored. 201 when added; 200 when it was already in your passport. The item says who issued it
    (``issuer.name_source``) and whether it was issued to you (``recipient``): a credential issued to
    someone else is added, and every share link shows it as someone else's."""
    credential = (
        imports.read_credential(body.credential) if isinstance(body.credential, str) else body.credential
    )
    return _imported(credential, learner, session, verifier, now, response, milestones)


@api.post("/imports/upload", status_code=status.HTTP_201_CREATED, responses=IMPORT_PROBLEMS)
def import_upload(
    file: Annotated[UploadFile, File(description="A JSON credential, a compact VC-JWT, or a baked PNG/SVG")],
    learner: CurrentLearner,
    session: SessionDep,
    verifier: VerifierDep,
    now: NowDep,
    response: Response,
    milestones: MilestonesDep,
) -> ImportOut:
    """The same as ``POST /imports``, from a file (at most ``PASSPORT_MAX_BODY_BYTES``: larger is 413)."""
    data = file.file.read(imports.MAX_IMPORT_BYTES + 1)
    return _imported(imports.read_credential(data), learner, session, verifier, now, response, milestones)


@api.delete(
    "/imports/{credential_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(NotFound)
)
def remove_import(credential_id: str, learner: CurrentLearner, session: SessionDep) -> Response:
    """Remove a credential you imported (credentials issued to you stay: they are your issuers')."""
    imports.remove_imported(session, learner, credential_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
