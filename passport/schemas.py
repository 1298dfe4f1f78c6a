"""Request and response bodies of the passport API (snake_case JSON)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .credentials import PassportItem, Status
from .security import MAX_PASSWORD_LENGTH, password_problem

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")


def normalise_email(value: str) -> str:
    """A syntactically plausible address, lower-cased: the passport compares addresses ignoring case."""
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not a valid email address")
    return value.lower()


def _new_password(value: str) -> str:
    problem = password_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Email = Annotated[str, AfterValidator(normalise_email)]
NewPassword = Annotated[str, AfterValidator(_new_password)]
Password = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignIn(Strict):
    email: Email
    password: Password
    label: str | None = Field(default=None, max_length=200, description="e.g. the app using the token")


class TokenCreated(BaseModel):
    id: str
    token: str = Field(description="Shown once: send it as Authorization: Bearer lt_...")
    label: str | None
    expires_at: datetime


class TokenOut(BaseModel):
    id: str
    label: str | None
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


class AddressCreate(Strict):
    email: Email


class AddressOut(BaseModel):
    id: str
    email: str
    verified: bool
    primary: bool
    verified_at: datetime | None
    added_at: datetime


class AccountOut(BaseModel):
    id: str
    primary_email: str | None
    created_at: datetime
    addresses: list[AddressOut]


class PasswordConfirmation(Strict):
    password: Password


class CredentialSummary(BaseModel):
    id: str
    source: Literal["issued"] = Field(description="issued: by a provider of this service")
    achievement_name: str
    achievement_type: str | None
    issuer_id: str
    issuer_name: str
    recipient_email: str = Field(description="Which of your verified addresses it was issued to")
    issued_at: datetime
    valid_from: datetime | None
    valid_until: datetime | None
    format: Literal["ldp", "jwt"]
    status: Status
    revoked_at: datetime | None

    @classmethod
    def of(cls, item: PassportItem) -> CredentialSummary:
        credential = item.credential
        return cls(
            id=credential.id,
            source="issued",
            achievement_name=credential.achievement_name,
            achievement_type=credential.achievement_type,
            issuer_id=credential.issuer_id,
            issuer_name=credential.issuer_name,
            recipient_email=credential.recipient_email.lower(),
            issued_at=credential.issued_at,
            valid_from=credential.valid_from,
            valid_until=credential.valid_until,
            format=credential.format,  # type: ignore[arg-type]
            status=item.status,
            revoked_at=credential.revoked_at,
        )


class CredentialDetail(CredentialSummary):
    revocation_reason: str | None
    credential: dict[str, Any] | str = Field(description="The signed credential: JSON, or a compact VC-JWT")

    @classmethod
    def of(cls, item: PassportItem) -> CredentialDetail:
        return cls(
            **CredentialSummary.of(item).model_dump(),
            revocation_reason=item.credential.revocation_reason,
            credential=item.credential.signed_document(),
        )
