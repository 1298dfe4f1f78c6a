"""Who is calling the issuer API (a provider's API key, or its staff signed in to the console), and the
issuers' services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from core.actors import acting_as
from core.deps import NowDep, SessionDep, bearer_token
from core.services import provide

from . import service
from .bulk import JobWorker
from .models import Issuer
from .staff.access import api_key_actor, console_member


def current_issuer(request: Request, session: SessionDep, now: NowDep) -> Issuer:
    """The provider of the API key sent (``Authorization: Bearer``); without one, of the console
    session's staff member, within their role (`issuers.staff.access`)."""
    if not request.headers.get("authorization"):
        member = console_member(request, session, now)
        if member is not None and member.provider_id is not None:
            return service.get_issuer(session, member.provider_id)
    issuer, key = service.authenticate_key(session, bearer_token(request), now)
    acting_as(session, api_key_actor(key.id, key.label))
    return issuer


ConfigDep = Annotated[service.IssuerConfig, Depends(provide(service.IssuerConfig))]
JobsDep = Annotated[JobWorker, Depends(provide(JobWorker))]
CurrentIssuer = Annotated[Issuer, Depends(current_issuer)]
