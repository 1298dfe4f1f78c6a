"""Verifiable Presentations: a holder's proof over the credentials it presents (VC DM 2.0 §5.3).

The holder signs with Data Integrity ``eddsa-rdfc-2022`` and ``proofPurpose: "authentication"``
(VC Data Integrity 1.0 §2.1; the key must be listed under ``authentication`` by its controller). A
verifier that asked for a ``challenge`` (and a ``domain``) checks the proof carries exactly those, so a
presentation made for someone else, or earlier, is refused (VC-DI §4.2 "Verify Proof" steps on
challenge/domain; VC API "verify presentation" options). Every credential inside is verified with the
same pipeline as a credential on its own (`vc.verify.verify_credential`). A presentation may also come
as a JWT (`vc.presentation_jwt`): the same report, with the holder's JWS in place of the embedded proof.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_to_bytes

from schemas.loader import VC_V1_CONTEXT, VC_V2_CONTEXT, OfflineDocumentLoader

from . import data_integrity
from .did_key import VerificationMethod
from .errors import (
    MALFORMED_VALUE_ERROR,
    PARSING_ERROR,
    ParsingError,
    SignatureError,
    UnsupportedError,
    VcError,
)
from .fields import types_of
from .keys import KeyType, PrivateKey, multibase_encode_base58btc
from .parsing import ORDINARY_LIMITS, Limits, check_depth, check_json_value
from .ports import AUTHENTICATION, KeyResolver
from .presentation_jwt import decode_presentation_jwt, verify_presentation_jwt
from .presentation_report import (
    HolderBinding,
    PresentationCheck,
    PresentationCheckId,
    PresentationReport,
    SubjectMatch,
    holder_binding,
)
from .proof_set import ProofSetResult, proof_state, verify_each_proof
from .report import Outcome, ProofOutcome, ProofResult, ProofState
from .verify import Ports, verify_credential

__all__ = [
    "MAX_CREDENTIALS",
    "HolderBinding",
    "PresentationCheck",
    "PresentationCheckId",
    "PresentationReport",
    "SubjectMatch",
    "sign_presentation",
    "verify_presentation",
    "verify_presentation_proof",
]

log = logging.getLogger(__name__)

PRESENTATION_TYPE = "VerifiablePresentation"
_JWT_SUITE = "VP-JWT"  # how the report names the holder's JWS (VC DM 1.1 §6.3.1) as a proof
ENVELOPED_CREDENTIAL_TYPE = "EnvelopedVerifiableCredential"
MAX_CREDENTIALS = 64  # a passport shares a handful; each one is a full verification


def sign_presentation(
    presentation: Mapping[str, Any],
    key: PrivateKey,
    verification_method: str,
    created: datetime,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> dict[str, Any]:
    """Add the holder's ``eddsa-rdfc-2022`` authentication proof to a copy of the presentation.

    Raises `ParsingError` when the presentation is not a JSON object that JSON carries faithfully
    (`vc.parsing.check_json_value`) or an option is not a string, and `JsonLdError` when it cannot be
    canonicalised losslessly.
    """
    if not isinstance(presentation, Mapping):
        raise ParsingError("a presentation is a JSON object")
    options = {"verification_method": verification_method, "challenge": challenge, "domain": domain}
    for name, value in options.items():
        if not isinstance(value, str) and (name == "verification_method" or value is not None):
            raise ParsingError(f"the presentation proof's {name} must be a string")
        check_json_value(value, f"the {name}")
    check_json_value(presentation, "the presentation")
    if key.key_type is not KeyType.ED25519:
        raise UnsupportedError(f"{data_integrity.CRYPTOSUITE} needs an Ed25519 key, not {key.key_type}")
    unsecured = {name: value for name, value in presentation.items() if name != "proof"}
    proof: dict[str, Any] = {
        "type": data_integrity.PROOF_TYPE,
        "created": data_integrity.format_created(created),
        "verificationMethod": verification_method,
        "cryptosuite": data_integrity.CRYPTOSUITE,
        "proofPurpose": AUTHENTICATION,
    }
    if challenge is not None:
        proof["challenge"] = challenge
    if domain is not None:
        proof["domain"] = domain
    signature = key.sign(data_integrity.hash_inputs(unsecured, proof, loader, signing=True).hash_data)
    proof["proofValue"] = multibase_encode_base58btc(signature)
    return {**unsecured, "proof": proof}


def _holder_id(presentation: Mapping[str, Any]) -> str | None:
    holder = presentation.get("holder")
    value = holder.get("id") if isinstance(holder, Mapping) else holder
    return value if isinstance(value, str) else None


def _well_formed(presentation: Any) -> None:
    """VC DM 2.0 §5.3: the envelope every later step relies on."""
    if not isinstance(presentation, Mapping):
        raise ParsingError("a presentation must be a JSON object")
    check_depth(presentation)
    context = presentation.get("@context")
    if not isinstance(context, list) or not context or context[0] not in (VC_V2_CONTEXT, VC_V1_CONTEXT):
        raise ParsingError(f"@context must be a list starting with {VC_V2_CONTEXT}")
    if PRESENTATION_TYPE not in types_of(presentation):
        raise ParsingError(f"type must include {PRESENTATION_TYPE}")
    if "holder" in presentation and _holder_id(presentation) is None:
        raise ParsingError("holder must be a URL or an object with an id")


def _check_challenge_and_domain(proof: Mapping[str, Any], challenge: str | None, domain: str | None) -> None:
    if challenge is not None and proof.get("challenge") != challenge:
        raise SignatureError("the presentation was not made for this challenge")
    if domain is not None:
        domains = proof.get("domain")
        domains = domains if isinstance(domains, list) else [domains]
        if domain not in domains:
            raise SignatureError("the presentation was not made for this domain")


def verify_presentation_proof(
    presentation: Mapping[str, Any],
    resolver: KeyResolver,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> VerificationMethod:
    """The holder's proof: returns the verification method that signed, or raises `VcError`.

    Every proof of the set is checked, as for a credential (`vc.proof_set`, VC Data Integrity 1.0 §4.5):
    one that verifies is needed, and one that was checked and does not verify fails the set. When the
    presentation names a ``holder``, the signing key must be controlled by that holder.
    """
    result = _holder_proofs(presentation, resolver, challenge, domain, loader)
    if result.problem is not None or result.method is None:
        raise result.problem or SignatureError("the presentation's proof does not verify")
    return result.method


def _holder_jwt(
    report: PresentationReport,
    token: str,
    ports: Ports,
    now: datetime,
    challenge: str | None,
    domain: str | None,
) -> VerificationMethod:
    """The holder's JWS (`vc.presentation_jwt`), recorded as the presentation's one proof."""
    kid = decode_presentation_jwt(token).header["kid"][:500]
    try:
        _, method = verify_presentation_jwt(token, ports.resolver, now, challenge=challenge, domain=domain)
    except VcError as error:
        result = ProofResult(_JWT_SUITE, proof_state(error), error.message, kid)
        report.proof = ProofOutcome(result.state, None, (result,))
        raise
    result = ProofResult(_JWT_SUITE, ProofState.VERIFIED, "Verified.", kid)
    report.proof = ProofOutcome(ProofState.VERIFIED, _JWT_SUITE, (result,))
    return method


def _holder_proofs(
    presentation: Mapping[str, Any],
    resolver: KeyResolver,
    challenge: str | None,
    domain: str | None,
    loader: OfflineDocumentLoader | None,
) -> ProofSetResult:
    _well_formed(presentation)
    holder = _holder_id(presentation)

    def verify(proof: Mapping[str, Any]) -> VerificationMethod:
        # Cheap checks first: nothing is resolved or canonicalised for a proof we would refuse anyway.
        _check_challenge_and_domain(proof, challenge, domain)
        method = data_integrity.verify_proof(
            presentation, proof, resolver, expected_purpose=AUTHENTICATION, loader=loader
        )
        if holder is not None and method.controller != holder:
            raise SignatureError(
                f"the presentation is signed by {method.controller}, not by its holder {holder}"
            )
        return method

    return verify_each_proof(presentation, verify, controller=holder, noun="presentation")


def _credentials_of(presentation: Mapping[str, Any]) -> list[Mapping[str, Any] | str]:
    """``verifiableCredential``: objects with embedded proofs, VC-JWT strings (VC 1.1 presentations),
    or ``EnvelopedVerifiableCredential`` objects with a ``data:application/vc+jwt,`` URL (VC DM 2.0 §4.13)."""
    value = presentation.get("verifiableCredential")
    items = [] if value is None else value if isinstance(value, list) else [value]
    if len(items) > MAX_CREDENTIALS:
        raise ParsingError(f"a presentation may carry at most {MAX_CREDENTIALS} credentials")
    credentials: list[Mapping[str, Any] | str] = []
    for item in items:
        if isinstance(item, Mapping) and ENVELOPED_CREDENTIAL_TYPE in types_of(item):
            credentials.append(_enveloped(item.get("id")))
        elif isinstance(item, (Mapping, str)):
            credentials.append(item)
        else:
            raise ParsingError("each verifiableCredential must be an object or a VC-JWT string")
    return credentials


def _enveloped(data_url: Any) -> str:
    prefixes = ("data:application/vc+jwt,", "data:application/jwt,", "data:application/vc-ld+jwt,")
    if not isinstance(data_url, str) or not data_url.startswith(prefixes):
        raise ParsingError("an EnvelopedVerifiableCredential's id must be a data:application/vc+jwt URL")
    try:
        return unquote_to_bytes(data_url.partition(",")[2]).decode("ascii")
    except UnicodeDecodeError:
        raise ParsingError("the enveloped VC-JWT is not ASCII") from None


def verify_presentation(
    presentation: Any,
    ports: Ports,
    now: datetime,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    limits: Limits = ORDINARY_LIMITS,
) -> PresentationReport:
    """Verify the holder's proof, then each credential inside. Never raises for a bad presentation.

    `presentation` is a JSON object with an embedded proof, or a compact JWS (`vc.presentation_jwt`).
    `limits` bound each credential inside as `vc.verify.verify_credential`'s do (smaller ones for an
    anonymous caller).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    report = PresentationReport(checked_at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    try:
        _run(report, presentation, ports, now, challenge, domain, limits)
    except Exception as error:  # a bug, or a port that raised: reported as a failure, never as a pass
        log.exception("presentation verification failed unexpectedly")
        done = {check.id for check in report.checks}
        pending = next((check_id for check_id in PresentationCheckId if check_id not in done), None)
        message = f"The presentation could not be checked ({type(error).__name__})."
        report.checks.append(
            PresentationCheck(pending or PresentationCheckId.CREDENTIALS, Outcome.FAILED, message)
        )
    return report


def _run(
    report: PresentationReport,
    presentation: Any,
    ports: Ports,
    now: datetime,
    challenge: str | None,
    domain: str | None,
    limits: Limits = ORDINARY_LIMITS,
) -> None:
    try:
        document = (
            decode_presentation_jwt(presentation).presentation
            if isinstance(presentation, str)
            else presentation
        )
        _well_formed(document)
        credentials = _credentials_of(document)
    except VcError as error:
        report.checks.append(
            PresentationCheck(PresentationCheckId.WELL_FORMED, Outcome.FAILED, error.message, PARSING_ERROR)
        )
        return
    report.checks.append(
        PresentationCheck(PresentationCheckId.WELL_FORMED, Outcome.PASSED, "The presentation is well-formed.")
    )
    report.holder = _holder_id(document)
    try:
        if isinstance(presentation, str):
            method = _holder_jwt(report, presentation, ports, now, challenge, domain)
        else:
            result = _holder_proofs(document, ports.resolver, challenge, domain, ports.loader)
            report.proof = result.outcome
            if result.problem is not None or result.method is None:
                raise result.problem or SignatureError("the presentation's proof does not verify")
            method = result.method
    except VcError as error:
        report.checks.append(
            PresentationCheck(PresentationCheckId.PROOF, Outcome.FAILED, error.message, error.problem_type)
        )
        return  # a presentation nobody is proven to hold vouches for none of its credentials
    report.verification_method = method.id
    report.holder = report.holder or method.controller
    replay = "" if challenge is not None else " No challenge was requested, so it could be a replay."
    report.checks.append(
        PresentationCheck(
            PresentationCheckId.PROOF,
            Outcome.PASSED if challenge is not None else Outcome.WARNING,
            f"The holder {report.holder} signed the presentation.{replay}",
        )
    )
    report.credentials = [
        verify_credential(credential, ports, now, limits=limits) for credential in credentials
    ]
    report.holder_bindings = [holder_binding(report.holder, result) for result in report.credentials]
    failing = [str(index + 1) for index, result in enumerate(report.credentials) if not result.verified]
    if failing:
        report.checks.append(
            PresentationCheck(
                PresentationCheckId.CREDENTIALS,
                Outcome.FAILED,
                f"Credential {', '.join(failing)} of {len(credentials)} did not verify.",
                MALFORMED_VALUE_ERROR,
            )
        )
    else:
        report.checks.append(
            PresentationCheck(
                PresentationCheckId.CREDENTIALS,
                Outcome.PASSED,
                f"All {len(credentials)} credentials verified." if credentials else "No credentials inside.",
            )
        )
