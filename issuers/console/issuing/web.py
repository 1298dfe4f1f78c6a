"""What the issuing sections' pages share: the console's visitor, forms with CSRF, their templates."""

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from core.deps import NowDep, SessionDep
from core.i18n import gettext
from core.problems import NotFound
from issuers import service
from issuers.models import Issuer
from issuers.staff.roles import Role
from issuers.staff.web import CONSOLE, StaffVisitor, check_csrf, section_templates, visit

templates = section_templates(Path(__file__).parent / "templates")
P = CONSOLE.prefix


def visitor(request: Request, session: SessionDep, now: NowDep) -> StaffVisitor:
    return visit(request, session, now, CONSOLE)


async def form_visitor(request: Request, who: Annotated[StaffVisitor, Depends(visitor)]) -> StaffVisitor:
    return await check_csrf(request, who)


Visitor = Annotated[StaffVisitor, Depends(visitor)]
FormVisitor = Annotated[StaffVisitor, Depends(form_visitor)]


def provider(request: Request, who: StaffVisitor, session: SessionDep, role: Role) -> Issuer:
    """The signed-in member's provider, if their role allows `role` (403 otherwise)."""
    member = who.require(request, role)
    assert member.provider_id is not None  # the console realm has only a provider's staff
    return service.get_issuer(session, member.provider_id)


def page_number(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("page", "1")), 10_000))
    except ValueError:
        raise NotFound(gettext("no such page")) from None
