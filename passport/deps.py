"""Who is calling the passport API: a learner's bearer token (``lt_...``), nothing else."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from core.clients import client_address
from core.deps import NowDep, SessionDep
from core.i18n import gettext
from core.problems import Unauthorized
from core.services import provide
from passport.accounts import accounts
from passport.config import PassportConfig
from passport.models import Learner

get_passport_config = provide(PassportConfig)


def current_learner(request: Request, session: SessionDep, now: NowDep) -> Learner:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(gettext("send Authorization: Bearer <learner token>"))
    return accounts.authenticate_token(session, token.strip(), now)


PassportConfigDep = Annotated[PassportConfig, Depends(get_passport_config)]
ClientDep = Annotated[str, Depends(client_address)]
CurrentLearner = Annotated[Learner, Depends(current_learner)]
