"""Claim codes over HTTP: the provider's ``/api/v1/claim-codes`` (open, list, get, close; a provider
reaches only its own codes, another's is a 404) and the attendee's ``/api/v1/claims/{code}`` (ask for
the emailed confirmation link). Every error is problem+json."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, Field

from core.api_models import Strict
from core.deps import NowDep, SessionDep
from core.problems import (
    Conflict,
    Gone,
    NotFound,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from core.services import provide
from issuers.api_models import Email
from issuers.deps import ConfigDep, CurrentIssuer
from passport.deps import ClientDep, PassportConfigDep

from . import codes
from .models import ClaimCode

ClaimConfigDep = Annotated[codes.ClaimConfig, Depends(provide(codes.ClaimConfig))]


class ClaimCodeCreate(Strict):
    achievement_id: str = Field(min_length=1, max_length=64)
    event_name: str = Field(min_length=1, max_length=200)
    opens_at: datetime
    closes_at: datetime
    capacity: int | None = Field(default=None, ge=1, le=codes.MAX_CAPACITY)
    one_per_person: bool = True


class ClaimCodeOut(BaseModel):
    id: str
    code: str = Field(description="Ten letters and digits, none of them ambiguous")
    short_url: str = Field(description="The link the QR code holds")
    qr_svg_url: str
    qr_png_url: str
    achievement_id: str
    event_name: str
    opens_at: datetime
    closes_at: datetime
    capacity: int | None
    one_per_person: bool
    claimed: int
    state: Literal["open", "not_open", "expired", "full", "closed"]
    closed_at: datetime | None


class ClaimRequest(Strict):
    email: Email


class ClaimRequested(BaseModel):
    status: Literal["confirmation_sent"] = "confirmation_sent"
    email: str
    expires_at: datetime = Field(description="Until when the emailed link works")


class ClaimConfirmation(Strict):
    token: str = Field(min_length=16, max_length=128, description="The last part of the emailed link")


class ClaimConfirmed(BaseModel):
    email: str
    state: Literal["issuing", "issued"] = Field(
        description="``issuing`` until the credential is issued to the address, within seconds"
    )
    credential_id: str | None = Field(description="The credential issued to the address, once issued")


def code_out(base_url: str, code: ClaimCode, now: datetime) -> ClaimCodeOut:
    link = codes.short_url(base_url, code.code)
    return ClaimCodeOut(
        id=code.id,
        code=code.code,
        short_url=link,
        qr_svg_url=f"{link}/qr.svg",
        qr_png_url=f"{link}/qr.png",
        achievement_id=code.achievement_id,
        event_name=code.event_name,
        opens_at=code.opens_at,
        closes_at=code.closes_at,
        capacity=code.capacity,
        one_per_person=code.one_per_person,
        claimed=code.claimed,
        state=codes.state_of(code, now),  # type: ignore[arg-type]
        closed_at=code.closed_at,
    )


router = APIRouter(tags=["claim codes"])


@router.post(
    "/api/v1/claim-codes",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(Unauthorized, NotFound, Conflict, ValidationFailed),
)
def open_code(
    body: ClaimCodeCreate, issuer: CurrentIssuer, config: ConfigDep, session: SessionDep, now: NowDep
) -> ClaimCodeOut:
    """Open a claim code for an event, naming one of the provider's achievements."""
    code = codes.open_code(
        session,
        issuer,
        body.achievement_id,
        body.event_name,
        body.opens_at,
        body.closes_at,
        body.capacity,
        now,
        one_per_person=body.one_per_person,
    )
    return code_out(config.base_url, code, now)


@router.get("/api/v1/claim-codes", responses=problem_responses(Unauthorized))
def list_codes(
    issuer: CurrentIssuer, config: ConfigDep, session: SessionDep, now: NowDep
) -> list[ClaimCodeOut]:
    return [code_out(config.base_url, code, now) for code in codes.list_codes(session, issuer)]


@router.get("/api/v1/claim-codes/{code_id}", responses=problem_responses(Unauthorized, NotFound))
def get_code(
    code_id: str, issuer: CurrentIssuer, config: ConfigDep, session: SessionDep, now: NowDep
) -> ClaimCodeOut:
    return code_out(config.base_url, codes.get_code(session, issuer, code_id), now)


@router.post(
    "/api/v1/claim-codes/{code_id}/close", responses=problem_responses(Unauthorized, NotFound, Conflict)
)
def close_code(
    code_id: str, issuer: CurrentIssuer, config: ConfigDep, session: SessionDep, now: NowDep
) -> ClaimCodeOut:
    """Stop claims now, before the window ends."""
    return code_out(config.base_url, codes.close_code(session, issuer, code_id, now), now)


@router.post(
    "/api/v1/claims/{code}",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(NotFound, Conflict, Gone, TooManyRequests, ValidationFailed),
)
def request_claim(
    code: str,
    body: ClaimRequest,
    session: SessionDep,
    config: ClaimConfigDep,
    passport: PassportConfigDep,
    client: ClientDep,
    now: NowDep,
) -> ClaimRequested:
    """Ask for the credential of an event's code: a one-time link goes to the address, and opening it
    issues the credential. 409 when not open yet, full, or this address has claimed it; 410 when
    expired or closed; 429 beyond the limits per client address, per code and per address."""
    event = codes.lookup(session, config, code, client, now, asking=True)
    claim = codes.request_claim(session, config, passport, event, body.email.lower(), now)
    return ClaimRequested(email=claim.email, expires_at=claim.expires_at)


@router.post(
    "/api/v1/claims/{code}/confirm",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        200: {"model": ClaimConfirmed, "description": "Confirmed before, by this token: how it is going"},
        **problem_responses(NotFound, Conflict, Gone, TooManyRequests, ValidationFailed),
    },
)
def confirm_claim(
    code: str,
    body: ClaimConfirmation,
    response: Response,
    session: SessionDep,
    config: ClaimConfigDep,
    client: ClientDep,
    now: NowDep,
) -> ClaimConfirmed:
    """Confirm a claim with the token of its emailed link (``/c/{code}/confirm/{token}``), for an app
    that opens the link itself: 202, and the credential is issued to the address within seconds. The
    same token again answers 200 with the claim's state and, once issued, the credential's id (a retry
    is safe; ask again to follow it). 409 when the code is full; 404 for a token that is not this code's;
    410 when the code is closed or expired, or a link not confirmed in time has expired."""
    event = codes.lookup(session, config, code, client, now, confirming=True)
    claim, confirmed_now = codes.confirm(session, event, body.token, now)
    if not confirmed_now:
        response.status_code = status.HTTP_200_OK
    return ClaimConfirmed(
        email=claim.email,
        state="issued" if claim.credential_id else "issuing",
        credential_id=claim.credential_id,
    )
