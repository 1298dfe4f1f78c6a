"""Who is acting in this request: set once by the dependency that authenticated the caller, read by
the services that write the audit trail (`issuers.staff.audit`) in the same transaction.

The actor rides on the request's database session (``Session.info``), which every dependency and the
route share, so a service needs no extra argument and work done outside a request (the CLI, demo data)
is the ``system``'s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

__all__ = ["SYSTEM", "Actor", "acting_as", "actor_of"]

ActorKind = Literal["staff", "api_key", "operator", "system"]
_KEY = "core.actor"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str | None
    label: str


SYSTEM = Actor("system", None, "system")


def acting_as(session: Session, actor: Actor) -> None:
    session.info[_KEY] = actor


def actor_of(session: Session) -> Actor:
    found = session.info.get(_KEY)
    return found if isinstance(found, Actor) else SYSTEM
