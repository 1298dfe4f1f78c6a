"""Issuer HTTP API: thin routes over `issuers.service` and `issuers.issuing`.

`router` holds the provider and operator API under ``/api/v1`` and the public documents (DID documents,
profiles, status lists)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Header, Response, UploadFile, status
from sqlalchemy.orm import Session

from core.deps import NowDep, Operator, SessionDep
from core.problems import BadRequest, Conflict, NotFound, Unauthorized, ValidationFailed, problem_responses
from core.qr import fits_offline_link  # a pure leaf module (segno, vc.jwt): no import cycle
from vc.keys import KeyType

from . import achievements, badges, bulk, identity, issuing, lifecycle, service
from . import status as status_lists
from .api_models import (
    AchievementCreate,
    AchievementOut,
    AchievementUpdate,
    AchievementVersionOut,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    CohortPreviewOut,
    CohortRowOut,
    CredentialCreate,
    CredentialCreated,
    CredentialOut,
    CredentialStatusOut,
    IssuePreviewOut,
    IssuerCreate,
    IssuerCreated,
    IssuerOut,
    IssuerUpdate,
    JobOut,
    RevokeRequest,
    ScopeOut,
    SigningKeyOut,
    SuspendRequest,
)
from .deps import ConfigDep, CurrentIssuer, JobsDep
from .models import Achievement, ApiKey, IssuedCredential, IssuerKey

AUTH = problem_responses(Unauthorized)
api = APIRouter(prefix="/api/v1", responses=AUTH)
public = APIRouter()
router = APIRouter()  # api and public, included at the end of this module


# --- network operator ---------------------------------------------------------------------------------------


@api.post("/admin/issuers", status_code=status.HTTP_201_CREATED, dependencies=[Operator], tags=["operator"])
def create_issuer(body: IssuerCreate, session: SessionDep, config: ConfigDep, now: NowDep) -> IssuerCreated:
    """Onboard a provider: it gets a did:web identity, signing keys and its first API key (shown once)."""
    issuer, secret = service.create_issuer(session, config, body, now)
    return IssuerCreated(**service.summary(config, issuer), api_key=secret)


@api.get("/admin/issuers", dependencies=[Operator], tags=["operator"])
def list_issuers(session: SessionDep, config: ConfigDep) -> list[IssuerOut]:
    return [IssuerOut(**service.summary(config, issuer)) for issuer in service.list_issuers(session)]


@api.get(
    "/admin/issuers/{issuer_id}",
    dependencies=[Operator],
    tags=["operator"],
    responses=problem_responses(NotFound),
)
def get_issuer(issuer_id: str, session: SessionDep, config: ConfigDep) -> IssuerOut:
    return IssuerOut(**service.summary(config, service.get_issuer(session, issuer_id)))


@api.patch(
    "/admin/issuers/{issuer_id}",
    dependencies=[Operator],
    tags=["operator"],
    responses=problem_responses(NotFound, ValidationFailed),
)
def update_issuer(issuer_id: str, body: IssuerUpdate, session: SessionDep, config: ConfigDep) -> IssuerOut:
    """Change a provider's details or its suspension setting (only the fields sent; null clears one).

    Credentials already issued keep the details they were signed with; the setting applies to credentials
    issued from now on."""
    return IssuerOut(**service.summary(config, service.update_issuer(session, issuer_id, body)))


# --- a provider's own account -------------------------------------------------------------------------------


@api.get("/issuer", tags=["provider"])
def me(issuer: CurrentIssuer, config: ConfigDep) -> IssuerOut:
    return IssuerOut(**service.summary(config, issuer))


def _api_key_out(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "label": key.label,
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    }


@api.post("/api-keys", status_code=status.HTTP_201_CREATED, tags=["provider"])
def create_api_key(
    body: ApiKeyCreate, issuer: CurrentIssuer, session: SessionDep, now: NowDep
) -> ApiKeyCreated:
    key, secret = service.create_api_key(session, issuer, body.label, now)
    return ApiKeyCreated(**_api_key_out(key), api_key=secret)


@api.get("/api-keys", tags=["provider"])
def list_api_keys(issuer: CurrentIssuer, session: SessionDep) -> list[ApiKeyOut]:
    return [ApiKeyOut(**_api_key_out(key)) for key in service.list_api_keys(session, issuer)]


@api.post("/api-keys/{key_id}/revoke", tags=["provider"], responses=problem_responses(NotFound, Conflict))
def revoke_api_key(key_id: str, issuer: CurrentIssuer, session: SessionDep, now: NowDep) -> ApiKeyOut:
    return ApiKeyOut(**_api_key_out(service.revoke_api_key(session, issuer, key_id, now)))


def _signing_key_out(config: service.IssuerConfig, key: IssuerKey) -> SigningKeyOut:
    did = service.did_of(config, key.issuer_id)
    return SigningKeyOut(
        id=key.id,
        key_type=key.key_type,
        verification_method=identity.verification_method_id(did, key),
        created_at=key.created_at,
        retired_at=key.retired_at,
    )


@api.get("/signing-keys", tags=["provider"])
def list_signing_keys(issuer: CurrentIssuer, session: SessionDep, config: ConfigDep) -> list[SigningKeyOut]:
    return [_signing_key_out(config, key) for key in service.signing_keys(session, issuer.id)]


@api.post("/signing-keys/rotate", status_code=status.HTTP_201_CREATED, tags=["provider"])
def rotate_signing_key(
    key_type: KeyType, issuer: CurrentIssuer, session: SessionDep, config: ConfigDep, now: NowDep
) -> SigningKeyOut:
    """Retire the active key of this type and create a new one; the retired key stays published."""
    return _signing_key_out(config, service.rotate_key(session, config, issuer, key_type, now))


# --- achievements -------------------------------------------------------------------------------------------


def _achievement_out(config: service.IssuerConfig, achievement: Achievement) -> AchievementOut:
    return AchievementOut(
        id=achievement.id,
        url=service.achievement_url(config, achievement),
        kind=achievement.kind,  # type: ignore[arg-type]
        achievement_type=service.achievement_type(achievement),
        definition=achievement.definition,
        created_at=achievement.created_at,
        version=achievement.version,
        updated_at=achievement.updated_at,
        archived_at=achievement.archived_at,
    )


@api.post("/achievements", status_code=status.HTTP_201_CREATED, tags=["achievements"])
def create_achievement(
    body: AchievementCreate, issuer: CurrentIssuer, session: SessionDep, config: ConfigDep, now: NowDep
) -> AchievementOut:
    return _achievement_out(config, service.create_achievement(session, config, issuer, body, now))


@api.get("/achievements", tags=["achievements"])
def list_achievements(issuer: CurrentIssuer, session: SessionDep, config: ConfigDep) -> list[AchievementOut]:
    return [_achievement_out(config, a) for a in service.list_achievements(session, issuer)]


@api.get("/achievements/{achievement_id}", tags=["achievements"], responses=problem_responses(NotFound))
def get_achievement(
    achievement_id: str, issuer: CurrentIssuer, session: SessionDep, config: ConfigDep
) -> AchievementOut:
    return _achievement_out(config, service.get_achievement(session, issuer, achievement_id))


@api.patch(
    "/achievements/{achievement_id}",
    tags=["achievements"],
    responses=problem_responses(NotFound, Conflict, ValidationFailed),
)
def update_achievement(
    achievement_id: str,
    body: AchievementUpdate,
    issuer: CurrentIssuer,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
) -> AchievementOut:
    """Change the fields sent as the next version (``null`` clears an optional one; the kind never
    changes). Credentials already issued keep the version they were issued with; an edit of a version
    someone else has just replaced is 409."""
    achievement = service.get_achievement(session, issuer, achievement_id)
    return _achievement_out(config, achievements.update_achievement(session, config, achievement, body, now))


@api.get(
    "/achievements/{achievement_id}/versions", tags=["achievements"], responses=problem_responses(NotFound)
)
def achievement_versions(
    achievement_id: str, issuer: CurrentIssuer, session: SessionDep
) -> list[AchievementVersionOut]:
    """Every version of the achievement, oldest first."""
    achievement = service.get_achievement(session, issuer, achievement_id)
    return [
        AchievementVersionOut(version=version, definition=definition, current_from=since)
        for version, definition, since in achievements.versions(session, achievement)
    ]


@api.post(
    "/achievements/{achievement_id}/archive",
    tags=["achievements"],
    responses=problem_responses(NotFound, Conflict),
)
def archive_achievement(
    achievement_id: str, issuer: CurrentIssuer, session: SessionDep, config: ConfigDep, now: NowDep
) -> AchievementOut:
    """Issue nothing more with it (409 afterwards); what was issued stays verifiable, its page stays up."""
    achievement = service.get_achievement(session, issuer, achievement_id)
    return _achievement_out(config, achievements.archive(session, achievement, now))


@api.post(
    "/achievements/{achievement_id}/restore",
    tags=["achievements"],
    responses=problem_responses(NotFound, Conflict),
)
def restore_achievement(
    achievement_id: str, issuer: CurrentIssuer, session: SessionDep, config: ConfigDep
) -> AchievementOut:
    """Undo an archive: credentials can be issued with it again."""
    achievement = service.get_achievement(session, issuer, achievement_id)
    return _achievement_out(config, achievements.restore(session, achievement))


# --- credentials --------------------------------------------------------------------------------------------


@api.post(
    "/credentials",
    status_code=status.HTTP_201_CREATED,
    tags=["credentials"],
    responses=problem_responses(NotFound, Conflict, ValidationFailed),
)
def issue_credential(
    body: CredentialCreate,
    issuer: CurrentIssuer,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> CredentialCreated:
    """Issue one signed credential (``ldp``: JSON with a Data Integrity proof; ``jwt``: compact VC-JWT).

    Send an ``Idempotency-Key`` header to make a retried request return the same credential.
    """
    row = issuing.issue(session, config, issuer, body, now, idempotency_key=idempotency_key)
    answer = _credential_out(config, row)
    achievement = achievements.at_version(
        session, service.get_achievement(session, issuer, row.achievement_id), row.achievement_version
    )
    answer.scope = ScopeOut(**vars(issuing.scope_of(session, config, issuer, achievement, now)))
    return answer


@api.post(
    "/issue/preview",
    tags=["credentials"],
    responses=problem_responses(NotFound, Conflict, ValidationFailed),
)
def preview_issue(
    body: CredentialCreate, issuer: CurrentIssuer, session: SessionDep, config: ConfigDep, now: NowDep
) -> IssuePreviewOut:
    """What ``POST /api/v1/credentials`` with this body would issue, checked the same way, and whether it
    would be inside the provider's accreditation scope: nothing is signed or stored."""
    preview = issuing.preview(session, config, issuer, body, now)
    return IssuePreviewOut(
        achievement_id=preview.achievement.id,
        achievement_version=preview.achievement.version,
        scope=ScopeOut(**vars(preview.scope)),
        problems=preview.problems,
        credential=preview.credential,
    )


def _credential_out(config: service.IssuerConfig, row: IssuedCredential) -> CredentialCreated:
    """The signed credential with its public verification page and QR codes (`verification.pages`)."""
    url = issuing.credential_url(config.base_url, row.id)
    offline = (
        f"{url}/offline-qr.png"
        if row.format == "jwt" and fits_offline_link(config.base_url, row.document)
        else None
    )
    return CredentialCreated(
        id=row.id,
        credential=issuing.signed_document(row),
        verification_url=url,
        qr_png_url=f"{url}/qr.png",
        qr_svg_url=f"{url}/qr.svg",
        offline_qr_url=offline,
    )


@api.post(
    "/credentials/bulk",
    status_code=status.HTTP_202_ACCEPTED,
    tags=["credentials"],
    responses=problem_responses(NotFound, ValidationFailed),
)
def issue_bulk(
    response: Response,
    jobs: JobsDep,
    issuer: CurrentIssuer,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
    file: Annotated[UploadFile, File(description="CSV (email, name, learner_id, result) or JSON list")],
    achievement_id: Annotated[str, Form(max_length=64)],
    format: Annotated[Literal["ldp", "jwt"], Form()] = "ldp",
) -> JobOut:
    """Validate a cohort file whole (every bad row reported, nothing issued if any is bad), then issue
    it as a job; poll ``GET /api/v1/jobs/{id}`` for progress."""
    content = file.file.read()
    job = bulk.create_job(session, config, issuer, achievement_id, format, file.filename or "", content, now)
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    jobs.wake()
    return bulk.job_out(job)


@api.post(
    "/credentials/bulk/preview",
    tags=["credentials"],
    responses=problem_responses(BadRequest, NotFound, Conflict, ValidationFailed),
)
def preview_bulk(
    issuer: CurrentIssuer,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
    file: Annotated[UploadFile, File(description="CSV (email, name, learner_id, result) or JSON list")],
    achievement_id: Annotated[str, Form(max_length=64)],
    format: Annotated[Literal["ldp", "jwt"], Form()] = "ldp",
) -> CohortPreviewOut:
    """Check a cohort file as ``POST /api/v1/credentials/bulk`` would, and answer with every row and its
    problems and whether the credentials would be inside the provider's accreditation scope. Nothing is
    issued or stored."""
    content = file.file.read()
    preview = bulk.preview(session, config, issuer, achievement_id, format, file.filename or "", content, now)
    return CohortPreviewOut(
        achievement_id=preview.achievement.id,
        achievement_version=preview.achievement.version,
        total=len(preview.rows),
        valid=len(preview.rows) - preview.invalid,
        invalid=preview.invalid,
        cohort_problems=preview.cohort_problems,
        scope=ScopeOut(**vars(preview.scope)),
        rows=[CohortRowOut(**row) for row in preview.rows],
    )


@api.get("/jobs/{job_id}", tags=["credentials"], responses=problem_responses(NotFound))
def get_job(job_id: str, issuer: CurrentIssuer, session: SessionDep) -> JobOut:
    return bulk.job_out(bulk.get_job(session, issuer, job_id))


def _status_out(session: Session, row: IssuedCredential) -> CredentialStatusOut:
    return CredentialStatusOut(
        id=row.id,
        status=lifecycle.state_of(row).value,
        revoked_at=row.revoked_at,
        revocation_reason=row.revocation_reason,
        suspended_at=row.suspended_at,
        suspension_reason=row.suspension_reason,
        status_purpose=status_lists.get_list(session, row.revocation_list_id).purpose,  # type: ignore[arg-type]
    )


@api.get("/credentials/{credential_id}", tags=["credentials"], responses=problem_responses(NotFound))
def get_credential(
    credential_id: str, issuer: CurrentIssuer, session: SessionDep, config: ConfigDep
) -> CredentialOut:
    """The credential exactly as signed, its verification page and QR codes, and what its status says now."""
    row = issuing.get_credential(session, issuer, credential_id)
    return CredentialOut(**dict(_credential_out(config, row)), status=_status_out(session, row))


def _baked_response(
    session: SessionDep, issuer: CurrentIssuer, credential_id: str, image_format: badges.ImageFormat
) -> Response:
    image = badges.baked_credential(session, issuer, credential_id, image_format)
    headers = {
        "Content-Disposition": f'attachment; filename="credential-{credential_id}.{image_format}"',
        "X-Content-Type-Options": "nosniff",
    }
    if image_format == "svg":  # served from our origin: nothing in it may run or load
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return Response(image, media_type=badges.MEDIA_TYPES[image_format], headers=headers)


def _baked_responses(media_type: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": "The baked badge (OB 3.0 §Baking)", "content": {media_type: {}}},
        **problem_responses(NotFound),
    }


@api.get(
    "/credentials/{credential_id}/baked.png",
    tags=["credentials"],
    response_class=Response,
    responses=_baked_responses("image/png"),
)
def baked_png(credential_id: str, issuer: CurrentIssuer, session: SessionDep) -> Response:
    """The credential baked into a PNG badge: an ``iTXt`` chunk ``openbadgecredential`` (OB 3.0 §Baking)."""
    return _baked_response(session, issuer, credential_id, "png")


@api.get(
    "/credentials/{credential_id}/baked.svg",
    tags=["credentials"],
    response_class=Response,
    responses=_baked_responses("image/svg+xml"),
)
def baked_svg(credential_id: str, issuer: CurrentIssuer, session: SessionDep) -> Response:
    """The credential baked into an SVG badge showing the achievement's name: an
    ``<openbadges:credential>`` element (OB 3.0 §Baking)."""
    return _baked_response(session, issuer, credential_id, "svg")


@api.post(
    "/credentials/{credential_id}/revoke",
    tags=["credentials"],
    responses=problem_responses(NotFound, Conflict),
)
def revoke_credential(
    credential_id: str,
    body: RevokeRequest,
    issuer: CurrentIssuer,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
) -> CredentialStatusOut:
    """Revoke for good, with a reason (a suspended credential too): the status list changes and is
    re-signed on next fetch. Revoking a revoked credential is 409."""
    return _status_out(
        session, lifecycle.revoke(session, issuer, credential_id, body.reason, now, config.listener)
    )


@api.post(
    "/credentials/{credential_id}/suspend",
    tags=["credentials"],
    responses=problem_responses(NotFound, Conflict),
)
def suspend_credential(
    credential_id: str,
    body: SuspendRequest,
    issuer: CurrentIssuer,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
) -> CredentialStatusOut:
    """Suspend, with a reason, until reinstated. 409 if the provider has not enabled suspension, the
    credential was issued without it, or it is already suspended or revoked."""
    return _status_out(
        session, lifecycle.suspend(session, issuer, credential_id, body.reason, now, config.listener)
    )


@api.post(
    "/credentials/{credential_id}/reinstate",
    tags=["credentials"],
    responses=problem_responses(NotFound, Conflict),
)
def reinstate_credential(
    credential_id: str, issuer: CurrentIssuer, session: SessionDep, config: ConfigDep, now: NowDep
) -> CredentialStatusOut:
    """Lift a suspension. 409 unless the credential is suspended (a revoked one stays revoked)."""
    return _status_out(session, lifecycle.reinstate(session, issuer, credential_id, now, config.listener))


# --- public documents ---------------------------------------------------------------------------------------


@public.get("/issuers/{issuer_id}/did.json", tags=["public"], responses=problem_responses(NotFound))
def did_document(issuer_id: str, session: SessionDep, config: ConfigDep) -> Response:
    """The provider's DID document (did:web resolution path), listing active and retired keys."""
    issuer = service.get_issuer(session, issuer_id)
    document = identity.did_document(
        service.did_of(config, issuer.id), service.signing_keys(session, issuer.id)
    )
    return Response(
        json.dumps(document), media_type="application/did+json", headers={"Cache-Control": "max-age=300"}
    )


@public.get("/issuers/{issuer_id}/profile", tags=["public"], responses=problem_responses(NotFound))
def profile(issuer_id: str, session: SessionDep, config: ConfigDep) -> Response:
    issuer = service.get_issuer(session, issuer_id)
    document = identity.profile(config.base_url, issuer, service.did_of(config, issuer.id))
    return Response(json.dumps(document), media_type="application/ld+json")


@public.get("/status/{list_id}", tags=["public"], responses=problem_responses(NotFound))
def status_list(list_id: str, session: SessionDep, config: ConfigDep, now: NowDep) -> Response:
    """The signed BitstringStatusListCredential; cacheable for five minutes."""
    document, version = status_lists.signed_list(session, config, list_id, now)
    return Response(
        document,
        media_type="application/vc+ld+json",
        headers={"Cache-Control": "public, max-age=300", "ETag": f'"{list_id}-{version}"'},
    )


router.include_router(api)
router.include_router(public)
