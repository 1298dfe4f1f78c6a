"""Offline JSON Schema validation against the bundled 1EdTech schemas, plus the rules a schema cannot express.

* :func:`schema_errors` / :func:`validate` check a document against one of the bundled draft 2019-09 schemas
  (OB 3.0 and CLR 2.0, ``data/schemas/``), as the verifier must for every ``credentialSchema`` of type
  ``1EdTechJsonSchemaValidator2019`` (OB 3.0 §9.1 step 1; VCCS 1.0).
* :func:`conformance_errors` checks what those schemas leave out: a subject identified by ``id`` and/or
  ``identifier`` (OB 3.0 §9.1), and results that link to a ResultDescription of the same achievement
  (OB 3.0 §B.1 Result / ResultDescription).

Nothing here touches the network: every ``$ref`` resolves inside a registry built from the bundled files (and
the draft meta-schemas shipped with ``jsonschema``); an unknown URL raises :class:`SchemaValidationError`.

Two engines, one answer. The bundled schemas are checked first with ``jsonschema-rs`` (compiled, about a
hundred times faster: issuing a cohort validates every credential), using the same format checks as below and
its ``offline`` mode (no retrieval at all). Only a document it rejects goes through python-jsonschema, whose
errors are the ones reported, so messages do not depend on the fast engine.
``tests/schemas/test_validation_engines.py`` checks that the two engines agree on every fixture and on
generated mutations of them.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT201909

__all__ = [
    "CLR_CLR_CREDENTIAL_SCHEMA_ID",
    "OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_ID",
    "OB_ENDORSEMENT_CREDENTIAL_SCHEMA_ID",
    "SchemaName",
    "SchemaValidationError",
    "conformance_errors",
    "custom_schema_errors",
    "schema_errors",
    "schema_for",
    "validate",
]

SCHEMA_DIR = Path(__file__).parent / "data" / "schemas"

_OB_SCHEMA_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
_CLR_SCHEMA_BASE = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/"

OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_ID = _OB_SCHEMA_BASE + "ob_v3p0_achievementcredential_schema.json"
OB_ENDORSEMENT_CREDENTIAL_SCHEMA_ID = _OB_SCHEMA_BASE + "ob_v3p0_endorsementcredential_schema.json"
CLR_CLR_CREDENTIAL_SCHEMA_ID = _CLR_SCHEMA_BASE + "clr_v2p0_clrcredential_schema.json"


class SchemaValidationError(ValueError):
    """A document fails a JSON Schema (or the schema cannot be used offline).

    ``errors`` lists every problem as ``"<JSON path>: <message>"``, sorted.
    """

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors: list[str] = list(errors)
        super().__init__("; ".join(self.errors) or "schema validation failed")


class SchemaName(StrEnum):
    """The bundled schemas; each value is the file name without ``.json`` (the last segment of its $id)."""

    ACHIEVEMENT_CREDENTIAL = "ob_v3p0_achievementcredential_schema"
    ENDORSEMENT_CREDENTIAL = "ob_v3p0_endorsementcredential_schema"
    PROFILE = "ob_v3p0_profile_schema"
    GET_OPEN_BADGE_CREDENTIALS_RESPONSE = "ob_v3p0_getopenbadgecredentialsresponse_schema"
    IMSX_STATUS_INFO = "ob_v3p0_imsx_statusinfo_schema"
    CLR_CREDENTIAL = "clr_v2p0_clrcredential_schema"
    CLR_ACHIEVEMENT_CREDENTIAL = "clr_v2p0_achievementcredential_schema"
    CLR_ENDORSEMENT_CREDENTIAL = "clr_v2p0_endorsementcredential_schema"
    CLR_PROFILE = "clr_v2p0_profile_schema"
    GET_CLR_CREDENTIALS_RESPONSE = "clr_v2p0_getclrcredentialsresponse_schema"
    CLR_IMSX_STATUS_INFO = "clr_v2p0_imsx_statusinfo_schema"

    @property
    def schema_id(self) -> str:
        """The schema's ``$id`` URL (what a ``credentialSchema.id`` names)."""
        base = _OB_SCHEMA_BASE if self.value.startswith("ob_") else _CLR_SCHEMA_BASE
        return f"{base}{self.value}.json"


# --- format checking (RFC 3339 date-time / full-date, URI scheme) -------------------------------------------

_RFC3339_DATE_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", re.ASCII
)
_RFC3339_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")

_FORMAT_CHECKER = FormatChecker(formats=())


@_FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(instance: object) -> bool:
    """RFC 3339 ``date-time``: the time zone is mandatory (OB 3.0 DateTimeZ), a leap second is allowed."""
    if not isinstance(instance, str):
        return True
    match = _RFC3339_DATE_TIME.match(instance)
    if match is None:
        return False
    day, hour, minute, second, _, offset = match.groups()
    date.fromisoformat(day)
    second = "59" if second == "60" else second
    datetime.fromisoformat(f"{day}T{hour}:{minute}:{second}")
    if offset not in ("Z", "z"):
        offset_hours, offset_minutes = int(offset[1:3]), int(offset[4:6])
        if offset_hours > 23 or offset_minutes > 59:
            return False
    return True


@_FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(instance: object) -> bool:
    """RFC 3339 ``full-date`` (``YYYY-MM-DD``)."""
    if not isinstance(instance, str):
        return True
    if _RFC3339_FULL_DATE.match(instance) is None:
        return False
    date.fromisoformat(instance)
    return True


@_FORMAT_CHECKER.checks("uri")
def _is_uri(instance: object) -> bool:
    """A scheme followed by ``:`` and no whitespace (RFC 3986 §3, loosely)."""
    return not isinstance(instance, str) or _URI.match(instance) is not None


# --- registry and validators --------------------------------------------------------------------------------


def _refuse_retrieval(uri: str) -> Resource[Any]:
    """The registry's ``retrieve`` hook: nothing outside the bundle is ever fetched."""
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


@functools.cache
def _bundled_contents() -> dict[str, dict[str, Any]]:
    """Every bundled schema by its ``$id``."""
    contents: dict[str, dict[str, Any]] = {}
    for path in sorted(SCHEMA_DIR.glob("*/*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        contents[schema["$id"]] = schema
    return contents


@functools.cache
def _registry() -> Registry[Any]:
    resources = [
        (schema_id, DRAFT201909.create_resource(schema)) for schema_id, schema in _bundled_contents().items()
    ]
    registry: Registry[Any] = Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]
    return registry.with_resources(resources).crawl()


@functools.cache
def _validator(schema_id: str) -> Draft201909Validator:
    return Draft201909Validator(
        _bundled_contents()[schema_id], registry=_registry(), format_checker=_FORMAT_CHECKER
    )


def _refuse_fast_retrieval(uri: str) -> Any:
    raise ValueError(f"{uri} is not bundled; remote schemas are never retrieved")


def _never_raises(check: Callable[[object], bool]) -> Callable[[object], bool]:
    """A format check as python-jsonschema runs it (``raises=ValueError`` means "not this format")."""

    def checked(instance: object) -> bool:
        try:
            return bool(check(instance))
        except ValueError:
            return False

    return checked


#: The same three format checks as `_FORMAT_CHECKER`; the bundled schemas use only date and date-time.
_FAST_FORMATS = {
    "date-time": _never_raises(_is_date_time),
    "date": _never_raises(_is_date),
    "uri": _never_raises(_is_uri),
}


@functools.cache
def _fast_validator(schema_id: str) -> jsonschema_rs.Validator:
    """The compiled validator for a bundled schema: references resolve in the bundle, nothing is retrieved."""
    registry = jsonschema_rs.Registry(
        list(_bundled_contents().items()), draft=jsonschema_rs.Draft201909, retriever=_refuse_fast_retrieval
    )
    return jsonschema_rs.Draft201909Validator(
        _bundled_contents()[schema_id],
        registry=registry,
        formats=_FAST_FORMATS,
        validate_formats=True,
        ignore_unknown_formats=True,
        offline=True,
    )


def _fast_accepts(schema_id: str, document: Any) -> bool:
    try:
        return bool(_fast_validator(schema_id).is_valid(document))
    except (ValueError, TypeError, OverflowError):  # not plain JSON data: leave it to python-jsonschema
        return False


def _resolve_schema_id(schema: SchemaName | str) -> str:
    if isinstance(schema, SchemaName):
        return schema.schema_id
    known = _bundled_contents()
    if schema in known:
        return schema
    try:
        return SchemaName(schema).schema_id
    except ValueError:
        raise SchemaValidationError([f"$schema: unknown schema {schema!r} (only bundled schemas)"]) from None


def _describe(error: ValidationError) -> str:
    """``"<path>: <message>"``, descending into ``oneOf``/``anyOf`` to the most relevant sub-error."""
    leaf = best_match([error]) if error.context else error
    if leaf is None:  # pragma: no cover - best_match of a non-empty list is never None
        leaf = error
    if leaf is error or (leaf.message, leaf.json_path) == (error.message, error.json_path):
        return f"{error.json_path}: {_bounded(error.message)}"
    return f"{error.json_path}: {_bounded(error.message)} ({leaf.json_path}: {_bounded(leaf.message)})"


_MESSAGE_CHARS = 300


def _bounded(message: str) -> str:
    """jsonschema's messages quote the failing value whole: a CLR's list of credentials is megabytes."""
    if len(message) <= _MESSAGE_CHARS:
        return message
    half = _MESSAGE_CHARS // 2
    return f"{message[:half]} … {message[-half:]}"


def _errors(validator: Draft201909Validator, document: Any) -> list[str]:
    try:
        return sorted({_describe(error) for error in validator.iter_errors(document)})
    except Unresolvable as unresolvable:
        raise SchemaValidationError(
            [f"$ref: cannot resolve {unresolvable.ref!r} offline (remote schemas are never retrieved)"]
        ) from unresolvable


def schema_errors(document: Mapping[str, Any], schema: SchemaName | str) -> list[str]:
    """Every way ``document`` fails the bundled ``schema`` (a :class:`SchemaName`, its value or its ``$id``).

    Returns ``[]`` for a valid document; otherwise sorted ``"<JSON path>: <message>"`` strings. Raises
    :class:`SchemaValidationError` for a schema that is not bundled.
    """
    schema_id = _resolve_schema_id(schema)
    if _fast_accepts(schema_id, document):
        return []
    return _errors(_validator(schema_id), document)


def validate(document: Mapping[str, Any], schema: SchemaName | str) -> None:
    """Raise :class:`SchemaValidationError` unless ``document`` is valid against ``schema``."""
    errors = schema_errors(document, schema)
    if errors:
        raise SchemaValidationError(errors)


def custom_schema_errors(document: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Validate against a caller-supplied draft 2019-09 schema (e.g. an extension's), offline.

    ``$ref`` may point into the bundled schemas; any other URL raises :class:`SchemaValidationError` rather
    than being fetched.
    """
    Draft201909Validator.check_schema(schema)
    validator = Draft201909Validator(schema, registry=_registry(), format_checker=_FORMAT_CHECKER)
    return _errors(validator, document)


def _types(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def schema_for(credential: Mapping[str, Any]) -> SchemaName:
    """The bundled schema for a credential, chosen by its ``type``.

    ``ClrCredential`` -> CLR, ``EndorsementCredential`` -> endorsement, ``AchievementCredential`` /
    ``OpenBadgeCredential`` -> achievement credential. Anything else raises :class:`SchemaValidationError`.
    """
    types = _types(credential.get("type"))
    if "ClrCredential" in types:
        return SchemaName.CLR_CREDENTIAL
    if "EndorsementCredential" in types:
        return SchemaName.ENDORSEMENT_CREDENTIAL
    if types & {"AchievementCredential", "OpenBadgeCredential"}:
        return SchemaName.ACHIEVEMENT_CREDENTIAL
    raise SchemaValidationError(
        ["$.type: no ClrCredential, EndorsementCredential, AchievementCredential or OpenBadgeCredential"]
    )


# --- conformance: what the schemas cannot say ---------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    """A JSON-LD value that may be a single item or an array, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _indexed(path: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield f"{path}[{index}]", item
    elif value is not None:
        yield path, value


def _subject_errors(path: str, subject: Any) -> Iterator[str]:
    if not isinstance(subject, Mapping):
        yield f"{path}: must be an object"
        return
    if not subject.get("id") and not _as_list(subject.get("identifier")):
        yield f"{path}: must have an 'id' or at least one 'identifier' (OB 3.0 §9.1)"
    achievement = subject.get("achievement")
    if isinstance(achievement, Mapping):
        yield from _result_errors(path, subject, achievement)


def _result_errors(path: str, subject: Mapping[str, Any], achievement: Mapping[str, Any]) -> Iterator[str]:
    descriptions: dict[str, Mapping[str, Any]] = {
        description["id"]: description
        for description in _as_list(achievement.get("resultDescription"))
        if isinstance(description, Mapping) and isinstance(description.get("id"), str)
    }
    # The spec says "in the linked ResultDescription", but 1EdTech's own complete example links a level of a
    # sibling ResultDescription, so only the achievement is required to define it.
    levels = {
        level["id"]
        for description in descriptions.values()
        for level in _as_list(description.get("rubricCriterionLevel"))
        if isinstance(level, Mapping) and isinstance(level.get("id"), str)
    }
    for result_path, result in _indexed(f"{path}.result", subject.get("result")):
        if not isinstance(result, Mapping):
            continue
        level = result.get("achievedLevel")
        if level is not None and (not isinstance(level, str) or level not in levels):
            yield (
                f"{result_path}.achievedLevel: {level!r} is not the id of a RubricCriterionLevel"
                " of the same achievement"
            )
        if "resultDescription" not in result:
            continue
        reference = result["resultDescription"]
        description = descriptions.get(reference) if isinstance(reference, str) else None
        if description is None:
            yield (
                f"{result_path}.resultDescription: {reference!r} is not the id of a ResultDescription"
                " of the same achievement"
            )
        elif description.get("resultType") == "Status" and "status" not in result:
            yield f"{result_path}: 'status' is required when the linked resultType is Status"


def conformance_errors(credential: Mapping[str, Any]) -> list[str]:
    """The OB 3.0 rules the JSON Schema does not enforce, as sorted ``"<JSON path>: <message>"`` strings.

    * each ``credentialSubject`` has an ``id`` and/or at least one ``identifier`` (OB 3.0 §9.1 step 1);
    * each ``result[].resultDescription`` is the id of a ResultDescription of the same achievement, a result
      linked to a ``Status`` ResultDescription has a ``status``, and an ``achievedLevel`` is the id of a
      RubricCriterionLevel of the same achievement (OB 3.0 §B.1 Result).
    """
    subjects = credential.get("credentialSubject")
    if subjects is None or subjects == []:
        return ["$.credentialSubject: missing"]
    errors: list[str] = []
    for path, subject in _indexed("$.credentialSubject", subjects):
        errors.extend(_subject_errors(path, subject))
    return sorted(errors)
