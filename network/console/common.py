"""What the operator console's sections share: who is visiting (the OPERATOR realm), CSRF-checked forms,
the section's templates, ``done=`` messages by fixed code and small form readers."""

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError

from core.i18n import N_, gettext
from core.services import provide
from issuers.staff.web import (
    OPERATOR,
    OperatorRoute,
    section_templates,
)
from network.trust import TrustConfig

templates = section_templates(Path(__file__).parent / "templates")
P = OPERATOR.prefix


TrustConfigDep = Annotated[TrustConfig, Depends(provide(TrustConfig))]


def pages_router() -> APIRouter:
    """A section's router: its errors are the operator's error page."""
    return APIRouter(route_class=OperatorRoute, include_in_schema=False)


#: Messages after a redirect, chosen by a fixed code: nothing from the URL is echoed into the page.
DONE = {
    "provider-created": N_("Provider onboarded."),
    "provider-saved": N_("Provider details saved."),
    "accredited": N_("Accreditation granted. The trust list shows it now."),
    "accreditation-saved": N_("Accreditation changed. The history records what changed."),
    "suspended": N_("Accreditation suspended. Verifiers now see the provider as not trustworthy."),
    "reinstated": N_("Accreditation reinstated."),
    "withdrawn": N_("Accreditation withdrawn, for good."),
    "assigned": N_("Submission assigned."),
    "approved": N_("Submission approved. Its endorsement is published."),
    "refused": N_("Submission refused. The provider can see your reasons."),
    "approval-withdrawn": N_("Approval withdrawn. Its endorsement is revoked."),
}


def done(request: Request) -> str | None:
    message = DONE.get(request.query_params.get("done", ""))
    return gettext(message) if message else None


def field_errors(error: ValidationError, fields: dict[str, str] | None = None) -> dict[str, str]:
    """A form's errors by field id, from a model's validation error (the first message per field;
    ``fields`` renames a model's field to the form's)."""
    found: dict[str, str] = {}
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part != "body"]
        name = location[0] if location else "form"
        name = (fields or {}).get(name, name)
        message = str(item.get("msg", "")).removeprefix("Value error, ")
        found.setdefault(name, message)
    return found


def split_list(text: str) -> list[str]:
    """ "a, b; c" -> ["a", "b", "c"] (blanks dropped)."""
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def day_start(text: str) -> Any:
    """A form's date as the start of that day in UTC; the text itself if it is not a date (the model
    then says what is wrong)."""
    try:
        return datetime.combine(date.fromisoformat(text.strip()), datetime.min.time(), UTC)
    except ValueError:
        return text
