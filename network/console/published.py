"""What the operator publishes, readable: the signed trust list as verifiers fetch it (its proof checked
against the operator's key before it is shown), and the network's figures (counts only: no learner's
personal data, `issuers.reports.statistics.network_statistics`)."""

import re

from fastapi import Request
from fastapi.responses import HTMLResponse

from core.deps import NowDep, SessionDep
from core.i18n import gettext
from core.problems import NotFound
from issuers.reports.statistics import network_statistics
from issuers.staff.roles import Role
from issuers.staff.web import OperatorVisitor as Visitor
from issuers.staff.web import page
from network import operator
from network.trust import operator_did
from network.trust_list import load_trust_list

from .common import P, TrustConfigDep, pages_router, templates

router = pages_router()
MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


@router.get(f"{P}/trust-list")
def trust_list(
    request: Request, who: Visitor, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> HTMLResponse:
    who.require(request, Role.ASSESSOR)
    document, _ = operator.signed_trust_list(session, config, now)
    published = load_trust_list(
        document, operator.operator_resolver(session, config), operator_id=operator_did(config.base_url)
    )
    return page(request, who, "operator_trust_list.html", using=templates, published=published)


def _month(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if not MONTH.match(value):
        raise NotFound(gettext("give a month as YYYY-MM"))
    return value


@router.get(f"{P}/figures")
def figures(request: Request, who: Visitor, session: SessionDep) -> HTMLResponse:
    who.require(request, Role.ASSESSOR)
    since, until = _month(request, "since"), _month(request, "until")
    return page(
        request,
        who,
        "operator_figures.html",
        using=templates,
        stats=network_statistics(session, since, until),
        since=since or "",
        until=until or "",
    )
