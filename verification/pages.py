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

import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ClassVar
from urllib.parse import unquote, urlsplit

import orjson
from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from core.db import transaction
from core.deps import NowDep, SessionDep
from core.i18n import N_, format_number, gettext
from core.problems import PROBLEM_JSON, NotFound, Problem, problem_responses
from core.qr import ImageFormat, QrCodeError, offline_link_qr, url_qr
from core.services import Database, Site, services_of
from core.web import Templates
from issuers import identity, issuing
from issuers import service as issuers_service
from issuers import status as issuers_status
from issuers.reports import statistics
from network import approval_status
from network.naming import ProviderRecord, own_provider
from network.trust import TrustConfig
from vc.parsing import Limits
from vc.report import ProofState, VerificationReport

from .report_view import ReportView, report_view
from .service import ANONYMOUS_LIMITS, Verifier, verify_request
from .upload import UnreadableUpload, credential_in

if TYPE_CHECKING:  # rows come from the issuers' services; their table is theirs
    from issuers.models import IssuedCredential

__all__ = ["router", "too_large_form"]

render = Templates(Path(__file__).parent / "templates").render


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


@pages.get("/credentials/{credential_id}", response_model=None, responses=problem_responses(NotFound))
async def credential_page(request: Request, credential_id: str, now: NowDep) -> Response:
    """The credential's public verification page, verified live (HTML); ``Accept: application/json``
    gives the verification report. The credential itself is never published here."""
    wants = _wants(request)
    if wants == "credential":
        raise NotAcceptable(
            gettext(
                "This page verifies the credential but does not publish it: ask its holder for the "
                "credential, or ask for text/html or application/json (the verification report)."
            )
        )
    verifier = services_of(request.app).get(Verifier)

    def verify(
        session: Session, now: datetime, limits: Limits
    ) -> tuple[IssuedCredential, ProviderRecord, VerificationReport]:
        row = issuing.find_credential(session, credential_id)
        report = verifier.verify_credential(session, issuing.signed_document(row), now, limits=limits)
        return row, _provider_of(session, row), report

    # Our own stored credential, of a size issuing allowed: the small lane, whoever asks.
    row, provider, report = await verify_request(request, 0, verify, own_document=True)
    await run_in_threadpool(_count_check, request, row.id, now)
    if wants == "report":
        return Response(orjson.dumps(report.to_json()), media_type="application/json")
    page_url = issuing.credential_url(services_of(request.app).get(Site).base_url, row.id)
    return render(
        request,
        "verification_credential.html",
        view=_view(request, report, provider, row),
        page_url=page_url,
        qr_png_url=f"{page_url}/qr.png",
    )


def _count_check(request: Request, credential_id: str, now: datetime) -> None:
    """The provider's figures (a count, nothing else): in a short transaction of its own, after verifying,
    so verification itself stays free of writes."""
    with transaction(services_of(request.app).get(Database).sessions) as session:
        statistics.record(session, credential_id, "verified", now)


def _status_date(row: IssuedCredential | None) -> datetime | None:
    """When the provider's own record says the credential was revoked (or else suspended)."""
    return (row.revoked_at or row.suspended_at) if row is not None else None


def _view(
    request: Request,
    report: VerificationReport,
    provider: ProviderRecord | None,
    row: IssuedCredential | None = None,
    *,
    with_name: bool = True,
) -> ReportView:
    """The page's words for `report`. `row` is our stored credential when the report is about it: its
    recipient's name (`with_name`) and status dates are the provider's record."""
    services = services_of(request.app)
    return report_view(
        report,
        provider=provider,
        recipient_name=row.recipient_name if row is not None and with_name else None,
        operator=services.get(TrustConfig).operator_name,
        status_date=_status_date(row),
        base_url=services.get(Site).base_url,
    )


def _stored_row(session: Session, base_url: str, report: VerificationReport) -> IssuedCredential | None:
    """Our stored row of a pasted credential proven to be signed by the provider that issued the row
    (`own_provider` proved the key; the row must be that provider's): for its revocation date."""
    credential_id = report.credential.get("id") if isinstance(report.credential, dict) else None
    found = _own_link(credential_id, base_url) if isinstance(credential_id, str) else None
    if found is None or report.proof.state is not ProofState.VERIFIED:
        return None
    try:
        row = issuing.find_credential(session, found)
    except NotFound:
        return None
    return row if identity.issuer_did(base_url, row.issuer_id) == report.issuer_id else None


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
    document is public) and every status list's URL (public too: the providers', and the operator's for
    its scheme approvals), so credentials and their endorsements can be checked offline."""
    base_url = services_of(request.app).get(Site).base_url
    return {
        "issuers": [
            identity.issuer_did(base_url, issuer.id) for issuer in issuers_service.list_issuers(session)
        ],
        "statusLists": issuers_status.list_urls(session, base_url)
        + approval_status.list_urls(session, base_url),
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
        error=gettext(
            "That is too large to be a credential: at most %(size)s KB.",
            size=format_number(max_bytes // 1024),
        ),
    )


def _form_error(request: Request, message: str, pasted: str | None = None) -> Response:
    return render(request, "verification_form.html", status_code=422, error=message, pasted=pasted)


#: A credential's own id here is its verification URL, ``{base}/credentials/{32 hex digits}``.
_CREDENTIAL_ID = re.compile(r"[0-9a-f]{32}")
#: A share link's secret (`passport.sharing`): its page is the passport's, reached by its URL alone.
_SHARE_SECRET = re.compile(r"[A-Za-z0-9_-]{16,128}")
_OFFLINE_LINK = re.compile(r"#vc=([A-Za-z0-9_\-.~]+)$")


def _own_path(text: str, base_url: str) -> list[str] | None:
    """The path segments of a link of this site, or None when `text` is not one."""
    if not text.startswith(("https://", "http://")) or any(char.isspace() for char in text):
        return None
    link, base = urlsplit(text), urlsplit(base_url)
    if (link.scheme, link.netloc.lower()) != (base.scheme, base.netloc.lower()):
        return None
    return unquote(link.path).removeprefix(base.path.rstrip("/")).strip("/").split("/")


def _own_link(text: str, base_url: str) -> str | None:
    """The credential id in a pasted verification link of this site (or a bare id), or None when the
    text is not such a link. Only this site's links: another site's URL is never fetched."""
    if _CREDENTIAL_ID.fullmatch(text):
        return text
    parts = _own_path(text, base_url)
    if (
        parts is not None
        and len(parts) == 2
        and parts[0] == "credentials"
        and _CREDENTIAL_ID.fullmatch(parts[1])
    ):
        return parts[1]
    return None


def _pasted_link(request: Request, session: Session, text: str) -> Response | str | None:
    """A pasted link of this site: our credential's page or a share link's page (303), the JWT of an
    offline-QR link, a form error for a link to nothing; None when the text is not a link."""
    base_url = services_of(request.app).get(Site).base_url
    offline = _OFFLINE_LINK.search(text)
    if offline and text.startswith(base_url.rstrip("/") + "/verify#"):
        return offline.group(1)
    parts = _own_path(text, base_url)
    if parts is not None and len(parts) == 2 and parts[0] == "shared" and _SHARE_SECRET.fullmatch(parts[1]):
        return RedirectResponse(f"{base_url}/shared/{parts[1]}", status_code=303)  # its page says the rest
    credential_id = _own_link(text, base_url)
    if credential_id is None:
        if text.startswith(("https://", "http://")) and not any(char.isspace() for char in text):
            return _form_error(
                request,
                gettext(
                    "That link is not a credential's verification link on this site. Paste the credential "
                    "itself (JSON or a VC-JWT), or its link from this site."
                ),
                pasted=text[:2000],
            )
        return None
    try:
        row = issuing.find_credential(session, credential_id)
    except NotFound:
        return _form_error(request, gettext("No credential here has that link or ID."), pasted=text[:2000])
    return RedirectResponse(issuing.credential_url(base_url, row.id), status_code=303)


@pages.post("/verify", response_model=None)
async def verify_submitted(
    request: Request,
    session: SessionDep,
    credential: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Check a pasted or uploaded credential (the file wins when both are given), as an anonymous caller
    of the verify API would (`verification.service`), or go to the page of a pasted verification link or
    credential id of this site; bad input is shown on the form with what was wrong."""
    text = credential.strip()
    upload = await file.read() if file is not None else b""
    linked: str | None = None
    if upload:
        name, data = (file.filename if file is not None else None), upload
    else:
        if not text:
            return _form_error(request, gettext("Paste a credential or choose a file to check."))
        if len(text) > ANONYMOUS_LIMITS.max_document_bytes:
            return _form_error(request, gettext("The pasted text is too long to be a credential."))
        found_link = _pasted_link(request, session, text)
        if isinstance(found_link, Response):
            return found_link
        linked, name, data = found_link, gettext("pasted text"), text.encode("utf-8")
    if len(data) > ANONYMOUS_LIMITS.max_document_bytes:
        return too_large_form(request, ANONYMOUS_LIMITS.max_document_bytes)
    verifier = services_of(request.app).get(Verifier)
    base_url = services_of(request.app).get(Site).base_url

    def verify(
        session: Session, now: datetime, limits: Limits
    ) -> tuple[VerificationReport, ProviderRecord | None]:
        found = linked or credential_in(name, data)
        report = verifier.verify_credential(session, found, now, limits=limits)
        return report, own_provider(session, base_url, report)

    try:
        report, provider = await verify_request(request, len(data), verify)
    except UnreadableUpload as error:
        return _form_error(request, error.detail, pasted=text[:20000] or None)
    row = _stored_row(session, base_url, report) if provider is not None else None
    view = _view(request, report, provider, row, with_name=False)
    return render(request, "verification_result.html", view=view)


router.include_router(images)
router.include_router(pages)
