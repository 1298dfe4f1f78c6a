"""The achievement form of the console: its fields as the page shows them, read into the API's own models
(`AchievementCreate`, `AchievementUpdate`), so the console and the API accept exactly the same things.
An error is shown at its field, in words a person can act on (the API's messages are for programs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from core.i18n import N_, gettext
from core.problems import ValidationFailed
from issuers.api_models import AchievementCreate, AchievementUpdate

__all__ = ["ALIGNMENT_ROWS", "KINDS", "errors_of", "form_values", "read_create", "read_update"]

KINDS = {
    "course": N_("Course"),
    "community_of_practice": N_("Community of practice"),
    "exchange_visit": N_("International skills exchange"),
    "event": N_("Event"),
    "competition": N_("Competition"),
}
ALIGNMENT_ROWS = 3
_ALIGNMENT_PARTS = ("name", "url", "framework", "code")

#: What to say at a field the API refused, by field.
MESSAGES = {
    "kind": N_("Choose what kind of achievement this is."),
    "name": N_("Give the achievement a name (at most 300 characters)."),
    "description": N_("Describe the achievement (at most 5,000 characters)."),
    "criteria_narrative": N_("Say how the achievement is earned, or give a link to the criteria."),
    "criteria_url": N_("Give a full web address, starting with https://."),
    "level": N_("Give a level such as RQF 3, RQF Entry or SCQF 6, or leave it empty."),
    "sector": N_("At most 200 characters."),
    "community": N_("Choose one of the network's communities of practice."),
    "credits": N_("Give a number of credits from 0 to 1,000, or leave it empty."),
    "validity_days": N_("Give a whole number of days from 1 to 36,500, or leave it empty."),
    "tags": N_("Give at most 20 tags, separated by commas, each at most 60 characters."),
    "exchange_host": N_("An international skills exchange needs its host organisation, country and dates."),
    "exchange_country": N_("Give the country as a two-letter code, such as FR or DE."),
    "exchange_start": N_("Give the start date."),
    "exchange_end": N_("Give an end date on or after the start date."),
    "exchange_funder": N_("At most 300 characters."),
    "exchange_bursary": N_("At most 300 characters."),
    "alignments": N_("Each standard needs a name and a full web address (https://...)."),
    "exchange_only": N_("Only an international skills exchange has host and dates: leave them empty."),
}
_API_FIELD = {"host_organisation": "exchange_host", "country": "exchange_country"} | {
    "start_date": "exchange_start",
    "end_date": "exchange_end",
    "funder": "exchange_funder",
    "bursary": "exchange_bursary",
}


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _read(form: Mapping[str, Any]) -> dict[str, Any]:
    """The definition the form describes; an empty field is None (for an edit: cleared)."""
    data: dict[str, Any] = {
        name: _text(form, name) or None
        for name in (
            "name",
            "description",
            "criteria_narrative",
            "criteria_url",
            "level",
            "sector",
            "community",
        )
    }
    for name in ("credits", "validity_days"):
        data[name] = _text(form, name) or None
    data["tags"] = [tag.strip() for tag in _text(form, "tags").split(",") if tag.strip()]
    exchange = {api: _text(form, page) or None for api, page in _API_FIELD.items()}
    data["exchange"] = exchange if any(exchange.values()) else None
    alignments = []
    for row in range(ALIGNMENT_ROWS):
        parts = {part: _text(form, f"alignment_{row}_{part}") or None for part in _ALIGNMENT_PARTS}
        if any(parts.values()):
            alignments.append(
                {
                    "target_name": parts["name"],
                    "target_url": parts["url"],
                    "target_framework": parts["framework"],
                    "target_code": parts["code"],
                }
            )
    data["alignments"] = alignments
    return data


def read_create(form: Mapping[str, Any]) -> AchievementCreate:
    """The new achievement; `ValidationFailed` with errors by field (`errors_of`) when it is not valid."""
    data = {key: value for key, value in _read(form).items() if value is not None}
    data["kind"] = _text(form, "kind")
    try:
        return AchievementCreate.model_validate(data)
    except ValidationError as error:
        raise _failed(error) from None


def read_update(form: Mapping[str, Any], more_alignments: list[dict[str, Any]]) -> AchievementUpdate:
    """Every field of the form, as the edit (the kind never changes; the image is kept as it is);
    `more_alignments`: those past the form's rows (made through the API), kept as they are."""
    data = _read(form)
    data["alignments"] = [*data["alignments"], *more_alignments]
    try:
        return AchievementUpdate.model_validate(data)
    except ValidationError as error:
        raise _failed(error) from None


def _failed(error: ValidationError) -> ValidationFailed:
    return ValidationFailed(
        gettext("The request is not valid: see errors."),
        [{"loc": ["body", *map(str, e["loc"])], "msg": e["msg"]} for e in error.errors()],
    )


def errors_of(problem: ValidationFailed) -> dict[str, str]:
    """The problem's errors as the form's: a message at the field each is about."""
    found: dict[str, str] = {}
    for error in problem.extensions.get("errors", []):
        loc = [part for part in error.get("loc", []) if part != "body"]
        key = _field(loc, str(error.get("msg", "")))
        field = "exchange_host" if key == "exchange_only" else key
        found.setdefault(field, gettext(MESSAGES.get(key, MESSAGES["name"])))
    return found


def _field(loc: list[Any], msg: str) -> str:
    if loc and loc[0] == "exchange":
        return _API_FIELD.get(str(loc[1]), "exchange_host") if len(loc) > 1 else "exchange_host"
    if loc and loc[0] == "alignments":
        return "alignments"
    if loc and loc[0] in MESSAGES:
        return str(loc[0])
    if "criteria" in msg:
        return "criteria_narrative"
    if "exchange details belong" in msg:
        return "exchange_only"
    if "exchange" in msg or "end_date" in msg:
        return "exchange_host"
    if "community" in msg:
        return "community"
    return "name"


def form_values(definition: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """The form's fields filled in from a definition (for editing)."""
    exchange = definition.get("exchange") or {}
    values: dict[str, Any] = {
        "kind": kind,
        "tags": ", ".join(definition.get("tags", [])),
        **{page: exchange.get(api) or "" for api, page in _API_FIELD.items()},
    }
    for name in ("name", "description", "criteria_narrative", "criteria_url", "level", "sector", "community"):
        values[name] = definition.get(name) or ""
    for name in ("credits", "validity_days"):
        value = definition.get(name)
        values[name] = "" if value is None else str(int(value) if float(value).is_integer() else value)
    for row, alignment in enumerate(definition.get("alignments", [])[:ALIGNMENT_ROWS]):
        for part in _ALIGNMENT_PARTS:
            values[f"alignment_{row}_{part}"] = alignment.get(f"target_{part}") or ""
    return values
