"""Credentials issued elsewhere, added to the passport by the learner (OB 3.0 JSON, compact VC-JWT, or a
baked PNG/SVG badge, uploaded or pasted).

Each is verified on import with the same report as the public verifier (`passport.verifying`). A
credential whose proof fails, or whose key its issuer does not control, is refused with that report and
nothing is stored. An authentic one is stored exactly as given, whatever else the report says (expired,
revoked, outside the scheme): the passport re-checks it each time it is shown, because its state can
change. Importing the same document twice keeps one item (idempotent by the document's digest).

The issuer's name is stored with where it came from (`network.naming`: the registry, this service's
provider table, or the credential's own claim, "not confirmed"), for the pages that show the passport
without verifying it again; a page that verifies names it afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.i18n import N_, format_number, gettext
from core.problems import NotFound, Problem
from network.naming import IssuerName, NameSource
from passport.models import ImportedCredential, Learner
from passport.verifying import LiveChecker, authentic
from vc.baking import image_kind, unbake
from vc.errors import BakingError, VcError
from vc.fields import issuer_id, parse_datetime
from vc.jwt import decode_jwt, looks_like_jwt
from vc.parsing import MAX_DOCUMENT_BYTES, parse_json
from vc.report import VerificationReport

#: The largest file or pasted text accepted (a baked badge image is KBs; vc.baking caps images at 10 MiB,
#: but the request body limit, PASSPORT_MAX_BODY_BYTES, applies first).
MAX_IMPORT_BYTES = 10 * 1024 * 1024


class UnreadableImport(Problem):
    status: ClassVar[int] = 422
    slug: ClassVar[str] = "unreadable-credential"
    title: ClassVar[str] = N_("No readable credential")


class NotAuthentic(Problem):
    """The credential's proof does not verify: it is not what its issuer signed (422, with the report)."""

    status: ClassVar[int] = 422
    slug: ClassVar[str] = "credential-not-authentic"
    title: ClassVar[str] = N_("The credential is not authentic")

    def __init__(self, detail: str, report: VerificationReport) -> None:
        super().__init__(detail, report=report.to_json())
        self.report = report


#: What a learner is told about a file or text that holds no readable credential: plain words, no parser
#: jargon (the parser's own reason stays in the problem's ``reason``, in English, for developers).
NOT_CREDENTIAL_TEXT = N_(
    "This is not a credential we can read. Paste the whole credential (its JSON text, or a VC-JWT that"
    " starts with \u201ceyJ\u201d), or upload its file."
)
NOT_A_BADGE = N_(
    "This image could not be read as a badge: it may be damaged, or not a badge image. Upload the badge"
    " file your provider sent (PNG or SVG) without changing it."
)
NO_BAKED_CREDENTIAL = N_(
    "This image has no credential inside it. Only a badge image with an Open Badges 3.0 credential baked"
    " into it can be added: ask your provider for that file, or for the credential itself."
)
OPEN_BADGES_2 = N_(
    "This badge is an older Open Badges 2.0 badge, which this passport cannot check. Ask your provider"
    " for an Open Badges 3.0 credential."
)
TOO_LARGE = N_("The file is too large to be a credential: at most %(size)s.")


def _unreadable(words: str, reason: str, **values: Any) -> UnreadableImport:
    problem = UnreadableImport(gettext(words, **values))
    problem.extensions["reason"] = reason
    return problem


def read_credential(data: bytes | str) -> dict[str, Any] | str:
    """The credential in a file or pasted text: a baked PNG/SVG (told by content), a compact VC-JWT, or
    a JSON object; anything else is `UnreadableImport`, which says so in plain words."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_IMPORT_BYTES:
        raise _unreadable(TOO_LARGE, "too large", size=_size(MAX_IMPORT_BYTES))
    if not raw.strip():
        raise _unreadable(N_("Nothing was given: upload a file or paste a credential."), "empty")
    image = image_kind(raw) == "png" or raw.lstrip().startswith(b"<")
    try:
        if image:
            return unbake(raw)
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise _unreadable(TOO_LARGE, "too large", size=_size(MAX_DOCUMENT_BYTES))
        text = raw.decode("utf-8").strip()
        if looks_like_jwt(text):
            return text
        document = parse_json(text)
    except UnicodeDecodeError:
        raise _unreadable(NOT_CREDENTIAL_TEXT, "not UTF-8 text, and not a PNG or SVG image") from None
    except BakingError as error:
        if "Open Badges 2.0" in error.message:
            raise _unreadable(OPEN_BADGES_2, error.message) from None
        if "no baked credential" in error.message or "holds no" in error.message:
            raise _unreadable(NO_BAKED_CREDENTIAL, error.message) from None
        raise _unreadable(NOT_A_BADGE, error.message) from None
    except VcError as error:
        raise _unreadable(NOT_A_BADGE if image else NOT_CREDENTIAL_TEXT, error.message) from None
    if not isinstance(document, dict):
        raise _unreadable(NOT_CREDENTIAL_TEXT, "JSON, but not an object")
    return document


def _size(limit: int) -> str:
    return gettext("%(num)s MB", num=format_number(limit / (1024 * 1024)))


def _stored_text(credential: Mapping[str, Any] | str) -> tuple[str, str]:
    """The format and the text stored: the JWT as given, JSON with its keys sorted (so the same credential
    pasted with other whitespace or key order is the same import)."""
    if isinstance(credential, str):
        return "jwt", credential.strip()
    return "ldp", json.dumps(credential, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _described(row: ImportedCredential, credential: Mapping[str, Any], issuer: IssuerName) -> None:
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    achievement = achievement if isinstance(achievement, Mapping) else {}
    name = achievement.get("name") or credential.get("name") or "Credential"
    kind = achievement.get("achievementType")
    row.issuer_id = (issuer_id(credential) or "unknown")[:2000]
    row.issuer_name = (issuer.name or "")[:500]
    row.issuer_name_source = (issuer.source or NameSource.SELF_ASSERTED).value
    row.achievement_name = str(name)[:500]
    row.achievement_type = kind[:200] if isinstance(kind, str) else None
    row.valid_from = parse_datetime(credential.get("validFrom"))
    row.valid_until = parse_datetime(credential.get("validUntil"))


def import_credential(
    session: Session,
    verifier: LiveChecker,
    learner: Learner,
    credential: dict[str, Any] | str,
    now: datetime,
) -> tuple[ImportedCredential, VerificationReport, bool]:
    """Verify and store; returns the item, the report, and whether it was new. `NotAuthentic` when the
    proof fails (nothing is stored)."""
    report = verifier.verify_credential(session, credential, now)
    if not authentic(report):
        raise NotAuthentic(
            gettext(
                "The credential's proof does not verify, so it is not what its issuer signed: not imported."
            ),
            report,
        )
    format_, text = _stored_text(credential)
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = session.scalars(
        select(ImportedCredential).where(
            ImportedCredential.learner_id == learner.id, ImportedCredential.digest == digest
        )
    ).first()
    if existing is not None:
        return existing, report, False
    row = ImportedCredential(
        learner_id=learner.id, digest=digest, format=format_, document=text, imported_at=now
    )
    _described(row, report.credential or _decoded(credential), verifier.issuer_of(session, report))
    try:
        with session.begin_nested():  # the same import racing in another request: keep theirs
            session.add(row)
            session.flush()
    except IntegrityError:
        raced = session.scalars(
            select(ImportedCredential).where(
                ImportedCredential.learner_id == learner.id, ImportedCredential.digest == digest
            )
        ).one()
        return raced, report, False
    return row, report, True


def _decoded(credential: Mapping[str, Any] | str) -> Mapping[str, Any]:
    if isinstance(credential, str):
        try:
            return decode_jwt(credential).credential
        except VcError:
            return {}
    return credential


def imported(session: Session, learner: Learner) -> list[ImportedCredential]:
    return list(
        session.scalars(
            select(ImportedCredential)
            .where(ImportedCredential.learner_id == learner.id)
            .order_by(ImportedCredential.imported_at.desc(), ImportedCredential.id)
        )
    )


def get_imported(session: Session, learner: Learner, credential_id: str) -> ImportedCredential | None:
    return session.scalars(
        select(ImportedCredential).where(
            ImportedCredential.learner_id == learner.id, ImportedCredential.id == credential_id
        )
    ).first()


def remove_imported(session: Session, learner: Learner, credential_id: str) -> None:
    if get_imported(session, learner, credential_id) is None:
        raise NotFound(gettext("no credential %(id)r in your passport", id=credential_id))
    session.execute(
        delete(ImportedCredential).where(
            ImportedCredential.learner_id == learner.id, ImportedCredential.id == credential_id
        )
    )


def signed_document(row: ImportedCredential) -> dict[str, Any] | str:
    return row.document if row.format == "jwt" else dict(json.loads(row.document))


def decoded(row: ImportedCredential) -> Mapping[str, Any]:
    """The credential as stored, decoded (the payload of a VC-JWT), without verifying it again."""
    return _decoded(signed_document(row))
