"""Who is calling the issuer API (a provider's API key) and the issuers' configuration."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from core.deps import NowDep, SessionDep, bearer_token

from . import service
from .models import Issuer


def get_config(request: Request) -> service.IssuerConfig:
    config: service.IssuerConfig = request.app.state.issuer_config
    return config


def current_issuer(request: Request, session: SessionDep, now: NowDep) -> Issuer:
    return service.authenticate(session, bearer_token(request), now)


ConfigDep = Annotated[service.IssuerConfig, Depends(get_config)]
CurrentIssuer = Annotated[Issuer, Depends(current_issuer)]
