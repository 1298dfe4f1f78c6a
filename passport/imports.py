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

from core.i18n import N_, gettext
from core.problems import NotFound, Problem
from network.naming import IssuerName, NameSource
from passport.models import ImportedCredential, Learner
from passport.verifying import LiveChecker, authentic
from vc.baking import image_kind, unbake
from vc.errors import VcError
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


def read_credential(data: bytes | str) -> dict[str, Any] | str:
    """The credential in a file or pasted text: a baked PNG/SVG (told by content), a compact VC-JWT, or
    a JSON object; anything else is `UnreadableImport`."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_IMPORT_BYTES:
        raise UnreadableImport(gettext("the credential is larger than %(num)d bytes", num=MAX_IMPORT_BYTES))
    if not raw.strip():
        raise UnreadableImport(gettext("nothing was given: upload a file or paste a credential"))
    try:
        if image_kind(raw) == "png" or raw.lstrip().startswith(b"<"):
            return unbake(raw)
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise UnreadableImport(
                gettext("a JSON credential or VC-JWT is at most %(num)d bytes", num=MAX_DOCUMENT_BYTES)
            )
        text = raw.decode("utf-8").strip()
        if looks_like_jwt(text):
            return text
        document = parse_json(text)
    except UnicodeDecodeError:
        raise UnreadableImport(
            gettext("this is not a PNG or SVG badge, and not UTF-8 text (JSON or a JWT)")
        ) from None
    except VcError as error:
        raise UnreadableImport(error.message) from None
    if not isinstance(document, dict):
        raise UnreadableImport(gettext("this is JSON but not an object, so it is not a credential"))
    return document


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
