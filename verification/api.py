"""Public verification API in the W3C VC API shape: thin routes over `verification.service.Verifier`.

``POST /credentials/verify``, ``POST /presentations/verify`` and ``POST /credentials/verify/upload`` (a
file: JSON, VC-JWT, or a baked PNG/SVG badge). A well-formed request about a broken credential is a 200
report with ``verified: false``; only a malformed request is a problem (RFC 9457): 400 not JSON, 413 too
large, 422 wrong shape or an unreadable upload.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, File, Request, Response, UploadFile
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from core.db import transaction
from core.deps import get_now
from core.i18n import gettext
from core.problems import BadRequest, PayloadTooLarge, ValidationFailed, problem_responses
from core.services import Database, Site, services_of
from network.verdict import approval_of
from vc.errors import ParsingError
from vc.parsing import parse_json
from vc.report import VerificationReport

from .api_models import (
    CredentialVerificationOut,
    CredentialVerifyRequest,
    PresentationVerificationOut,
    PresentationVerifyRequest,
)
from .service import Attempt, Verifier
from .upload import UnreadableUpload, credential_in

router = APIRouter(tags=["verification"])

PROBLEMS = problem_responses(BadRequest, PayloadTooLarge, ValidationFailed)
Model = TypeVar("Model", bound=BaseModel)
Result = TypeVar("Result")


async def json_body(request: Request) -> Any:
    """The body parsed with the project's bounded JSON parser (no duplicate keys, depth limit). Called in
    the route rather than as a dependency: the verify API is the busiest route, and it saves a step."""
    raw = await request.body()
    try:
        return parse_json(raw, max_bytes=services_of(request.app).get(Site).max_body_bytes)
    except ParsingError as error:
        raise BadRequest(
            gettext("the request body is not usable JSON: %(reason)s", reason=error.message)
        ) from None


def _validated(model: type[Model], body: Any) -> Model:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors(include_url=False)]
        raise ValidationFailed(gettext("The request is not valid: see errors."), errors) from None


def _request_body(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()  # OpenAPI 3.1 schemas are JSON Schema 2020-12: $defs stay inline
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


async def verify_in_request(request: Request, work: Callable[[Session, datetime, Attempt], Result]) -> Result:
    """Verify in memory on the event loop; when that needs the database or the network, verify again in a
    worker thread inside the request's one transaction (see `verification.service`)."""
    services = services_of(request.app)
    database = services.get(Database)
    now = get_now()
    attempt = Attempt(in_memory=True)
    session = services.get(Verifier).in_memory_session(database.engine, attempt)
    try:
        result = work(session, now, attempt)
    finally:
        session.close()
    if attempt.deferred_by is None:
        return result

    def in_a_thread() -> Result:
        with transaction(database.sessions) as session:
            return work(session, now, Attempt(in_memory=False))

    return await run_in_threadpool(in_a_thread)


def with_approval(report: VerificationReport) -> dict[str, Any]:
    """The report, with the achievement's approval under the scheme beside the provider's ``trust``."""
    return {**report.to_json(), "approval": approval_of(report).to_json()}


def _json(data: dict[str, Any]) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


@router.post(
    "/credentials/verify",
    response_model=CredentialVerificationOut,
    responses=PROBLEMS,
    openapi_extra=_request_body(CredentialVerifyRequest),
)
async def verify_credential(request: Request) -> Response:
    """Verify a credential (embedded proof or compact VC-JWT): proof, issuer key, validity, status, trust.

    Always 200 for a well-formed request: ``verified`` is the answer, ``checks`` say why.
    """
    credential = _validated(CredentialVerifyRequest, await json_body(request)).verifiableCredential
    verifier = services_of(request.app).get(Verifier)

    def verify(session: Session, now: datetime, attempt: Attempt) -> dict[str, Any]:
        return with_approval(verifier.verify_credential(session, credential, now, attempt))

    return _json(await verify_in_request(request, verify))


@router.post(
    "/presentations/verify",
    response_model=PresentationVerificationOut,
    responses=PROBLEMS,
    openapi_extra=_request_body(PresentationVerifyRequest),
)
async def verify_presentation(request: Request) -> Response:
    """Verify a presentation: the holder's proof (authentication; challenge and domain when given), then
    each credential inside with the same checks as ``/credentials/verify``."""
    parsed = _validated(PresentationVerifyRequest, await json_body(request))
    options = parsed.options
    verifier = services_of(request.app).get(Verifier)

    def verify(session: Session, now: datetime, attempt: Attempt) -> dict[str, Any]:
        presentation = parsed.verifiablePresentation
        report = verifier.verify_presentation(
            session, presentation, now, attempt, challenge=options.challenge, domain=options.domain
        )
        return report.to_json()

    return _json(await verify_in_request(request, verify))


@router.post(
    "/credentials/verify/upload",
    response_model=CredentialVerificationOut,
    responses=problem_responses(PayloadTooLarge, UnreadableUpload, ValidationFailed),
)
async def verify_upload(
    request: Request,
    file: Annotated[
        UploadFile, File(description="A JSON credential, a compact VC-JWT, or a baked PNG or SVG badge.")
    ],
) -> Response:
    """Verify the credential in an uploaded file (at most ``PASSPORT_MAX_BODY_BYTES``); the same report as
    ``/credentials/verify``. A file that holds no readable credential is a 422 problem."""
    credential = credential_in(file.filename, await file.read())
    verifier = services_of(request.app).get(Verifier)

    def verify(session: Session, now: datetime, attempt: Attempt) -> dict[str, Any]:
        return with_approval(verifier.verify_credential(session, credential, now, attempt))

    return _json(await verify_in_request(request, verify))
