"""Request and response bodies of the passport API (snake_case JSON)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from passport.accounts.security import MAX_PASSWORD_LENGTH, password_problem
from passport.credentials import PassportItem, Status
from passport.sharing.sharing import shown_name

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


class StrictVerbatim(BaseModel):
    """A request body: unknown fields are refused, and strings are kept exactly as sent (a password's
    spaces are part of it), unlike `core.api_models.Strict`."""

    model_config = ConfigDict(extra="forbid")


class SignIn(StrictVerbatim):
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


class AddressCreate(StrictVerbatim):
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


class PasswordConfirmation(StrictVerbatim):
    password: Password


class IssuerOut(BaseModel):
    """Who issued a credential, and who vouches for the name (`network.naming`)."""

    id: str | None = Field(description="The issuer id the credential names (a DID or a URL)")
    name: str | None = Field(description="Shown as confirmed only when name_source is registry or provider")
    name_source: Literal["registry", "provider", "self_asserted"] | None = Field(
        description="registry: the network operator's register; provider: this service's provider record; "
        "self_asserted: the credential's own claim, not confirmed by anyone; null: no name"
    )
    logo_url: str | None = Field(description="From the registry or the provider record only")


RECIPIENT_DESCRIPTION = (
    "Whether it was issued to you: holder (to one of your verified addresses, or your holder DID), "
    "not_holder (to an email address that is none of your verified ones), unknown (its recipient is "
    "named in no form that can be checked)"
)


class CredentialSummary(BaseModel):
    id: str
    source: Literal["issued", "imported"] = Field(
        description="issued: by a provider of this service; imported: added by you from elsewhere"
    )
    achievement_name: str
    achievement_type: str | None
    issuer: IssuerOut
    recipient: Literal["holder", "not_holder", "unknown"] = Field(description=RECIPIENT_DESCRIPTION)
    recipient_email: str | None = Field(
        description="Which of your verified addresses it was issued to (none for an imported credential)"
    )
    issued_at: datetime
    valid_from: datetime | None
    valid_until: datetime | None
    format: Literal["ldp", "jwt"]
    status: Status
    revoked_at: datetime | None

    @classmethod
    def of(cls, item: PassportItem) -> CredentialSummary:
        return cls(**_summary_fields(item))


def _summary_fields(item: PassportItem) -> dict[str, Any]:
    """The fields of `CredentialSummary`, from the item."""
    credential = item.credential
    return {
        "id": credential.id,
        "source": item.source,
        "achievement_name": credential.achievement_name,
        "achievement_type": credential.achievement_type,
        "issuer": item.issuer.to_json(),
        "recipient": item.recipient.value,
        "recipient_email": credential.recipient_email.lower() or None,
        "issued_at": credential.issued_at,
        "valid_from": credential.valid_from,
        "valid_until": credential.valid_until,
        "format": credential.format,
        "status": item.status,
        "revoked_at": credential.revoked_at,
    }


def summaries_json(items: list[PassportItem]) -> bytes:
    """``list[CredentialSummary]`` as JSON, byte for byte what Pydantic writes, without building and
    serialising a model per item (~7 ms for a 1,000-credential passport; this takes ~1 ms). Every field is
    already of its declared type: strings, a `Status`, the issuer's JSON, and aware datetimes (orjson writes
    them as Pydantic does, ``Z`` for UTC)."""
    return orjson.dumps([_summary_fields(item) for item in items], option=orjson.OPT_UTC_Z)


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


# --- sharing ------------------------------------------------------------------------------------------------


class ShareCreate(StrictVerbatim):
    credential_ids: list[str] = Field(min_length=1, max_length=64, description="Credentials of your passport")
    shared_by: Annotated[str, AfterValidator(shown_name)] = Field(
        max_length=400,
        description="Your name as whoever opens the link will see it (at most 100 characters; never an "
        "address). The page says it is the name you chose to show, and confirms only which credentials "
        "were issued to your verified addresses.",
        examples=["Sam Jones"],
    )
    label: str | None = Field(default=None, max_length=200, examples=["Application to Acme Engineering"])
    expires_in_days: int = Field(default=30, ge=1, le=365, description="Every link expires (at most a year)")


class ShareOut(BaseModel):
    id: str
    label: str | None
    shared_by: str | None = Field(description="The name shown with the link (none on older links)")
    credential_ids: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    state: Literal["active", "expired", "revoked"]
    view_count: int
    last_viewed_at: datetime | None


class ShareCreated(ShareOut):
    url: str = Field(description="Shown once: the link's secret is stored only as a digest")
    qr_png: str = Field(description="A QR code of the link (PNG)")
    qr_svg: str = Field(description="A QR code of the link (SVG)")


# --- imports ------------------------------------------------------------------------------------------------


class ImportRequest(StrictVerbatim):
    credential: dict[str, Any] | str = Field(
        description="An OB 3.0 credential (JSON object) or a compact VC-JWT (string)"
    )


class ImportOut(BaseModel):
    created: bool = Field(description="false: this credential was already in your passport")
    item: CredentialSummary
    report: dict[str, Any] = Field(
        description="The verification report, as POST /credentials/verify gives it"
    )


# --- a share link's public page, as JSON --------------------------------------------------------------------


class SharedCredentialOut(BaseModel):
    achievement_name: str
    source: Literal["issued", "imported"]
    issuer: IssuerOut
    recipient: Literal["holder", "not_holder", "unknown"] = Field(
        description="holder: issued to the person sharing (one of their verified addresses); not_holder: "
        "issued to someone else; unknown: the recipient cannot be confirmed (not named in a form that "
        "can be checked, or the credential does not verify)"
    )
    status: Literal[
        "valid", "not_yet_valid", "expired", "suspended", "revoked", "outside_scheme", "not_verified"
    ] = Field(description="The verification now, in one word")
    report: dict[str, Any] = Field(
        description="The verification report, as POST /credentials/verify gives it"
    )


class SharedOut(BaseModel):
    """``GET /shared/{secret}`` with ``Accept: application/json``: what the page shows, as data."""

    shared_by: str | None = Field(
        description="The name the person sharing chose to show (not a confirmed identity); null on links "
        "made before a name was asked for"
    )
    expires_at: datetime
    credentials: list[SharedCredentialOut]
