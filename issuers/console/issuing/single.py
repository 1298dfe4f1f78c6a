"""Issuing to one person from the console: the form's fields read into the API's request
(`CredentialCreate`), the confirmation's statement (the scheme's scope answer and whether the
achievement is approved under the scheme), and the issue itself, made idempotent by the form's token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from core.i18n import gettext
from issuers import issuing, service
from issuers.api_models import CredentialCreate
from issuers.models import IssuedCredential, Issuer
from issuers.ports import ScopeAnswer

from .cohorts import approved

#: The form's fields, in order.
FIELDS = ("achievement_id", "email", "name", "learner_id", "result", "format", "valid_from", "valid_until")
#: Where a problem of the request model is shown on the form.
_FIELD_OF = {"recipient": "email", "recipient.email": "email", "recipient.name": "name"}


def _day(value: str, field: str, errors: dict[str, str]) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        errors[field] = gettext("Enter a date such as 2026-07-01.")
        return None


def read_form(values: dict[str, str]) -> tuple[CredentialCreate | None, dict[str, str]]:
    """The request the form describes, or the problem with each field (in plain words)."""
    errors: dict[str, str] = {}
    if not values.get("achievement_id"):
        errors["achievement_id"] = gettext("Choose an achievement.")
    if not values.get("email"):
        errors["email"] = gettext("Enter the learner's email address.")
    valid_from = _day(values.get("valid_from", ""), "valid_from", errors)
    valid_until = _day(values.get("valid_until", ""), "valid_until", errors)
    if valid_from and valid_until and valid_until <= valid_from:
        errors["valid_until"] = gettext("The end date must be after the start date.")
    if errors:
        return None, errors
    recipient = {key: values[key] for key in ("email", "name", "learner_id") if values.get(key)}
    try:
        request = CredentialCreate(
            achievement_id=values["achievement_id"],
            recipient=recipient,  # type: ignore[arg-type]
            format=values.get("format") or "ldp",  # type: ignore[arg-type]
            result=values.get("result") or None,
            valid_from=valid_from,
            valid_until=valid_until,
        )
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"])
            field = _FIELD_OF.get(where, where.removeprefix("recipient."))
            errors.setdefault(field if field in FIELDS else "email", _plain(field, problem))
        return None, errors
    return request, {}


def _plain(field: str, problem: Any) -> str:
    if field == "email":
        return gettext("Enter an email address in the right form, like name@example.org.")
    if field == "format":
        return gettext("Choose a format.")
    if problem.get("type") == "string_too_long":
        return gettext("This is too long.")
    return str(problem["msg"])


@dataclass(frozen=True)
class Statement:
    """What the confirmation states before anything is issued."""

    achievement_name: str
    scope: ScopeAnswer
    approved: bool
    problems: list[str]


def statement(
    session: Session, config: service.IssuerConfig, issuer: Issuer, request: CredentialCreate, now: datetime
) -> Statement:
    """The API's preview (`issuing.preview`): the scope answer, and why it could not be signed if not."""
    preview = issuing.preview(session, config, issuer, request, now)
    return Statement(
        str(preview.achievement.definition.get("name", "")),
        preview.scope,
        approved(session, config, preview.achievement.id),
        preview.problems,
    )


def issue(
    session: Session,
    config: service.IssuerConfig,
    issuer: Issuer,
    request: CredentialCreate,
    form_token: str,
    now: datetime,
) -> IssuedCredential:
    """Issue once per confirmation form: the same form sent twice gets the same credential."""
    return issuing.issue(session, config, issuer, request, now, idempotency_key=f"console:{form_token[:100]}")
