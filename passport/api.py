"""Passport HTTP API (``/api/v1/passport``): thin routes over the passport services.

Every route but ``POST /tokens`` (sign-in) needs a learner's bearer token (``lt_...``), and reaches
only that learner's passport: anything else is "not found".
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from core.deps import NowDep, SessionDep
from core.problems import (
    Conflict,
    NotFound,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from passport import credentials
from passport.accounts import accounts, addresses, data_export
from passport.api_models import (
    AccountOut,
    AddressCreate,
    AddressOut,
    CredentialDetail,
    CredentialSummary,
    PasswordConfirmation,
    SignIn,
    TokenCreated,
    TokenOut,
    summaries_json,
)
from passport.deps import ClientDep, CurrentLearner, PassportConfigDep
from passport.exports import certificates, clr, downloads
from passport.models import LearnerEmail, LearnerToken
from passport.pathways import api as pathways_api
from passport.sharing import api as sharing_api
from passport.verifying import VerifierDep

api = APIRouter(prefix="/api/v1/passport", tags=["passport"], responses=problem_responses(Unauthorized))


def _address_out(row: LearnerEmail) -> AddressOut:
    return AddressOut(
        id=row.id,
        email=row.email,
        verified=row.verified_at is not None,
        primary=row.is_primary,
        verified_at=row.verified_at,
        added_at=row.created_at,
    )


def _token_out(token: LearnerToken) -> TokenOut:
    return TokenOut(
        id=token.id,
        label=token.label,
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
    )


# --- tokens (signing in to the API) -------------------------------------------------------------------------


@api.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(TooManyRequests, ValidationFailed),
)
def sign_in(
    body: SignIn, session: SessionDep, config: PassportConfigDep, client: ClientDep, now: NowDep
) -> TokenCreated:
    """Sign in with a verified address and the password: a bearer token for this API (shown once).

    Wrong password and unknown address get the same 401; repeated failures get 429 (per account and per
    client address) with ``Retry-After``."""
    learner = accounts.authenticate(session, config, body.email, body.password, client, now)
    token, secret = accounts.create_token(session, config, learner, body.label, now)
    return TokenCreated(id=token.id, token=secret, label=token.label, expires_at=token.expires_at)


@api.get("/tokens")
def list_tokens(learner: CurrentLearner, session: SessionDep) -> list[TokenOut]:
    return [_token_out(token) for token in accounts.list_tokens(session, learner)]


@api.delete(
    "/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(NotFound)
)
def revoke_token(token_id: str, learner: CurrentLearner, session: SessionDep) -> Response:
    accounts.revoke_token(session, learner, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- the account --------------------------------------------------------------------------------------------


@api.get("/account")
def account(learner: CurrentLearner, session: SessionDep) -> AccountOut:
    rows = addresses.list_addresses(session, learner)
    return AccountOut(
        id=learner.id,
        primary_email=next((row.email for row in rows if row.is_primary), None),
        created_at=learner.created_at,
        addresses=[_address_out(row) for row in rows],
    )


@api.get("/export")
def personal_data(learner: CurrentLearner, session: SessionDep, now: NowDep) -> dict[str, Any]:
    """Every stored item about you, as JSON (a personal-data export)."""
    return data_export.personal_data(session, learner, now)


@api.post(
    "/account/delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(TooManyRequests, ValidationFailed),
)
def delete_account(
    body: PasswordConfirmation,
    learner: CurrentLearner,
    session: SessionDep,
    config: PassportConfigDep,
    client: ClientDep,
    now: NowDep,
) -> Response:
    """Delete the passport: addresses, sessions, tokens and mail go. Credentials issued to you stay
    valid at their issuers: deletion is not revocation."""
    accounts.confirm_password(session, config, learner, body.password, client, now)
    accounts.delete_account(session, learner)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- email addresses ----------------------------------------------------------------------------------------


@api.get("/emails")
def list_addresses(learner: CurrentLearner, session: SessionDep) -> list[AddressOut]:
    return [_address_out(row) for row in addresses.list_addresses(session, learner)]


@api.post(
    "/emails",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(Conflict, TooManyRequests, ValidationFailed),
)
def add_address(
    body: AddressCreate, learner: CurrentLearner, session: SessionDep, config: PassportConfigDep, now: NowDep
) -> AddressOut:
    """Add an address: it is emailed a link, and is verified once you open it while signed in."""
    return _address_out(addresses.add_address(session, config, learner, body.email, now))


@api.post(
    "/emails/{address_id}/resend",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(NotFound, Conflict, TooManyRequests),
)
def resend_link(
    address_id: str, learner: CurrentLearner, session: SessionDep, config: PassportConfigDep, now: NowDep
) -> AddressOut:
    return _address_out(addresses.resend_verification(session, config, learner, address_id, now))


@api.post("/emails/{address_id}/primary", responses=problem_responses(NotFound, Conflict))
def make_primary(address_id: str, learner: CurrentLearner, session: SessionDep) -> AddressOut:
    return _address_out(addresses.make_primary(session, learner, address_id))


@api.delete(
    "/emails/{address_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(NotFound, Conflict),
)
def remove_address(address_id: str, learner: CurrentLearner, session: SessionDep) -> Response:
    """Remove an address; its credentials leave the passport. The primary address cannot be removed."""
    addresses.remove_address(session, learner, address_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- credentials --------------------------------------------------------------------------------------------


@api.get("/credentials", response_model=list[CredentialSummary])
def list_credentials(
    learner: CurrentLearner, session: SessionDep, verifier: VerifierDep, now: NowDep
) -> Response:
    """Every credential issued to one of your verified addresses, newest first, then those you imported
    (each verified again now), with its status now."""
    body = summaries_json(credentials.items(session, learner, now, verifier))
    return Response(body, media_type="application/json")


@api.get("/credentials/{credential_id}", responses=problem_responses(NotFound))
def get_credential(
    credential_id: str, learner: CurrentLearner, session: SessionDep, verifier: VerifierDep, now: NowDep
) -> CredentialDetail:
    return CredentialDetail.of(credentials.item(session, learner, credential_id, now, verifier))


# The passport API is one router: these routes, then sharing and imports, downloads and presentations, CLR.
router = APIRouter()
router.include_router(api)
router.include_router(sharing_api.api)
router.include_router(downloads.api)
router.include_router(certificates.api)
router.include_router(clr.api)
router.include_router(pathways_api.api)
