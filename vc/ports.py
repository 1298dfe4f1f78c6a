"""Ports: what the verifier needs from the world, passed in rather than reached for (`Ports`).

A :class:`KeyResolver` turns a proof's ``verificationMethod`` into a key. The pure ones live here;
the service adds a database-backed resolver for its own issuers and a bounded did:web fetcher. A
:class:`StatusSource` looks a ``credentialStatus`` entry up (`vc.status_sources`), and an
:class:`IssuerRegistry` says what the quality-assurance scheme thinks of an issuer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from schemas.loader import OfflineDocumentLoader
from vc.did_key import VerificationMethod, resolve_did_key
from vc.errors import KeyResolutionError
from vc.report import Trust

__all__ = [
    "ASSERTION_METHOD",
    "AUTHENTICATION",
    "ChainResolver",
    "DidKeyResolver",
    "IssuerRegistry",
    "KeyResolver",
    "Ports",
    "StaticResolver",
    "StatusResult",
    "StatusSource",
    "TrustDecision",
    "resolve_for",
]

# Verification relationships (DID Core §5.3): what a proof's ``proofPurpose`` asks of its key.
ASSERTION_METHOD = "assertionMethod"  # credentials (and status lists) are assertions
AUTHENTICATION = "authentication"  # a holder's proof on a presentation


class KeyResolver(Protocol):
    def resolve(self, verification_method_id: str, purpose: str = ASSERTION_METHOD) -> VerificationMethod:
        """Return the verification method, or raise :class:`~vc.errors.KeyResolutionError`.

        `purpose` is the verification relationship the key must be listed under in its controller's
        document (``assertionMethod`` for a credential's proof, ``authentication`` for a presentation's).
        """
        ...


def resolve_for(resolver: KeyResolver, verification_method_id: str, purpose: str) -> VerificationMethod:
    """Ask `resolver` for a key for `purpose`. For ``assertionMethod`` (the default) the purpose is left
    out, so a resolver written before purposes existed, taking only the id, keeps working for credentials."""
    if purpose == ASSERTION_METHOD:
        return resolver.resolve(verification_method_id)
    return resolver.resolve(verification_method_id, purpose)


class DidKeyResolver:
    """Resolves did:key URLs only: pure and offline. A did:key's one key serves every purpose."""

    def resolve(self, verification_method_id: str, purpose: str = ASSERTION_METHOD) -> VerificationMethod:
        return resolve_did_key(verification_method_id)


class ChainResolver:
    """Delegates by prefix, first match wins, e.g. ``{"did:key:": DidKeyResolver(), "did:web:": …}``."""

    def __init__(self, resolvers: Mapping[str, KeyResolver]) -> None:
        self._resolvers = tuple(resolvers.items())

    def resolve(self, verification_method_id: str, purpose: str = ASSERTION_METHOD) -> VerificationMethod:
        for prefix, resolver in self._resolvers:
            if verification_method_id.startswith(prefix):
                return resolve_for(resolver, verification_method_id, purpose)
        scheme = verification_method_id.split("#", 1)[0]
        scheme = ":".join(scheme.split(":", 2)[:2]) if scheme.startswith("did:") else scheme.split(":", 1)[0]
        raise KeyResolutionError(f"unsupported DID method or URL scheme {scheme[:32]!r}")


class StaticResolver:
    """A fixed set of verification methods looked up by exact id, for any purpose (tests)."""

    def __init__(self, methods: Iterable[VerificationMethod]) -> None:
        self._methods: dict[str, VerificationMethod] = {}
        for method in methods:
            if method.id in self._methods:
                raise ValueError(f"duplicate verification method id {method.id!r}")
            self._methods[method.id] = method

    def resolve(self, verification_method_id: str, purpose: str = ASSERTION_METHOD) -> VerificationMethod:
        try:
            return self._methods[verification_method_id]
        except KeyError:
            raise KeyResolutionError(
                f"verification method not found: {verification_method_id[:200]!r}"
            ) from None


@dataclass(frozen=True)
class StatusResult:
    purpose: str  # "revocation" | "suspension" | ...
    is_set: bool  # True: the credential is revoked / suspended
    message: str
    since: datetime | None = None  # when the status took effect, where the source knows it


class StatusSource(Protocol):
    def check(self, entry: Mapping[str, Any], credential: Mapping[str, Any], now: datetime) -> StatusResult:
        """Look the entry up; raise `VcError` when the status cannot be established (fail closed)."""
        ...


@dataclass(frozen=True)
class TrustDecision:
    trust: Trust
    message: str
    issuer_name: str | None = None  # from the registry, never from the credential
    issuer_logo: str | None = None  # a logo URL, from the registry too
    #: The issuer is the scheme's own operator (its documents, its endorsements), not a provider.
    scheme_operator: bool = False


class IssuerRegistry(Protocol):
    def decide(self, issuer_id: str, credential: Mapping[str, Any], now: datetime) -> TrustDecision: ...


@dataclass(frozen=True)
class Ports:
    """The world `vc.verify.verify_credential` sees: keys, status, trust, and the contexts it may load."""

    resolver: KeyResolver
    status: StatusSource | None = None
    registry: IssuerRegistry | None = None
    loader: OfflineDocumentLoader | None = None
