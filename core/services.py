"""The app's long-lived services, typed: the composition root builds each once and adds it to `Services`;
routes get one by its class through a dependency, and tests read them the same way.

    VerifierDep = Annotated[Verifier, Depends(provide(Verifier))]   # in a domain
    services_of(app).get(Database).sessions                         # in a test

A service is registered under its own class, so `get` returns exactly that type (no ``app.state``
attribute read without a type). Ports a domain defines as protocols reach it inside a concrete service of
its own (e.g. `passport.config.PassportPorts`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Database", "OperatorSessions", "OperatorToken", "Services", "Site", "provide", "services_of"]

Service = TypeVar("Service")


class Services:
    """Services by class: one of each."""

    def __init__(self) -> None:
        self._by_class: dict[type[Any], Any] = {}

    def add(self, service: Service) -> Service:
        """Register `service` under its class; a second of the same class is a wiring mistake."""
        if type(service) in self._by_class:
            raise ValueError(f"a {type(service).__name__} is registered already")
        self._by_class[type(service)] = service
        return service

    def replace(self, service: Service) -> Service:
        """Swap the registered service of this class (tests: a cheaper password hasher, a fake clock)."""
        if type(service) not in self._by_class:
            raise LookupError(f"no {type(service).__name__} to replace")
        self._by_class[type(service)] = service
        return service

    def get(self, kind: type[Service]) -> Service:
        try:
            found: Service = self._by_class[kind]
        except KeyError:
            raise LookupError(f"no {kind.__name__} was registered: see server.app.create_app") from None
        return found


def services_of(app: object) -> Services:
    """The services `server.app.create_app` put on the app."""
    services = getattr(getattr(app, "state", None), "services", None)
    if not isinstance(services, Services):
        raise LookupError("this app has no services: build it with server.app.create_app")
    return services


def provide(kind: type[Service]) -> Callable[[Request], Service]:
    """A FastAPI dependency that gives the app's `kind` service."""

    def dependency(request: Request) -> Service:
        return services_of(request.app).get(kind)

    dependency.__name__ = f"provide_{kind.__name__}"
    return dependency


@dataclass(frozen=True)
class Database:
    """The engine and the factory of sessions (one transaction per request: `core.deps.SessionDep`)."""

    engine: Engine
    sessions: sessionmaker[Session]


@dataclass(frozen=True)
class Site:
    """What every part of the site shares: its public base URL and the largest request body accepted."""

    base_url: str
    max_body_bytes: int


@dataclass(frozen=True)
class OperatorToken:
    """The network operator's bearer token (never shown: the repr hides it)."""

    value: str

    def __repr__(self) -> str:
        return "OperatorToken(<hidden>)"


@dataclass(frozen=True)
class OperatorSessions:
    """The operator's staff calling the operator API with their /operator session cookie instead of the
    token (wired by the composition root: `issuers.staff.access.operator_member`). ``check(request,
    session, now)`` is False without a session cookie, True for a signed-in member whose role allows the
    call (CSRF header checked for a change), and raises the problem otherwise."""

    check: Callable[[Request, Session, datetime], bool]
