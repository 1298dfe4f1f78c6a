"""The PDF certificate of a credential, for its learner and for whoever holds a share link that includes it.

``GET /passport/credentials/{id}/certificate.pdf`` (signed in), ``GET /api/v1/passport/credentials/{id}/
certificate.pdf`` (learner token) and ``GET /shared/{secret}/credentials/{id}/certificate.pdf`` (the link is
the capability; any credential the link does not include is 404, like an unknown one; a download is not
counted as a view of the link).

Everything the certificate says is decided here, from a verification run now (`passport.verifying`), by
the rules every page follows: the issuer's name from `network.naming` (the registry, this service's
providers, or "not confirmed"); the accreditor only when the trust check found the issuer accredited
(then it is the network operator, whose register that is); the recipient's name and the result only
from a credential whose proof verified. The status printed is the one at the moment of download, with
its date. `passport.exports.certificate` draws it.

Language: ``?lang=`` or the language switch's cookie; otherwise, for the learner, the language of their
account; otherwise ``Accept-Language``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from core.deps import NowDep, SessionDep
from core.i18n import get_choice, gettext, use_locale
from core.problems import NotFound, problem_responses
from core.services import provide
from issuers.issuing import credential_url
from network.trust import TrustConfig, operator_did
from passport import credentials
from passport.credentials import STATUS_WORDS, PassportItem, Status
from passport.deps import CurrentLearner
from passport.exports.certificate import CertificateView, render_certificate
from passport.models import Learner
from passport.sharing import sharing
from passport.verifying import LiveChecker, VerifierDep, authentic, live_status
from passport.web import PageRoute, VisitorDep
from vc.report import Trust

__all__ = ["api", "certificate_view", "pages", "public", "recipient_name", "result_of"]

api = APIRouter(prefix="/api/v1/passport", tags=["passport"])
pages = APIRouter(route_class=PageRoute, include_in_schema=False)
public = APIRouter(route_class=PageRoute, include_in_schema=False)

TrustConfigDep = Annotated[TrustConfig, Depends(provide(TrustConfig))]
_DASH = " \u2014 "  # how `issuers.issuing` names a credential after its recipient: "Welding — Sam Jones"


def recipient_name(credential: Mapping[str, Any], achievement_name: str) -> str | None:
    """The recipient's name as the issuer signed it: this service's issuers name a credential
    "<achievement> — <recipient>" (OB 3.0 has no recipient name property of its own)."""
    name = credential.get("name")
    if isinstance(name, str) and name.startswith(achievement_name + _DASH):
        return name.removeprefix(achievement_name + _DASH).strip()[:200] or None
    return None


def result_of(credential: Mapping[str, Any]) -> str | None:
    """The values of ``credentialSubject.result`` (OB 3.0 §B.1.19 Result), e.g. "Distinction"."""
    subject = credential.get("credentialSubject")
    results = subject.get("result") if isinstance(subject, Mapping) else None
    if not isinstance(results, list):
        return None
    values = [r["value"] for r in results if isinstance(r, Mapping) and isinstance(r.get("value"), str)]
    return "; ".join(values)[:300] or None


def certificate_view(
    session: Session, checker: LiveChecker, trust: TrustConfig, entry: PassportItem, now: datetime
) -> CertificateView:
    report = checker.verify_credential(session, entry.credential.signed_document(), now)
    proven = authentic(report)
    credential = (report.credential or {}) if proven else {}
    accredited = report.trust is Trust.ACCREDITED and report.issuer_id != operator_did(trust.base_url)
    issued = entry.source == "issued"
    return CertificateView(
        credential_id=entry.id,
        achievement_name=entry.credential.achievement_name,
        issuer_name=checker.issuer_of(session, report).shown,
        issued_on=entry.credential.issued_at if issued else (entry.credential.valid_from or now),
        status=gettext(STATUS_WORDS[Status(live_status(report).value)]),
        checked_on=now,
        verification_url=credential_url(trust.base_url, entry.id) if issued else f"{trust.base_url}/verify",
        check_url=f"{trust.base_url}/verify",
        recipient_name=recipient_name(credential, entry.credential.achievement_name),
        accreditor_name=trust.operator_name if accredited else None,
        kind=entry.kind,
        valid_until=entry.credential.valid_until,
        result=result_of(credential),
    )


def certificate_file(
    session: Session, checker: LiveChecker, trust: TrustConfig, entry: PassportItem, now: datetime
) -> Response:
    view = certificate_view(session, checker, trust, entry, now)
    body = render_certificate(entry.credential.signed_document(), view)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{entry.id}.pdf"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def _learners_certificate(
    session: Session,
    checker: LiveChecker,
    trust: TrustConfig,
    learner: Learner,
    credential_id: str,
    now: datetime,
) -> Response:
    entry = credentials.item(session, learner, credential_id, now)
    with use_locale(None if get_choice().explicit else learner.language):
        return certificate_file(session, checker, trust, entry, now)


@api.get(
    "/credentials/{credential_id}/certificate.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **problem_responses(NotFound)},
)
def certificate(
    credential_id: str,
    learner: CurrentLearner,
    session: SessionDep,
    verifier: VerifierDep,
    trust: TrustConfigDep,
    now: NowDep,
) -> Response:
    """The credential's PDF certificate (yours only: any other is 404), with the signed credential
    attached so that the PDF verifies itself (``POST /credentials/verify/upload`` accepts it)."""
    return _learners_certificate(session, verifier, trust, learner, credential_id, now)


@pages.get("/passport/credentials/{credential_id}/certificate.pdf")
def page_certificate(
    credential_id: str,
    request: Request,
    who: VisitorDep,
    session: SessionDep,
    verifier: VerifierDep,
    trust: TrustConfigDep,
    now: NowDep,
) -> Response:
    learner = who.require_learner(request)
    return _learners_certificate(session, verifier, trust, learner, credential_id, now)


@public.get("/shared/{secret}/credentials/{credential_id}/certificate.pdf")
def shared_certificate(
    secret: str,
    credential_id: str,
    session: SessionDep,
    verifier: VerifierDep,
    trust: TrustConfigDep,
    now: NowDep,
) -> Response:
    share = sharing.find_share(session, secret, now)
    chosen = {item.credential_id for item in sharing.share_items(session, [share.id])[share.id]}
    learner = session.get(Learner, share.learner_id)
    if credential_id not in chosen or learner is None:
        raise NotFound(gettext("This share link does not include that credential."))
    entry = credentials.item(session, learner, credential_id, now)
    return certificate_file(session, verifier, trust, entry, now)
