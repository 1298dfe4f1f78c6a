"""Errors raised by the credential core.

Every error carries a stable ``code`` and, where one applies, the VC Data Model 2.0 §7.2 problem type it
maps to, so the verifier's report and the API's problem+json can say the same thing.

    VcError
    ├── ParsingError              input is not JSON / not a JWS / too large / too deep
    ├── JsonLdError               a document whose every statement cannot be signed (`reason`: a `Refusal`)
    ├── SchemaError               fails the 1EdTech JSON Schema or a rule the schema cannot express
    ├── InvalidKeyError           unusable key material (wrong length or curve, private part in a public JWK)
    ├── KeyResolutionError        a verification method cannot be resolved (unknown DID method, not found)
    ├── UnsupportedError          cryptosuite, proof type or JWS algorithm not on the allow-list
    ├── SignatureError            the proof or signature does not verify
    ├── BakingError               not a PNG/SVG, a corrupt or oversized image, no credential baked in
    └── NotEmbeddableError        a held credential that a CLR 2.0 cannot carry (VC 1.1, JWT-only, no proof)
"""

from __future__ import annotations

from enum import StrEnum

# VC Data Model 2.0 §7.2 problem details types.
PARSING_ERROR = "https://www.w3.org/TR/vc-data-model#PARSING_ERROR"
CRYPTOGRAPHIC_SECURITY_ERROR = "https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR"
MALFORMED_VALUE_ERROR = "https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR"
RANGE_ERROR = "https://www.w3.org/TR/vc-data-model#RANGE_ERROR"


class VcError(Exception):
    """Base class of every error the credential core raises on purpose."""

    code = "vc_error"
    problem_type = MALFORMED_VALUE_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ParsingError(VcError):
    code = "parsing_error"
    problem_type = PARSING_ERROR


class Refusal(StrEnum):
    """Why a JSON-LD document is refused rather than canonicalised: stable values a caller can show or
    match on (`vc.jsonld` explains each)."""

    INVALID_JSON_LD = (
        "invalid_json_ld"  # JSON-LD 1.1 says the document is an error (pyld's code in the message)
    )
    NO_CONTEXT = "no_context"
    UNKNOWN_CONTEXT = "unknown_context"
    INLINE_CONTEXT = "inline_context"
    UNDEFINED_TERM = "undefined_term"
    RELATIVE_IRI = "relative_iri"
    ILL_FORMED_IRI = "ill_formed_iri"
    BLANK_NODE_IDENTIFIER = "blank_node_identifier"
    BLANK_NODE_PREDICATE = "blank_node_predicate"
    DIRECTION = "direction"
    ILL_FORMED_LANGUAGE_TAG = "ill_formed_language_tag"
    NOT_UNICODE = "not_unicode"
    # When signing: what other implementations canonicalise differently (see `vc.jsonld_rdf`, `vc.jsonld`).
    NUMBER_NOT_INTEROPERABLE = "number_not_interoperable"
    NONCHARACTER = "noncharacter"  # U+FFFE / U+FFFF
    CODE_POINT_ORDER = "code_point_order"  # sorted differently by code point and by UTF-16 unit
    REPEATED_EMPTY_LIST = "repeated_empty_list"
    TOO_MANY_STATEMENTS = "too_many_statements"
    TOO_COMPLEX = "too_complex"


class JsonLdError(VcError):
    code = "jsonld_error"
    problem_type = MALFORMED_VALUE_ERROR

    def __init__(self, message: str, reason: Refusal = Refusal.INVALID_JSON_LD) -> None:
        super().__init__(message)
        self.reason = reason


class SchemaError(VcError):
    code = "schema_error"
    problem_type = MALFORMED_VALUE_ERROR


class InvalidKeyError(VcError):
    code = "invalid_key"
    problem_type = CRYPTOGRAPHIC_SECURITY_ERROR


class KeyResolutionError(VcError):
    code = "key_resolution_error"
    problem_type = CRYPTOGRAPHIC_SECURITY_ERROR


class UnsupportedError(VcError):
    code = "unsupported"
    problem_type = CRYPTOGRAPHIC_SECURITY_ERROR


class SignatureError(VcError):
    code = "invalid_signature"
    problem_type = CRYPTOGRAPHIC_SECURITY_ERROR


class BakingError(VcError):
    """A baked badge image (OB 3.0 §Baking) cannot be read or written; the message says why."""

    code = "baking_error"
    problem_type = PARSING_ERROR


class NotEmbeddableError(VcError):
    """A credential cannot go into a CLR 2.0 ``ClrSubject.verifiableCredential`` as it is (`vc.clr`)."""

    code = "not_embeddable"
    problem_type = MALFORMED_VALUE_ERROR
