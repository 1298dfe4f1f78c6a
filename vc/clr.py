"""Comprehensive Learner Record 2.0 export: a learner's credentials bundled into one signed ``ClrCredential``.

Build -> sign -> verify, each pure (CHECKLIST §11; CLR 2.0 §B.1 ClrCredential, ClrSubject)::

    clr = build_clr(held, id=..., name=..., publisher=profile, identifiers=[IdentityObject.hashed_email(e)],
                    now=now)
    signed = sign_clr(clr, publisher_key, publisher_method_id, now)   # .format "ldp" or "jwt"
    report = verify_clr(signed.credential, ports, now)               # the CLR's report + one per credential

**What goes in.** ``ClrSubject.verifiableCredential`` holds each credential exactly as its issuer secured it:
a JSON object whose embedded proof stays intact, so it verifies on its own. The 1EdTech CLR JSON Schema
requires every entry to be a credential *object* with ``@context`` (VC 2.0 first), ``type``, ``issuer``,
``validFrom`` and ``credentialSubject``; CLR 2.0 defines no JWT form for them (its only JWT forms are
``endorsementJwt`` and, for a whole CLR, ``compactJwsString``). A VC DM 2.0 §4.13
``EnvelopedVerifiableCredential`` (``id: "data:application/vc+jwt,…"``) has none of those properties and
fails the schema, and the credential decoded from a VC-JWT is no longer signed. So a credential held only
as a VC-JWT cannot be embedded, nor can a VC 1.1 credential (the schema wants VC 2.0); a VC-JWT whose
payload carries an embedded Data Integrity proof (OB 3.0 §8.2) is embedded as that signed credential.
`build_clr` refuses the others, or with ``omit_not_embeddable=True`` leaves them out and marks the
record ``partial`` (CLR 2.0.1: it no longer holds every assertion the publisher knows of).

**How it is signed.** A CLR of 1,000 credentials is ~80,000 RDF statements; Data Integrity
(eddsa-rdfc-2022) must expand and canonicalise all of it (seconds; see bench/clr.py), while VC-JWT
(OB 3.0 §8.2, which CLR 2.0 shares) signs the JSON bytes in milliseconds. `sign_clr` chooses, unless
told: Data Integrity for a CLR that stays within half the ordinary document bound (512 KiB, ~100
credentials) and the ordinary statement bound, so any verifier's ordinary limits accept it; VC-JWT for
anything larger, for a non-Ed25519 key, or when the JSON-LD cannot be canonicalised within bounds.

**How it is verified.** The same pipeline (`vc.verify.verify_credential`), with `CLR_LIMITS` instead of the
ordinary bounds for the CLR document alone (it must be a ``ClrCredential``), then each bundled credential
through the same pipeline with the ordinary bounds: a recommendation drawn from "each independently
verifiable", not a CLR MUST.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from schemas.clr import Association, ClrCredential, ClrSubject
from schemas.loader import VC_V1_CONTEXT, VC_V2_CONTEXT, OfflineDocumentLoader
from schemas.models import IdentityObject, Profile
from schemas.validation import SchemaName, conformance_errors, schema_errors

from . import data_integrity
from .errors import (
    MALFORMED_VALUE_ERROR,
    JsonLdError,
    NotEmbeddableError,
    ParsingError,
    SchemaError,
    VcError,
)
from .fields import issuer_id, types_of
from .jwt import decode_jwt, looks_like_jwt, sign_jwt
from .keys import KeyType, PrivateKey
from .parsing import ORDINARY_LIMITS, Limits, parse_json
from .report import Check, CheckId, Outcome, VerificationReport
from .verify import Ports, verify_credential

__all__ = [
    "CLR_LIMITS",
    "LDP_MAX_BYTES",
    "MAX_EMBEDDED_CREDENTIALS",
    "ClrVerificationReport",
    "ProofFormat",
    "SignedClr",
    "build_clr",
    "embeddable_form",
    "read_clr",
    "sign_clr",
    "validate_clr",
    "verify_clr",
]

#: At most this many credentials in one CLR: `build_clr` refuses more and `verify_clr` checks no more.
MAX_EMBEDDED_CREDENTIALS = 2_000
#: The bounds a ClrCredential is verified under: 2,000 credentials of ~8 KB, ~100 statements each. A
#: 1,000-credential CLR is ~3.5-5 MB and ~80,000 statements. Still bounded: worst case ~10 s of
#: canonicalisation for a Data Integrity CLR, plus a few ms per bundled credential verified.
CLR_LIMITS = Limits(max_document_bytes=16 * 1024 * 1024, max_statements=200_000)
#: `sign_clr` uses Data Integrity up to this compact JSON size (half the ordinary bound: room for
#: pretty-printing and the proof), VC-JWT above it.
LDP_MAX_BYTES = ORDINARY_LIMITS.max_document_bytes // 2

ProofFormat = Literal["auto", "ldp", "jwt"]


def embeddable_form(credential: Mapping[str, Any] | str) -> dict[str, Any]:
    """The object a held credential becomes in ``ClrSubject.verifiableCredential``, or `NotEmbeddableError`.

    A JSON credential (an object, or its JSON text) is returned as it is (same keys, same values, proof
    intact). A compact VC-JWT is embeddable only when its payload carries an embedded proof (OB 3.0 §8.2:
    Linked Data proofs may ride inside the JWT payload); it is then the credential without the JWT
    registered claims, as its issuer signed it. Nothing is verified here: the passport verified each
    credential when it took it in.
    """
    if isinstance(credential, str) and credential.lstrip().startswith("{"):
        try:
            credential = parse_json(credential)
        except VcError as error:
            raise NotEmbeddableError(f"not a JSON credential: {error.message}") from None
    if isinstance(credential, str):
        try:
            document: Mapping[str, Any] = decode_jwt(credential).credential
        except VcError as error:
            raise NotEmbeddableError(f"not a VC-JWT: {error.message}") from None
        if "proof" not in document:
            raise NotEmbeddableError(
                "a credential secured only as a VC-JWT cannot be embedded in a CLR 2.0: the 1EdTech schema "
                "requires a credential object in ClrSubject.verifiableCredential, and once decoded the "
                "credential no longer carries its issuer's signature"
            )
    elif isinstance(credential, Mapping):
        document = credential
    else:
        raise NotEmbeddableError("a credential is a JSON object (or its text) or a compact VC-JWT")
    problem = _entry_problem(document)
    if problem:
        raise NotEmbeddableError(problem)
    return dict(document)


def _entry_problem(document: Mapping[str, Any]) -> str | None:
    """What the CLR schema's ``VerifiableCredential`` requires, plus an embedded proof (to verify alone)."""
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first == VC_V1_CONTEXT:
        return "a VC 1.1 credential cannot be embedded in a CLR 2.0 (its schema requires VC 2.0 credentials)"
    if first != VC_V2_CONTEXT or not isinstance(context, list):
        return f"@context must be a list starting with {VC_V2_CONTEXT}"
    if "VerifiableCredential" not in types_of(document):
        return "type must include VerifiableCredential"
    if issuer_id(document) is None or "validFrom" not in document or "credentialSubject" not in document:
        return "a credential needs issuer, validFrom and credentialSubject"
    if not isinstance(document.get("proof"), (Mapping, list)) or not document["proof"]:
        return "the credential has no embedded proof, so it could not be verified on its own"
    return None


def build_clr(
    credentials: Sequence[Mapping[str, Any] | str],
    *,
    id: str,
    name: str,
    publisher: Profile | Mapping[str, Any],
    now: datetime,
    learner_id: str | None = None,
    identifiers: Sequence[IdentityObject] = (),
    description: str | None = None,
    partial: bool = False,
    include_achievements: bool = False,
    associations: Sequence[Association] = (),
    valid_until: datetime | None = None,
    omit_not_embeddable: bool = False,
) -> dict[str, Any]:
    """An unsigned CLR 2.0 ``ClrCredential`` bundling ``credentials`` for one learner (CLR 2.0 §B.1).

    * ``publisher`` becomes ``issuer``: the Profile of the service whose key `sign_clr` will use.
    * The learner is ``learner_id`` and/or ``identifiers`` (e.g. ``IdentityObject.hashed_email``); one is
      required (OB 3.0 §9.1).
    * ``partial``: True for a selection. It is also set when ``omit_not_embeddable`` left anything out.
    * ``include_achievements`` copies each distinct achievement (by id) of the bundled credentials into
      ``ClrSubject.achievement``, as ``associations`` between them need.
    * ``now`` is ``validFrom``; ``id`` the CLR's id (e.g. ``urn:uuid:…``).

    Raises `NotEmbeddableError` for a credential a CLR cannot carry (see `embeddable_form`), ValueError
    for more than `MAX_EMBEDDED_CREDENTIALS`, two credentials with one id, or an invalid envelope, and
    `SchemaError` when the result fails the 1EdTech ClrCredential JSON Schema (`validate_clr`; ~20 ms for
    1,000 credentials), so nothing that fails it is ever signed.
    """
    entries: list[dict[str, Any]] = []
    omitted = 0
    for index, credential in enumerate(credentials):
        try:
            entries.append(embeddable_form(credential))
        except NotEmbeddableError as error:
            if not omit_not_embeddable:
                raise NotEmbeddableError(f"credential {index}: {error.message}") from None
            omitted += 1
    if not entries:
        raise NotEmbeddableError("a CLR needs at least one credential it can embed")
    if len(entries) > MAX_EMBEDDED_CREDENTIALS:
        raise ValueError(f"a CLR holds at most {MAX_EMBEDDED_CREDENTIALS} credentials; export a selection")
    _check_unique_ids(entries)
    clr = ClrCredential(
        id=id,
        name=name,
        description=description,
        partial=partial or omitted > 0,
        issuer=publisher if isinstance(publisher, Profile) else Profile.model_validate(publisher),
        valid_from=now,
        valid_until=valid_until,
        credential_subject=ClrSubject(
            id=learner_id,
            identifier=list(identifiers),
            verifiable_credential=entries,
            achievement=_achievements(entries) if include_achievements else [],
            association=list(associations),
        ),
    )
    document = clr.to_json()
    errors = validate_clr(document)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SchemaError(f"the CLR does not conform to the 1EdTech CLR 2.0 schema: {errors[0]}{more}")
    return document


def _check_unique_ids(entries: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for entry in entries:
        credential_id = entry.get("id")
        if isinstance(credential_id, str):
            if credential_id in seen:
                raise ValueError(f"credential {credential_id[:200]} appears twice")
            seen.add(credential_id)


def _achievements(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each distinct achievement (first occurrence by id) of the bundled credentials, as it appears there."""
    found: dict[str, dict[str, Any]] = {}
    for entry in entries:
        subjects = entry.get("credentialSubject")
        for subject in subjects if isinstance(subjects, list) else [subjects]:
            achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
            if isinstance(achievement, Mapping) and isinstance(achievement.get("id"), str):
                found.setdefault(achievement["id"], dict(achievement))
    return list(found.values())


def validate_clr(clr: Mapping[str, Any]) -> list[str]:
    """Every way ``clr`` fails the 1EdTech ClrCredential JSON Schema or the subject rule; ``[]`` if none."""
    return sorted(schema_errors(clr, SchemaName.CLR_CREDENTIAL) + conformance_errors(clr))


@dataclass(frozen=True)
class SignedClr:
    """A secured CLR: a JSON object with a Data Integrity proof (``ldp``), or a compact VC-JWT (``jwt``)."""

    format: Literal["ldp", "jwt"]
    credential: dict[str, Any] | str


def sign_clr(
    clr: Mapping[str, Any],
    key: PrivateKey,
    verification_method: str,
    created: datetime,
    *,
    proof_format: ProofFormat = "auto",
    loader: OfflineDocumentLoader | None = None,
) -> SignedClr:
    """Secure an unsigned CLR with the publisher's key (OB 3.0 §8 proof formats, which CLR 2.0 shares).

    ``auto`` (see the module docstring): Data Integrity ``eddsa-rdfc-2022`` when the key is Ed25519 and the
    CLR is at most `LDP_MAX_BYTES` of compact JSON and canonicalises within the ordinary statement bound;
    VC-JWT (``kid`` = ``verification_method``) otherwise. ``ldp`` and ``jwt`` force a format. A CLR larger
    than `CLR_LIMITS` is refused (ValueError): nothing is signed that our verifier would not read.
    """
    size = len(orjson.dumps(dict(clr)))
    if size > CLR_LIMITS.max_document_bytes:
        raise ValueError(f"the CLR is {size} bytes; at most {CLR_LIMITS.max_document_bytes} can be verified")
    if proof_format == "ldp":
        signed = data_integrity.sign(
            clr, key, verification_method, created, loader=loader, max_statements=CLR_LIMITS.max_statements
        )
        return SignedClr("ldp", signed)
    if proof_format == "auto" and key.key_type is KeyType.ED25519 and size <= LDP_MAX_BYTES:
        try:
            return SignedClr(
                "ldp", data_integrity.sign(clr, key, verification_method, created, loader=loader)
            )
        except JsonLdError:
            pass  # beyond the ordinary statement bound, or look-alike blank nodes: VC-JWT needs no JSON-LD
    return SignedClr("jwt", sign_jwt(clr, key, kid=verification_method))


def read_clr(data: bytes | str) -> dict[str, Any] | str:
    """Parse an untrusted CLR under `CLR_LIMITS`: a compact VC-JWT (returned as text) or a JSON object."""
    if len(data) > 2 * CLR_LIMITS.max_document_bytes:  # a VC-JWT is base64url: 4/3 of its payload
        raise ParsingError(f"the CLR is larger than {2 * CLR_LIMITS.max_document_bytes} bytes")
    text = (data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data).strip()
    if not text.startswith("{") and looks_like_jwt(text):
        return text
    value = parse_json(data, max_bytes=CLR_LIMITS.max_document_bytes)
    if not isinstance(value, dict):
        raise ParsingError("a CLR is a JSON object or a compact VC-JWT")
    return value


@dataclass
class ClrVerificationReport:
    """The CLR's own report, and one report per bundled credential (in ``verifiableCredential`` order).

    ``verified`` is about the CLR itself: the publisher's proof, its schema, its dates. Each bundled
    credential has its own verdict: a genuine transcript may hold an expired certificate.
    ``credentials_problem`` says why the bundled credentials were not checked, when they were not.
    """

    clr: VerificationReport
    credentials: list[VerificationReport] = field(default_factory=list)
    credentials_problem: str | None = None

    @property
    def verified(self) -> bool:
        return self.clr.verified and self.credentials_problem is None

    @property
    def all_credentials_verified(self) -> bool:
        return bool(self.credentials) and all(report.verified for report in self.credentials)

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "clr": self.clr.to_json(),
            "credentialsProblem": self.credentials_problem,
            "credentialsVerified": sum(report.verified for report in self.credentials),
            "credentials": [report.to_json() for report in self.credentials],
        }


def verify_clr(
    clr: Mapping[str, Any] | str, ports: Ports, now: datetime, *, limits: Limits = CLR_LIMITS
) -> ClrVerificationReport:
    """Verify a ClrCredential (JSON with an embedded proof, or a VC-JWT), then each bundled credential.

    The CLR goes through `verify_credential` under ``limits`` (it must be a ``ClrCredential``); each bundled
    credential through `verify_credential` with the ordinary limits and the same ports and clock. When the
    CLR's proof does not verify, nothing it bundles is checked: a forged record says nothing worth reporting.
    Never raises for a bad CLR.
    """
    report = ClrVerificationReport(clr=verify_credential(clr, ports, now, limits=limits))
    proof = report.clr.check(CheckId.PROOF)
    if proof is None or proof.outcome is not Outcome.PASSED:
        report.credentials_problem = "Not checked: the CLR itself did not verify."
        return report
    document = report.clr.credential or {}
    subject = document.get("credentialSubject")
    entries = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
    entries = entries if isinstance(entries, list) else [entries] if entries is not None else []
    if not entries:
        report.credentials_problem = "The CLR bundles no credentials (ClrSubject.verifiableCredential)."
    elif len(entries) > MAX_EMBEDDED_CREDENTIALS:
        report.credentials_problem = (
            f"The CLR bundles {len(entries)} credentials; at most {MAX_EMBEDDED_CREDENTIALS} are checked."
        )
    else:
        report.credentials = [_verify_entry(entry, ports, now) for entry in entries]
    return report


def _verify_entry(entry: Any, ports: Ports, now: datetime) -> VerificationReport:
    if isinstance(entry, (Mapping, str)):
        return verify_credential(entry, ports, now)
    report = VerificationReport(checked_at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    report.add(
        Check(CheckId.WELL_FORMED, Outcome.FAILED, "The entry is not a credential.", MALFORMED_VALUE_ERROR)
    )
    for check_id in list(CheckId)[1:]:
        report.add(Check(check_id, Outcome.SKIPPED, "Not checked: the entry is not a credential."))
    return report
