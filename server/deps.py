"""FastAPI dependencies: one transaction per request, the clock, and who is calling."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from issuers import service as issuer_service
from issuers.models import Issuer

from .db import transaction
from .problems import Unauthorized


def get_session(request: Request) -> Iterator[Session]:
    """The request's session: commits once when the handler returns, rolls back if it raises."""
    with transaction(request.app.state.sessions) as session:
        yield session


def get_now() -> datetime:
    return datetime.now(UTC)


def get_config(request: Request) -> issuer_service.IssuerConfig:
    config: issuer_service.IssuerConfig = request.app.state.issuer_config
    return config


# scope="function": commit before the response is sent, so a failed commit is never reported as success.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
NowDep = Annotated[datetime, Depends(get_now)]
ConfigDep = Annotated[issuer_service.IssuerConfig, Depends(get_config)]


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send Authorization: Bearer <key>")
    return token.strip()


def current_issuer(request: Request, session: SessionDep, now: NowDep) -> Issuer:
    return issuer_service.authenticate(session, _bearer(request), now)


def operator(request: Request) -> None:
    expected: str = request.app.state.admin_token
    if not hmac.compare_digest(_bearer(request).encode(), expected.encode()):
        raise Unauthorized("the network operator's token is required")


CurrentIssuer = Annotated[Issuer, Depends(current_issuer)]
Operator = Depends(operator)
