"""Public verification API in the W3C VC API shape: thin routes over `verification.service`.

``POST /credentials/verify``, ``POST /presentations/verify`` and ``POST /credentials/verify/upload`` (a
file: JSON, VC-JWT, or a baked PNG/SVG badge). A well-formed request about a broken credential is a 200
report with ``verified: false``; only a malformed request is a problem (RFC 9457): 400 not JSON, 401 an
unknown API key, 413 too large (smaller for anonymous callers), 422 wrong shape or an unreadable upload,
429 with ``Retry-After`` when the caller or the verifier has too much in progress. Each route reads the
body and hands the rest to `verification.service.verify_request`, which parses and verifies it in a
worker thread.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, File, Request, Response, UploadFile
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from core.admission import Busy
from core.i18n import gettext
from core.problems import BadRequest, PayloadTooLarge, Unauthorized, ValidationFailed, problem_responses
from core.services import Site, services_of
from network.verdict import approval_of
from vc.errors import ParsingError
from vc.parsing import Limits, parse_json
from vc.report import VerificationReport

from .api_models import (
    CredentialVerificationOut,
    CredentialVerifyRequest,
    PresentationVerificationOut,
    PresentationVerifyRequest,
)
from .service import Verifier, Work, verify_body, verify_request
from .upload import UnreadableUpload, credential_in

router = APIRouter(tags=["verification"])

PROBLEMS = problem_responses(BadRequest, Unauthorized, PayloadTooLarge, ValidationFailed, Busy)
Model = TypeVar("Model", bound=BaseModel)


def _parsed(model: type[Model], raw: bytes, max_bytes: int) -> Model:
    """The body parsed with the project's bounded JSON parser (no duplicate keys, depth limit), then
    validated: 400 or 422 problems."""
    try:
        body = parse_json(raw, max_bytes=max_bytes)
    except ParsingError as error:
        raise BadRequest(
            gettext("the request body is not usable JSON: %(reason)s", reason=error.message)
        ) from None
    try:
        return model.model_validate(body)
    except ValidationError as error:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors(include_url=False)]
        raise ValidationFailed(gettext("The request is not valid: see errors."), errors) from None


def _request_body(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()  # OpenAPI 3.1 schemas are JSON Schema 2020-12: $defs stay inline
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def with_approval(report: VerificationReport) -> bytes:
    """The report, with the achievement's approval under the scheme beside the provider's ``trust``."""
    return orjson.dumps({**report.to_json(), "approval": approval_of(report).to_json()})


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


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
    services = services_of(request.app)
    verifier, max_bytes = services.get(Verifier), services.get(Site).max_body_bytes

    def work(raw: bytes) -> Work[bytes]:
        def verify(session: Session, now: datetime, limits: Limits) -> bytes:
            credential = _parsed(CredentialVerifyRequest, raw, max_bytes).verifiableCredential
            return with_approval(verifier.verify_credential(session, credential, now, limits=limits))

        return verify

    return _json(await verify_body(request, work))


@router.post(
    "/presentations/verify",
    response_model=PresentationVerificationOut,
    responses=PROBLEMS,
    openapi_extra=_request_body(PresentationVerifyRequest),
)
async def verify_presentation(request: Request) -> Response:
    """Verify a presentation: the holder's proof (authentication; challenge and domain when given), then
    each credential inside with the same checks as ``/credentials/verify``."""
    services = services_of(request.app)
    verifier, max_bytes = services.get(Verifier), services.get(Site).max_body_bytes

    def work(raw: bytes) -> Work[bytes]:
        def verify(session: Session, now: datetime, limits: Limits) -> bytes:
            parsed = _parsed(PresentationVerifyRequest, raw, max_bytes)
            options = parsed.options
            report = verifier.verify_presentation(
                session,
                parsed.verifiablePresentation,
                now,
                challenge=options.challenge,
                domain=options.domain,
                limits=limits,
            )
            return orjson.dumps(report.to_json())

        return verify

    return _json(await verify_body(request, work))


@router.post(
    "/credentials/verify/upload",
    response_model=CredentialVerificationOut,
    responses=problem_responses(Unauthorized, PayloadTooLarge, UnreadableUpload, ValidationFailed, Busy),
)
async def verify_upload(
    request: Request,
    file: Annotated[
        UploadFile, File(description="A JSON credential, a compact VC-JWT, or a baked PNG or SVG badge.")
    ],
) -> Response:
    """Verify the credential in an uploaded file (at most ``PASSPORT_MAX_BODY_BYTES``, less for anonymous
    callers); the same report as ``/credentials/verify``. A file that holds no readable credential is a
    422 problem."""
    data = await file.read()
    verifier = services_of(request.app).get(Verifier)

    def verify(session: Session, now: datetime, limits: Limits) -> bytes:
        credential = credential_in(file.filename, data)
        return with_approval(verifier.verify_credential(session, credential, now, limits=limits))

    return _json(await verify_request(request, len(data), verify))
