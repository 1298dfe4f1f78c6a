"""Request and response shapes of the verification API (W3C VC API "verify credential / presentation").

Requests are parsed by `vc.parsing.parse_json` (size and depth limits, duplicate keys refused: two
parsers picking different duplicates would verify different credentials), then checked against these
models. Responses are the reports' own JSON (`vc.report`, `vc.presentation_report`); the models below
document them in OpenAPI, every field of them (a test compares the two).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class CredentialVerifyOptions(BaseModel):
    """No options are supported yet; an unknown option is refused rather than silently not enforced."""

    model_config = ConfigDict(extra="forbid")


class CredentialVerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verifiableCredential: dict[str, Any] | str = Field(
        description="A credential with an embedded proof (JSON object), or a compact VC-JWT string."
    )
    options: CredentialVerifyOptions = Field(default_factory=CredentialVerifyOptions)


class PresentationVerifyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    challenge: str | None = Field(
        default=None, max_length=1024, description="The presentation's proof must carry this challenge."
    )
    domain: str | None = Field(
        default=None, max_length=1024, description="The presentation's proof must carry this domain."
    )


class PresentationVerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verifiablePresentation: dict[str, Any] | str = Field(
        description="A presentation with the holder's Data Integrity proof (eddsa-rdfc-2022, "
        "authentication), or a presentation JWT (VC DM 1.1 vp claim; nonce = challenge, aud = domain)."
    )
    options: PresentationVerifyOptions = Field(default_factory=PresentationVerifyOptions)


class CheckOut(BaseModel):
    id: str = Field(description="Stable id, e.g. proof, status, issuer_trust.")
    outcome: Literal["passed", "failed", "warning", "skipped"]
    message: str = Field(description="Plain English, for people: programs read the fields below instead.")
    problemType: str | None = Field(default=None, description="VC Data Model 2.0 §7.2 type on failure.")
    details: dict[str, Any] | None = None


ProofState = Literal["verified", "invalid", "unsupported", "key_unresolved", "not_checked"]


class ProofResultOut(BaseModel):
    suite: str = Field(description='e.g. "Data Integrity eddsa-rdfc-2022", "Ed25519Signature2020", "VC-JWT"')
    state: ProofState = Field(
        description="verified; invalid (altered, malformed, or not by that key); unsupported (a suite, "
        "algorithm or key type not used here); key_unresolved; not_checked (an earlier check failed)"
    )
    verificationMethod: str | None
    message: str


class ProofOut(BaseModel):
    """The proof, or proof set (VC Data Integrity 1.0 §2.1.2), as data."""

    state: ProofState
    suite: str | None = Field(description="The suite of the proof the report relies on")
    proofs: list[ProofResultOut] = Field(description="Every proof, in document order")


class StatusOut(BaseModel):
    """The credential's status (Bitstring Status List 1.0 words where it has them)."""

    state: Literal["valid", "revoked", "suspended", "flagged", "unknown", "none", "not_checked"] = Field(
        description="valid: checked now, neither revoked nor suspended; flagged: set for another purpose; "
        "unknown: could not be established; none: no status entry (it cannot be revoked); not_checked: "
        "an earlier check failed"
    )
    purpose: str | None = Field(description="statusPurpose of the entry that decided, e.g. revocation")
    date: str | None = Field(description="When the status took effect, where the source says (UTC)")


class ValidityOut(BaseModel):
    """The validity period against the verifier's clock (VC Data Model 2.0 §4.9)."""

    state: Literal["current", "expired", "not_yet_valid", "not_checked"]
    date: str | None = Field(description="The date that decided: when it expired, or becomes valid")
    validFrom: str | None = Field(description="The bound that applies (the latest of validFrom/issuanceDate)")
    validUntil: str | None = Field(
        description="The bound that applies (the earliest of validUntil/expirationDate)"
    )


class EndorsementOut(BaseModel):
    """An endorsement the credential embeds (OB 3.0 EndorsementCredential), verified on its own: data, not
    a check of the credential."""

    where: Literal["achievement", "credential", "issuer"] = Field(
        description="Whose endorsement property holds it"
    )
    state: Literal[
        "verified", "revoked", "suspended", "expired", "not_yet_valid", "not_verified", "unchecked"
    ] = Field(description="verified: genuine, current and not revoked; revoked: e.g. a withdrawn approval")
    id: str | None
    endorser: str | None = Field(description="The endorsement's issuer id")
    endorserName: str | None = Field(description="The trust registry's name for the endorser")
    schemeOperator: bool = Field(description="The endorser is the quality-assurance scheme's operator")
    subject: str | None = Field(description="What it endorses (credentialSubject.id)")
    endorsesThis: bool = Field(description="It endorses what it is embedded in")
    name: str | None
    comment: str | None = Field(description="endorsementComment")
    validFrom: str | None
    statusDate: str | None


class ApprovalOut(BaseModel):
    """Whether the achievement is approved under the network's scheme (`network.verdict.approval_of`):
    a separate answer from ``trust``, which is about the provider."""

    state: Literal["approved", "withdrawn", "not_approved", "not_trusted"] = Field(
        description="approved: the operator's endorsement verifies; withdrawn: the operator revoked it "
        "(the credential itself is unaffected); not_trusted: endorsements there, none the operator's"
    )
    scheme: str | None
    date: str | None = Field(description="When it was approved (or withdrawn, when known)")
    endorser: str | None


class CredentialVerificationOut(BaseModel):
    verified: bool
    format: Literal["ldp", "jwt"] | None
    issuer: str | None = Field(description="The issuer id the credential names (a claim, not a name)")
    verificationMethod: str | None
    trust: Literal["accredited", "outside_scheme", "not_trustworthy"] | None = Field(
        description="The trust registry's answer; null when no registry was consulted."
    )
    checkedAt: str
    proof: ProofOut
    status: StatusOut
    validity: ValidityOut
    endorsements: list[EndorsementOut] = Field(description="Embedded endorsements, each verified")
    approval: ApprovalOut | None = Field(
        default=None, description="The achievement's approval under the scheme (credential endpoints)"
    )
    checks: list[CheckOut]
    errors: list[CheckOut]
    warnings: list[CheckOut]


class HolderBindingOut(BaseModel):
    """Whether the presentation's proven holder is a credential's subject (VC DM 2.0 §1.2: usually, not
    always; a parent may hold a child's credential): data, not a failure."""

    subject: Literal["holder", "not_holder", "unknown"] = Field(
        description="holder: the holder is the credential's subject; not_holder: the credential names "
        "someone else; unknown: it names no subject id, or it is not shown to be its issuer's"
    )
    subjectIds: list[str] = Field(description="credentialSubject ids, as the credential names them")


class PresentationVerificationOut(BaseModel):
    verified: bool
    holder: str | None
    verificationMethod: str | None
    checkedAt: str
    proof: ProofOut = Field(description="The holder's proof(s)")
    holderIsSubject: bool = Field(
        description="The holder was shown to be the subject of every credential presented"
    )
    holderBindings: list[HolderBindingOut] = Field(description="One per credential, in order")
    checks: list[CheckOut]
    errors: list[CheckOut]
    warnings: list[CheckOut]
    credentialResults: list[CredentialVerificationOut]
