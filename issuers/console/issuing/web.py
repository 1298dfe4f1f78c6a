"""What the issuing sections' pages share: the console's visitor, forms with CSRF, their templates."""

from pathlib import Path

from fastapi import Request

from core.deps import SessionDep
from core.i18n import gettext
from core.problems import NotFound
from issuers import service
from issuers.models import Issuer
from issuers.staff.roles import Role
from issuers.staff.web import CONSOLE, StaffVisitor, section_templates

templates = section_templates(Path(__file__).parent / "templates")
P = CONSOLE.prefix


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
