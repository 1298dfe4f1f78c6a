"""Who is calling the issuer API (a provider's API key), and the issuers' services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from core.deps import NowDep, SessionDep, bearer_token
from core.services import provide

from . import service
from .bulk import JobWorker
from .models import Issuer


def current_issuer(request: Request, session: SessionDep, now: NowDep) -> Issuer:
    return service.authenticate(session, bearer_token(request), now)


ConfigDep = Annotated[service.IssuerConfig, Depends(provide(service.IssuerConfig))]
JobsDep = Annotated[JobWorker, Depends(provide(JobWorker))]
CurrentIssuer = Annotated[Issuer, Depends(current_issuer)]
