"""Request and response shapes of the verification API (W3C VC API "verify credential / presentation").

Requests are parsed by `vc.parsing.parse_json` (size and depth limits, duplicate keys refused: two
parsers picking different duplicates would verify different credentials), then checked against these
models. Responses are the reports' own JSON; the models below document them in OpenAPI.
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
    message: str = Field(description="Plain English.")
    problemType: str | None = Field(default=None, description="VC Data Model 2.0 §7.2 type on failure.")
    details: dict[str, Any] | None = None


class CredentialVerificationOut(BaseModel):
    verified: bool
    format: Literal["ldp", "jwt"] | None
    issuer: str | None
    verificationMethod: str | None
    trust: Literal["accredited", "outside_scheme", "not_trustworthy"] | None = Field(
        description="The trust registry's answer; null when no registry was consulted."
    )
    checkedAt: str
    checks: list[CheckOut]
    errors: list[CheckOut]
    warnings: list[CheckOut]


class PresentationVerificationOut(BaseModel):
    verified: bool
    holder: str | None
    verificationMethod: str | None
    checkedAt: str
    checks: list[CheckOut]
    errors: list[CheckOut]
    warnings: list[CheckOut]
    credentialResults: list[CredentialVerificationOut]
