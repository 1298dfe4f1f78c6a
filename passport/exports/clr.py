"""CLR 2.0 export: the learner's passport, or a selection of it, as one signed ``ClrCredential``
(`vc.clr.build_clr`, `vc.clr.sign_clr`; CLR 2.0 §B.1).

The publisher (the CLR's ``issuer``) is the network operator (`network.operator`: its did:web DID
and Ed25519 key, encrypted at rest), which vouches only that these credentials were held in this
passport and were issued to this learner; each bundled credential keeps its own issuer's proof and
verifies on its own. The learner is named by a salted hash of the primary address, never the address
itself. So the operator signs only credentials issued to one of the learner's verified addresses
(`passport.holder_binding`): someone else's credential, or one whose recipient cannot be confirmed, is
left out of a whole-passport export and refused in a selection (422). A selection is ``partial``; so is
a whole passport that holds credentials a CLR cannot embed (VC-JWT without an embedded proof, VC 1.1)
or that were not issued to the learner, which are left out (`omit_not_embeddable`).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import Field
from sqlalchemy.orm import Session

from core.deps import NowDep, SessionDep
from core.i18n import gettext, ngettext
from core.problems import NotFound, Unauthorized, ValidationFailed, problem_responses
from core.services import services_of
from issuers import identity
from network import operator
from network.trust import TrustConfig
from passport import credentials
from passport.accounts import addresses
from passport.api_models import StrictVerbatim
from passport.deps import CurrentLearner
from passport.holder_binding import Recipient
from passport.models import Learner
from schemas.models import IdentityObject
from vc.clr import SignedClr, build_clr, sign_clr
from vc.errors import NotEmbeddableError

api = APIRouter(prefix="/api/v1/passport", tags=["passport"], responses=problem_responses(Unauthorized))


def passport_clr(
    session: Session, config: TrustConfig, learner: Learner, credential_ids: list[str] | None, now: datetime
) -> SignedClr:
    if credential_ids is None:
        held = credentials.items(session, learner, now)
        chosen = [entry for entry in held if entry.recipient is Recipient.HOLDER]
        left_out = len(chosen) < len(held)
    else:
        try:
            chosen = [
                credentials.item(session, learner, credential_id, now) for credential_id in credential_ids
            ]
        except NotFound:
            raise NotFound(
                gettext("A chosen credential is not in your passport: nothing was exported.")
            ) from None
        others = [entry.id for entry in chosen if entry.recipient is not Recipient.HOLDER]
        if others:
            message = ngettext(
                "The network operator signs a record of credentials issued to you only: %(num)d chosen"
                " credential was not issued to one of your confirmed addresses.",
                "The network operator signs a record of credentials issued to you only: %(num)d chosen"
                " credentials were not issued to one of your confirmed addresses.",
                len(others),
            )
            raise ValidationFailed(message, [{"loc": ["credential_ids"], "msg": f"not yours: {others}"}])
        left_out = False
    primary = next((row.email for row in addresses.list_addresses(session, learner) if row.is_primary), None)
    key_row = operator.operator_key(session, config, now)
    did = operator.operator_did(config.base_url)
    publisher = {"id": did, "type": ["Profile"], "name": config.operator_name}
    try:
        clr = build_clr(
            [entry.credential.signed_document() for entry in chosen],
            id=f"urn:uuid:{uuid.uuid4()}",
            name="Comprehensive Learner Record",
            publisher=publisher,
            now=now,
            identifiers=[IdentityObject.hashed_email(primary)] if primary else [],
            learner_id=None if primary else f"urn:uuid:{learner.id}",
            partial=credential_ids is not None or left_out,
            omit_not_embeddable=True,
        )
    except NotEmbeddableError as error:
        raise ValidationFailed(error.message, [{"loc": ["credential_ids"], "msg": error.message}]) from None
    private = config.keystore.open(key_row.encrypted_private_key, key_row.id)
    return sign_clr(clr, private, identity.verification_method_id(did, key_row), now)


def _response(signed: SignedClr) -> Response:
    if isinstance(signed.credential, str):
        return Response(signed.credential, media_type="application/vc+jwt")
    return Response(json.dumps(signed.credential), media_type="application/vc")


class ClrSelection(StrictVerbatim):
    credential_ids: list[str] = Field(min_length=1, max_length=2000)


CLR_PROBLEMS = problem_responses(NotFound, ValidationFailed)


@api.get("/clr", response_class=Response, responses=CLR_PROBLEMS)
def whole_passport(request: Request, learner: CurrentLearner, session: SessionDep, now: NowDep) -> Response:
    """The whole passport as a CLR 2.0 ``ClrCredential`` signed by the network operator."""
    return _response(passport_clr(session, services_of(request.app).get(TrustConfig), learner, None, now))


@api.post("/clr", response_class=Response, responses=CLR_PROBLEMS)
def selection(
    body: ClrSelection, request: Request, learner: CurrentLearner, session: SessionDep, now: NowDep
) -> Response:
    """A selection of your credentials as a ``partial`` CLR (any credential not yours is 404)."""
    if len(set(body.credential_ids)) != len(body.credential_ids):
        errors: list[dict[str, Any]] = [{"loc": ["credential_ids"], "msg": "duplicate"}]
        raise ValidationFailed(gettext("A credential is listed twice."), errors)
    return _response(
        passport_clr(session, services_of(request.app).get(TrustConfig), learner, body.credential_ids, now)
    )
