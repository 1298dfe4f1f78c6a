"""FastAPI dependencies every domain shares: one transaction per request, the clock, bearer tokens and
the network operator's token."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from .actors import Actor, acting_as
from .db import transaction
from .i18n import N_, gettext
from .problems import Unauthorized
from .services import Database, OperatorSessions, OperatorToken, services_of


def get_session(request: Request) -> Iterator[Session]:
    """The request's session: commits once when the handler returns, rolls back if it raises."""
    with transaction(services_of(request.app).get(Database).sessions) as session:
        yield session


def get_now() -> datetime:
    return datetime.now(UTC)


# scope="function": commit before the response is sent, so a failed commit is never reported as success.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
NowDep = Annotated[datetime, Depends(get_now)]


def bearer_token(request: Request, missing: str = N_("send Authorization: Bearer <key>")) -> str:
    """The token of an ``Authorization: Bearer`` header; without one, 401 with `missing` (a message id,
    translated) as the detail."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(gettext(missing))
    return token.strip()


def operator(request: Request, session: SessionDep, now: NowDep) -> None:
    """The network operator's token, or 401; the request then acts as the operator (`core.actors`).
    Without an Authorization header, a signed-in operator staff member's session cookie, within their
    role (`OperatorSessions`); the request then acts as them."""
    staff = services_of(request.app).get(OperatorSessions)
    if not request.headers.get("authorization") and staff.check(request, session, now):
        return
    expected = services_of(request.app).get(OperatorToken).value
    if not hmac.compare_digest(bearer_token(request).encode(), expected.encode()):
        raise Unauthorized(gettext("the network operator's token is required"))
    acting_as(session, OPERATOR_TOKEN)


OPERATOR_TOKEN = Actor("operator", None, "operator token")
Operator = Depends(operator)
