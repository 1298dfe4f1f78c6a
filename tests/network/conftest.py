"""The network's tests use the verification tests' app (a fake web for other issuers) and fixtures."""

from tests.verification.conftest import client, college, provider, web

__all__ = ["client", "college", "provider", "web"]
