"""Ports: what the verifier needs from the world, passed in rather than reached for.

A :class:`KeyResolver` turns a proof's ``verificationMethod`` into a key. The pure ones live here;
the service adds a database-backed resolver for its own issuers and a bounded did:web fetcher.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from vc.did_key import VerificationMethod, resolve_did_key
from vc.errors import KeyResolutionError

__all__ = ["ChainResolver", "DidKeyResolver", "KeyResolver", "StaticResolver"]


class KeyResolver(Protocol):
    def resolve(self, verification_method_id: str) -> VerificationMethod:
        """Return the verification method, or raise :class:`~vc.errors.KeyResolutionError`."""
        ...


class DidKeyResolver:
    """Resolves did:key URLs only: pure and offline."""

    def resolve(self, verification_method_id: str) -> VerificationMethod:
        return resolve_did_key(verification_method_id)


class ChainResolver:
    """Delegates by prefix, first match wins, e.g. ``{"did:key:": DidKeyResolver(), "did:web:": …}``."""

    def __init__(self, resolvers: Mapping[str, KeyResolver]) -> None:
        self._resolvers = tuple(resolvers.items())

    def resolve(self, verification_method_id: str) -> VerificationMethod:
        for prefix, resolver in self._resolvers:
            if verification_method_id.startswith(prefix):
                return resolver.resolve(verification_method_id)
        scheme = verification_method_id.split("#", 1)[0]
        scheme = ":".join(scheme.split(":", 2)[:2]) if scheme.startswith("did:") else scheme.split(":", 1)[0]
        raise KeyResolutionError(f"unsupported DID method or URL scheme {scheme[:32]!r}")


class StaticResolver:
    """A fixed set of verification methods looked up by exact id (tests, the service's own issuers)."""

    def __init__(self, methods: Iterable[VerificationMethod]) -> None:
        self._methods: dict[str, VerificationMethod] = {}
        for method in methods:
            if method.id in self._methods:
                raise ValueError(f"duplicate verification method id {method.id!r}")
            self._methods[method.id] = method

    def resolve(self, verification_method_id: str) -> VerificationMethod:
        try:
            return self._methods[verification_method_id]
        except KeyError:
            raise KeyResolutionError(
                f"verification method not found: {verification_method_id[:200]!r}"
            ) from None
