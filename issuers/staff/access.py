"""Who may call a provider's API routes: its API keys (as its administrator, as always), and its staff
signed in to the console, within their role.

A console session calls the API with its cookie; a state-changing call must also send the session's
CSRF token in ``X-CSRF-Token`` (a cookie alone is never enough to change anything). The role a route
needs is read from the request, in one table here, so no route can forget it: reading needs a viewer,
any change an issuer, and API and signing keys (even listing them) an administrator.

The operator's staff call the operator API the same way with their /operator session cookie: its
administrators every route, assessors only the review of the approvals assigned to them."""

from __future__ import annotations

import hmac
from datetime import datetime

from fastapi import Request
from sqlalchemy.orm import Session

from core.actors import Actor, acting_as
from core.i18n import gettext
from core.problems import Unauthorized

from .accounts import StaffConfig
from .models import StaffMember
from .roles import Role, allows
from .web import (
    CONSOLE,
    OPERATOR,
    CsrfFailed,
    NotAllowed,
    Realm,
    cookie_names,
    find_member,
    staff_actor,
    staff_config,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Paths (under /api/v1) only a provider's administrators reach.
ADMIN_PATHS = ("/api/v1/api-keys", "/api/v1/signing-keys", "/api/v1/audit", "/api/v1/staff")


def needed_role(request: Request) -> Role:
    path = request.url.path
    if any(path == prefix or path.startswith(prefix + "/") for prefix in ADMIN_PATHS):
        return Role.ADMIN
    return Role.VIEWER if request.method in SAFE_METHODS else Role.ISSUER


def _session_member(request: Request, session: Session, now: datetime, realm: Realm) -> StaffMember | None:
    """The member whose session cookie of `realm` came with this request (for a change, with the
    session's CSRF token in the header); None without a cookie, 401 for a session that has ended."""
    config: StaffConfig = staff_config(request)
    session_cookie, _ = cookie_names(config, realm)
    secret = request.cookies.get(session_cookie)
    if not secret:
        return None
    found = find_member(session, realm, secret, now)
    if found is None or found[1].second_factor_due:
        raise Unauthorized(gettext("your console session has ended: sign in again"))
    member, row = found
    if request.method not in SAFE_METHODS:
        token = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(token.encode(), row.csrf_token.encode()):
            raise CsrfFailed(gettext("send the session's CSRF token in X-CSRF-Token"))
    return member


def console_member(request: Request, session: Session, now: datetime) -> StaffMember | None:
    """The provider staff member whose console session cookie came with this request, checked against
    the role the request needs and, for a change, the CSRF header; None without a cookie."""
    member = _session_member(request, session, now, CONSOLE)
    if member is None:
        return None
    if not allows(member.role, needed_role(request)):
        raise NotAllowed(gettext("Ask an administrator if you need to do this."))
    acting_as(session, staff_actor(member))
    return member


def operator_member(
    request: Request, session: Session, now: datetime, *, reviewing: bool = False
) -> StaffMember | None:
    """The operator's staff member whose /operator session cookie came with this request; None without
    one. An operator administrator may make any operator API call; an assessor only the calls that
    review scheme approvals (``reviewing``: which of those are theirs is `network.assignments`')."""
    member = _session_member(request, session, now, OPERATOR)
    if member is None:
        return None
    if not allows(member.role, Role.OPERATOR_ADMIN) and not (reviewing and member.role == Role.ASSESSOR):
        raise NotAllowed(gettext("Ask an administrator if you need to do this."))
    acting_as(session, staff_actor(member))
    return member


def operator_session(request: Request, session: Session, now: datetime) -> bool:
    """`core.services.OperatorSessions`: whether an operator administrator's session makes this call."""
    return operator_member(request, session, now) is not None


def api_key_actor(key_id: str, label: str | None) -> Actor:
    return Actor("api_key", key_id, label or key_id)
