"""The employer's page of an exchange-visit credential (`network.bursaries`): ``GET /exchange-visits/{id}``
verifies the credential the operator signed *now*, through the same `Verifier` as every credential, and
shows its evidence (the visit, the dissemination) and its endorsements honestly: the host's own signed
endorsement as signed, a host the operator merely names as "named, not signed". Like ``/credentials/{id}``
the id is a 128-bit capability, the page shows no email, and ``Accept: application/json`` gives the report,
never the credential."""

from __future__ import annotations

import json
from datetime import datetime

import orjson
from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from core.deps import NowDep
from core.i18n import gettext
from core.problems import NotFound, problem_responses
from core.services import Site, services_of
from network.bursaries import service as bursaries
from network.bursaries.credential import credential_url
from network.trust import TrustConfig
from vc.parsing import Limits
from vc.report import VerificationReport

from .pages import NotAcceptable, PageRoute, _wants, render
from .report_view import report_view
from .service import Verifier, verify_request

__all__ = ["router"]

router = APIRouter(tags=["public"], route_class=PageRoute)


@router.get("/exchange-visits/{award_id}", response_model=None, responses=problem_responses(NotFound))
async def exchange_visit_page(request: Request, award_id: str, now: NowDep) -> Response:
    """An exchange-visit credential's public verification page (HTML), or its report (JSON)."""
    wants = _wants(request)
    if wants == "credential":
        raise NotAcceptable(
            gettext(
                "This page verifies the credential but does not publish it: ask its holder for the "
                "credential, or ask for text/html or application/json (the verification report)."
            )
        )
    verifier = services_of(request.app).get(Verifier)

    def verify(session: Session, now: datetime, limits: Limits) -> tuple[str, VerificationReport]:
        award = bursaries.award_for_credential(session, award_id)
        assert award.document is not None
        return award.educator_name, verifier.verify_credential(
            session, json.loads(award.document), now, limits=limits
        )

    name, report = await verify_request(request, 0, verify, own_document=True)
    if wants == "report":
        return Response(orjson.dumps(report.to_json()), media_type="application/json")
    services = services_of(request.app)
    base_url = services.get(Site).base_url
    view = report_view(
        report,
        recipient_name=name,
        operator=services.get(TrustConfig).operator_name,
        base_url=base_url,
    )
    return render(
        request,
        "verification_credential.html",
        view=view,
        page_url=credential_url(base_url, award_id),
        qr_png_url=None,
    )
