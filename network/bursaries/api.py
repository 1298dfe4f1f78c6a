"""Bursaries over HTTP (``/api/v1/bursaries``): the network operator (its token) manages funds and
awards; a provider (its API key, or its staff signed in to the console) reads the awards made to its
staff. A provider's key on the operator's routes is 403; another provider's award is 404. POSTs that
create take an ``Idempotency-Key``."""

from __future__ import annotations

import hmac
import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request, status
from sqlalchemy.orm import Session

from core.actors import acting_as
from core.deps import OPERATOR_TOKEN, NowDep, SessionDep, bearer_token
from core.i18n import gettext
from core.problems import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed, problem_responses
from core.services import OperatorToken, provide, services_of
from issuers.deps import current_issuer
from issuers.service import API_KEY_PREFIX
from network.trust import TrustConfig

from . import credential, service
from .api_models import (
    AwardCreate,
    AwardOut,
    DisseminationIn,
    DisseminationOut,
    FundCreate,
    FundOut,
    FundUpdate,
    Money,
    Revocation,
    VisitIn,
    VisitOut,
    Withdrawal,
)
from .models import BursaryAward, BursaryFund

TrustConfigDep = Annotated[TrustConfig, Depends(provide(TrustConfig))]
HostsDep = Annotated[credential.HostEndorsements, Depends(provide(credential.HostEndorsements))]
IdempotencyKey = Annotated[str | None, Header(max_length=200)]


def _is_operator(request: Request, token: str) -> bool:
    expected = services_of(request.app).get(OperatorToken).value
    return hmac.compare_digest(token.encode(), expected.encode())


def operator_only(request: Request, session: SessionDep) -> None:
    """The operator's token (the request then acts as the operator); a provider's key is 403."""
    token = bearer_token(request)
    if _is_operator(request, token):
        acting_as(session, OPERATOR_TOKEN)
        return
    if token.startswith(API_KEY_PREFIX):
        raise Forbidden(gettext("Only the network operator manages bursaries."))
    raise Unauthorized(gettext("the network operator's token is required"))


def reader(request: Request, session: SessionDep, now: NowDep) -> str | None:
    """None for the operator (every award); a provider's id for its key or console staff (its awards)."""
    authorization = request.headers.get("authorization", "")
    if authorization and _is_operator(request, bearer_token(request)):
        acting_as(session, OPERATOR_TOKEN)
        return None
    return current_issuer(request, session, now).id


ReaderDep = Annotated[str | None, Depends(reader)]
_OPERATOR = [Depends(operator_only)]
_CHANGE = problem_responses(NotFound, Conflict, ValidationFailed)

router = APIRouter(
    prefix="/api/v1/bursaries", tags=["bursaries"], responses=problem_responses(Unauthorized, Forbidden)
)


def fund_out(fund: BursaryFund, base_url: str) -> FundOut:
    return FundOut(
        id=fund.id,
        url=credential.fund_url(base_url, fund.id),
        name=fund.name,
        funder=fund.funder,
        amount=Money(amount=fund.amount_minor, currency=fund.currency),
        criteria=fund.criteria,
        requires_report=fund.requires_report,
        requires_session=fund.requires_session,
        state=fund.state,  # type: ignore[arg-type]
        created_at=fund.created_at,
        updated_at=fund.updated_at,
    )


def award_out(session: Session, award: BursaryAward, base_url: str) -> AwardOut:
    fund = service.get_fund(session, award.fund_id)
    document: dict[str, Any] | None = json.loads(award.document) if award.document else None
    return AwardOut(
        id=award.id,
        fund_id=award.fund_id,
        educator_name=award.educator_name,
        educator_email=award.educator_email,
        provider_id=award.provider_id,
        amount=Money(amount=award.amount_minor, currency=fund.currency),
        state=award.state,  # type: ignore[arg-type]
        credential_id=credential.credential_url(base_url, award.id),
        visit=VisitOut(
            host_name=award.host_name,
            host_did=award.host_did,
            country=award.country or "",
            start=award.visit_start,
            end=award.visit_end,
            focus=award.focus or "",
        )
        if award.host_name
        else None,
        dissemination=DisseminationOut(
            report_url=award.report_url,
            report_summary=award.report_summary,
            session_date=award.session_date,
            session_audience=award.session_audience,
            session_title=award.session_title,
        )
        if award.report_url or award.report_summary or award.session_date
        else None,
        host_endorsement=service.host_endorsement_state(award),  # type: ignore[arg-type]
        credential=document,
        issued_at=award.issued_at,
        withdrawn_reason=award.withdrawn_reason,
        revoked_at=award.revoked_at,
        revocation_reason=award.revocation_reason,
        created_at=award.created_at,
        updated_at=award.updated_at,
    )


# --- funds (the operator) -----------------------------------------------------------------------------------


@router.post(
    "/funds",
    status_code=status.HTTP_201_CREATED,
    dependencies=_OPERATOR,
    responses=problem_responses(Conflict, ValidationFailed),
)
def create_fund(
    body: FundCreate,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
    idempotency_key: IdempotencyKey = None,
) -> FundOut:
    """A bursary fund the operator administers: its funder, amount, criteria and the dissemination its
    criteria require before a credential is issued (a report, a session for peers, or both)."""
    return fund_out(service.create_fund(session, body, now, idempotency_key=idempotency_key), config.base_url)


@router.get("/funds", dependencies=_OPERATOR)
def list_funds(session: SessionDep, config: TrustConfigDep) -> list[FundOut]:
    return [fund_out(fund, config.base_url) for fund in service.funds(session)]


@router.get("/funds/{fund_id}", dependencies=_OPERATOR, responses=problem_responses(NotFound))
def get_fund(fund_id: str, session: SessionDep, config: TrustConfigDep) -> FundOut:
    return fund_out(service.get_fund(session, fund_id), config.base_url)


@router.patch("/funds/{fund_id}", dependencies=_OPERATOR, responses=_CHANGE)
def update_fund(
    fund_id: str, body: FundUpdate, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> FundOut:
    """Open or close the fund (a closed fund makes no new awards)."""
    return fund_out(service.set_fund_state(session, fund_id, body.state, now), config.base_url)


@router.post(
    "/funds/{fund_id}/awards", status_code=status.HTTP_201_CREATED, dependencies=_OPERATOR, responses=_CHANGE
)
def create_award(
    fund_id: str,
    body: AwardCreate,
    session: SessionDep,
    config: TrustConfigDep,
    now: NowDep,
    idempotency_key: IdempotencyKey = None,
) -> AwardOut:
    """Offer a bursary to an educator of one of this service's providers (409 if the fund is closed)."""
    award = service.create_award(session, fund_id, body, now, idempotency_key=idempotency_key)
    return award_out(session, award, config.base_url)


@router.get("/funds/{fund_id}/awards", dependencies=_OPERATOR, responses=problem_responses(NotFound))
def list_fund_awards(fund_id: str, session: SessionDep, config: TrustConfigDep) -> list[AwardOut]:
    service.get_fund(session, fund_id)
    return [award_out(session, a, config.base_url) for a in service.awards(session, fund_id=fund_id)]


# --- awards: read by the operator or the educator's provider ----------------------------------------------


@router.get("/awards")
def list_awards(provider_id: ReaderDep, session: SessionDep, config: TrustConfigDep) -> list[AwardOut]:
    """The operator: every award. A provider: the awards made to its staff."""
    found = service.awards(session, provider_id=provider_id)
    return [award_out(session, award, config.base_url) for award in found]


@router.get("/awards/{award_id}", responses=problem_responses(NotFound))
def get_award(award_id: str, provider_id: ReaderDep, session: SessionDep, config: TrustConfigDep) -> AwardOut:
    return award_out(session, service.get_award(session, award_id, provider_id=provider_id), config.base_url)


# --- awards: the operator records what happened -------------------------------------------------------------


@router.post("/awards/{award_id}/accept", dependencies=_OPERATOR, responses=_CHANGE)
def accept(award_id: str, session: SessionDep, config: TrustConfigDep, now: NowDep) -> AwardOut:
    """The educator accepted the offer."""
    return award_out(session, service.accept(session, award_id, now), config.base_url)


@router.post("/awards/{award_id}/visit", dependencies=_OPERATOR, responses=_CHANGE)
def record_visit(
    award_id: str, body: VisitIn, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> AwardOut:
    """The visit: host (and its DID, if it has one), country, dates, focus. Correctable until issued."""
    return award_out(session, service.record_visit(session, award_id, body, now), config.base_url)


@router.post("/awards/{award_id}/dissemination", dependencies=_OPERATOR, responses=_CHANGE)
def record_dissemination(
    award_id: str, body: DisseminationIn, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> AwardOut:
    """What the educator shared afterwards: a report (link, summary) and/or a session for peers."""
    return award_out(session, service.record_dissemination(session, award_id, body, now), config.base_url)


@router.post(
    "/awards/{award_id}/host-endorsement",
    dependencies=_OPERATOR,
    responses=problem_responses(NotFound, Conflict, service.HostEndorsementInvalid),
)
def record_host_endorsement(
    award_id: str,
    document: Annotated[dict[str, Any], Body(description="The host's signed EndorsementCredential")],
    session: SessionDep,
    config: TrustConfigDep,
    hosts: HostsDep,
    now: NowDep,
) -> AwardOut:
    """The host's EndorsementCredential of this visit's credential (``credentialSubject.id`` is the award's
    ``credential_id``), signed by the host's recorded DID: verified, then embedded in the credential when
    it is issued. After issue, the credential is re-issued with it embedded (the same id and status entry,
    ``awardedDate`` kept, ``validFrom`` now, a new proof; the version issued before still verifies).
    422 ``host-endorsement-invalid`` naming every reason it cannot be accepted (nothing changes); 409
    ``credential-already-revoked`` for a revoked credential."""
    award = service.record_host_endorsement(session, config, hosts, award_id, document, now)
    return award_out(session, award, config.base_url)


@router.post(
    "/awards/{award_id}/issue",
    dependencies=_OPERATOR,
    responses=problem_responses(NotFound, Conflict, service.DisseminationRequired),
)
def issue(award_id: str, session: SessionDep, config: TrustConfigDep, now: NowDep) -> AwardOut:
    """Sign the exchange-visit credential (the same one however often you ask). 409
    ``dissemination-required`` (with ``missing``) while the fund's dissemination requirement is unmet."""
    return award_out(session, service.issue(session, config, award_id, now), config.base_url)


@router.post("/awards/{award_id}/withdraw", dependencies=_OPERATOR, responses=_CHANGE)
def withdraw(
    award_id: str, body: Withdrawal, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> AwardOut:
    """Withdraw an award (not once its credential is issued: 409)."""
    return award_out(session, service.withdraw(session, award_id, body.reason, now), config.base_url)


@router.post("/awards/{award_id}/revoke", dependencies=_OPERATOR, responses=_CHANGE)
def revoke(
    award_id: str, body: Revocation, session: SessionDep, config: TrustConfigDep, now: NowDep
) -> AwardOut:
    """Revoke an issued exchange-visit credential on the operator's status list: verifiers report it
    revoked at once. 409 when it is not issued or is already revoked."""
    return award_out(session, service.revoke(session, award_id, body.reason, now), config.base_url)
