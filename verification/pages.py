"""The employer's pages: each issued credential's live verification page with its QR codes, and the public
"check a credential" form.

``GET /credentials/{id}`` verifies the stored signed credential *now*, through the same `Verifier` as the
API (keys, status lists, trust registry), and says in plain English what it is and whether to rely on it.
The id is a 128-bit random capability; the page shows no recipient email and no hashed identifier.

Content negotiation: the OB 3.0 Implementation Guide recommends not publishing credential data on
unauthenticated URLs, so this URL never serves the credential. A client asking for ``application/json``
gets the verification *report* (the ``POST /credentials/verify`` answer, which holds no credential data);
one asking only for ``application/vc+ld+json`` or ``application/vc+jwt`` gets 406: the credential comes from
its holder (or the provider's API), not from here.

``POST /verify`` changes no state and stores nothing, so a forged cross-site post gains an attacker
nothing (the answer goes to the victim's browser, not to the attacker): no CSRF token is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import orjson
from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.problems import PROBLEM_JSON, NotFound, Problem, problem_responses
from core.qr import ImageFormat, QrCodeError, offline_link_qr, url_qr
from core.services import Site, services_of
from core.web import Templates
from issuers import identity, issuing
from issuers import service as issuers_service
from issuers import status as issuers_status
from issuers.reports import statistics
from network.naming import ProviderRecord, own_provider
from vc.report import VerificationReport

from .api import verify_in_request
from .report_view import report_view
from .service import Verifier
from .upload import UnreadableUpload, credential_in

if TYPE_CHECKING:  # rows come from the issuers' services; their table is theirs
    from issuers.models import IssuedCredential

__all__ = ["router", "too_large_form"]

# Its templates' own words are English until they are translated (README, "Translations").
render = Templates(Path(__file__).parent / "templates", english_only=True).render


class NotAcceptable(Problem):
    status: ClassVar[int] = 406
    slug: ClassVar[str] = "not-acceptable"
    title: ClassVar[str] = N_("This URL does not publish the credential")


class OfflineQrUnavailable(Problem):
    """409: the credential is not a VC-JWT, or its offline link does not fit in one QR code."""

    status: ClassVar[int] = 409
    slug: ClassVar[str] = "offline-qr-unavailable"
    title: ClassVar[str] = N_("No offline QR code for this credential")


class PageRoute(APIRoute):
    """Errors on these pages are pages (the app's problem handler asks the route)."""

    def render_problem(self, request: Request, problem: Problem) -> Response:
        if _wants(request) != "html":
            body = problem.body(services_of(request.app).get(Site).base_url, request.url.path)
            return Response(orjson.dumps(body), status_code=problem.status, media_type=PROBLEM_JSON)
        return render(
            request,
            "verification_problem.html",
            status_code=problem.status,
            title=problem.shown_title,
            detail=problem.detail,
            problem_type=problem.slug,
        )


pages = APIRouter(tags=["public"], route_class=PageRoute)
images = APIRouter(tags=["public"])  # QR codes and the snapshot index: not pages
router = APIRouter()  # images, then pages: included at the end of this module

_CREDENTIAL_TYPES = ("application/vc+ld+json", "application/vc+jwt", "application/vc", "application/ld+json")
_MAX_PASTED_CHARS = 2 * 1024 * 1024


def _wants(request: Request) -> str:
    """ "html", "report" (JSON) or "credential", from the Accept header (browsers list text/html)."""
    accept = request.headers.get("accept", "").lower()
    if not accept or "text/html" in accept or ("*/*" in accept and "json" not in accept):
        return "html"
    if "application/json" in accept:
        return "report"
    if any(kind in accept for kind in _CREDENTIAL_TYPES):
        return "credential"
    return "html"


def _provider_of(session: Session, row: IssuedCredential) -> ProviderRecord:
    """The provider that issued a stored credential: our own row says so, whatever the credential says."""
    issuer = issuers_service.get_issuer(session, row.issuer_id)
    return ProviderRecord(name=issuer.name, logo_url=issuer.logo_url, url=issuer.url)


async def _verified(request: Request, credential: dict[str, Any] | str) -> VerificationReport:
    verifier = services_of(request.app).get(Verifier)
    return await verify_in_request(
        request, lambda session, now, attempt: verifier.verify_credential(session, credential, now, attempt)
    )


@pages.get("/credentials/{credential_id}", response_model=None, responses=problem_responses(NotFound))
async def credential_page(request: Request, credential_id: str, session: SessionDep, now: NowDep) -> Response:
    """The credential's public verification page, verified live (HTML); ``Accept: application/json``
    gives the verification report. The credential itself is never published here."""
    row = issuing.find_credential(session, credential_id)
    wants = _wants(request)
    if wants == "credential":
        raise NotAcceptable(
            gettext(
                "This page verifies the credential but does not publish it: ask its holder for the "
                "credential, or ask for text/html or application/json (the verification report)."
            )
        )
    provider = _provider_of(session, row)
    report = await _verified(request, issuing.signed_document(row))
    # The provider's figures (a count, nothing else), written after verifying: on SQLite a write taken
    # earlier would hold the database's one write lock while verification's own transaction waits for it.
    statistics.record(session, row.id, "verified", now)
    if wants == "report":
        return Response(orjson.dumps(report.to_json()), media_type="application/json")
    page_url = issuing.credential_url(services_of(request.app).get(Site).base_url, row.id)
    return render(
        request,
        "verification_credential.html",
        view=report_view(report, provider=provider, recipient_name=row.recipient_name),
        page_url=page_url,
        qr_png_url=f"{page_url}/qr.png",
    )


def _image(data: bytes, image_format: ImageFormat) -> Response:
    media_type = "image/png" if image_format == "png" else "image/svg+xml"
    return Response(data, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})


# A code never changes for a given content, and making one is pure-Python CPU work (~12 ms for a URL code,
# ~140 ms for an offline code near version 40, on a shared 2-core machine): keep the most recent ones.
@lru_cache(maxsize=512)
def _url_code(url: str, image_format: ImageFormat) -> bytes:
    return url_qr(url, image_format)


@lru_cache(maxsize=128)
def _offline_code(base_url: str, token: str) -> bytes:
    return offline_link_qr(base_url, token, "png")


def _qr_route(image_format: ImageFormat) -> Callable[[str, SessionDep, Request], Response]:
    def verification_qr(credential_id: str, session: SessionDep, request: Request) -> Response:
        row = issuing.find_credential(session, credential_id)
        url = issuing.credential_url(services_of(request.app).get(Site).base_url, row.id)
        return _image(_url_code(url, image_format), image_format)

    verification_qr.__doc__ = f"The verification URL as a QR code ({image_format.upper()}, level Q)."
    return verification_qr


images.get("/credentials/{credential_id}/qr.png", responses=problem_responses(NotFound))(_qr_route("png"))
images.get("/credentials/{credential_id}/qr.svg", responses=problem_responses(NotFound))(_qr_route("svg"))


@images.get(
    "/credentials/{credential_id}/offline-qr.png", responses=problem_responses(NotFound, OfflineQrUnavailable)
)
def offline_qr(credential_id: str, session: SessionDep, request: Request) -> Response:
    """A QR code holding ``{base}/verify#vc=<VC-JWT>``: the credential itself, checkable without the
    issuer (``passport verify --snapshot``) or opened by a phone camera. 409 when the credential is not a
    VC-JWT or does not fit."""
    row = issuing.find_credential(session, credential_id)
    if row.format != "jwt":
        raise OfflineQrUnavailable(
            gettext(
                "only a VC-JWT credential fits in an offline QR code; share the verification link instead"
            )
        )
    try:
        return _image(_offline_code(services_of(request.app).get(Site).base_url, row.document), "png")
    except QrCodeError as error:
        raise OfflineQrUnavailable(str(error)) from None


@images.get("/snapshot-index")
def snapshot_index(request: Request, session: SessionDep) -> dict[str, list[str]]:
    """What ``passport snapshot`` downloads besides the trust list: every provider's DID (its did:web
    document is public) and every status list's URL (public too), so credentials can be checked offline."""
    base_url = services_of(request.app).get(Site).base_url
    return {
        "issuers": [
            identity.issuer_did(base_url, issuer.id) for issuer in issuers_service.list_issuers(session)
        ],
        "statusLists": issuers_status.list_urls(session, base_url),
    }


# --- the public check form ----------------------------------------------------------------------------------


@pages.get("/verify", response_model=None)
def verify_form(request: Request) -> Response:
    """Paste or upload a credential; the answer is the same report page."""
    return render(request, "verification_form.html")


def too_large_form(request: Request, max_bytes: int) -> Response:
    """The check form again, for a post over the body limit (the composition root's `BodyLimit` asks)."""
    return render(
        request,
        "verification_form.html",
        status_code=413,
        error=f"That is too large to be a credential: at most {max_bytes // 1024} KB.",
    )


def _form_error(request: Request, message: str, pasted: str | None = None) -> Response:
    return render(request, "verification_form.html", status_code=422, error=message, pasted=pasted)


@pages.post("/verify", response_model=None)
async def verify_submitted(
    request: Request,
    session: SessionDep,
    credential: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Check a pasted or uploaded credential (the file wins when both are given); bad input is shown on
    the form with what was wrong."""
    text = credential.strip()
    upload = await file.read() if file is not None else b""
    try:
        if upload:
            found = credential_in(file.filename if file is not None else None, upload)
        elif text:
            if len(text) > _MAX_PASTED_CHARS:
                return _form_error(request, "The pasted text is too long to be a credential.")
            found = credential_in("pasted text", text.encode("utf-8"))
        else:
            return _form_error(request, "Paste a credential or choose a file to check.")
    except UnreadableUpload as error:
        return _form_error(request, error.detail, pasted=text[:20000] or None)
    report = await _verified(request, found)
    provider = own_provider(session, services_of(request.app).get(Site).base_url, report)
    return render(request, "verification_result.html", view=report_view(report, provider=provider))


router.include_router(images)
router.include_router(pages)
