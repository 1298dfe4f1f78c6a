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
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import Field
from sqlalchemy.orm import Session

from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext, ngettext
from core.problems import NotFound, Unauthorized, ValidationFailed, problem_responses
from core.services import services_of
from issuers import identity
from network import operator
from network.trust import TrustConfig
from passport import credentials
from passport.accounts import addresses
from passport.api_models import StrictVerbatim
from passport.credentials import PassportItem
from passport.deps import CurrentLearner
from passport.holder_binding import Recipient
from passport.models import Learner
from schemas.models import IdentityObject
from vc.clr import SignedClr, build_clr, embeddable_form, sign_clr
from vc.errors import NotEmbeddableError

api = APIRouter(prefix="/api/v1/passport", tags=["passport"], responses=problem_responses(Unauthorized))


class LeftOutReason(StrEnum):
    """Why the whole-passport CLR leaves a credential out (`plan`)."""

    NOT_ISSUED_TO_YOU = "not_issued_to_you"
    RECIPIENT_NOT_CONFIRMED = "recipient_not_confirmed"
    VC_JWT_ONLY = "vc_jwt_only"
    NOT_EMBEDDABLE = "not_embeddable"


REASON_WORDS = {
    LeftOutReason.NOT_ISSUED_TO_YOU: N_(
        "It was issued to someone else (none of your confirmed addresses), and the network operator signs"
        " a record of your own credentials only."
    ),
    LeftOutReason.RECIPIENT_NOT_CONFIRMED: N_(
        "Who it was issued to cannot be confirmed (it does not name one of your confirmed addresses), and"
        " the network operator signs a record of your own credentials only."
    ),
    LeftOutReason.VC_JWT_ONLY: N_(
        "It is secured as a VC-JWT, which a CLR 2.0 cannot carry with its issuer's signature intact."
        " Download it on its own instead: it verifies anywhere."
    ),
    LeftOutReason.NOT_EMBEDDABLE: N_(
        "Its format (for example an older VC 1.1 credential) cannot be carried in a CLR 2.0. Download it"
        " on its own instead."
    ),
}


@dataclass(frozen=True)
class Omission:
    item: PassportItem
    reason: LeftOutReason
    #: The technical reason (English), for the API: e.g. why `vc.clr.embeddable_form` refused it.
    technical: str

    @property
    def words(self) -> str:
        return gettext(REASON_WORDS[self.reason])

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "achievement_name": self.item.credential.achievement_name,
            "source": self.item.source,
            "reason": self.reason.value,
            "detail": self.words,
            "technical_detail": self.technical,
        }


@dataclass(frozen=True)
class ClrPlan:
    """What the whole-passport CLR holds, and what it leaves out and why."""

    included: list[PassportItem]
    left_out: list[Omission]

    def to_json(self) -> dict[str, Any]:
        return {
            "partial": bool(self.left_out),
            "included": [
                {"id": item.id, "achievement_name": item.credential.achievement_name, "source": item.source}
                for item in self.included
            ],
            "left_out": [omission.to_json() for omission in self.left_out],
        }


def _why_not(item: PassportItem) -> Omission | None:
    if item.recipient is Recipient.NOT_HOLDER:
        return Omission(item, LeftOutReason.NOT_ISSUED_TO_YOU, "recipient is not the learner")
    if item.recipient is not Recipient.HOLDER:
        return Omission(item, LeftOutReason.RECIPIENT_NOT_CONFIRMED, "recipient cannot be confirmed")
    try:
        embeddable_form(item.credential.signed_document())
    except NotEmbeddableError as error:
        reason = (
            LeftOutReason.VC_JWT_ONLY if item.credential.format == "jwt" else LeftOutReason.NOT_EMBEDDABLE
        )
        return Omission(item, reason, error.message)
    return None


def plan(session: Session, learner: Learner, now: datetime) -> ClrPlan:
    """Which credentials the whole-passport CLR carries: the learner's own, in a form a CLR can embed."""
    included: list[PassportItem] = []
    left_out: list[Omission] = []
    for item in credentials.items(session, learner, now):
        omission = _why_not(item)
        if omission is None:
            included.append(item)
        else:
            left_out.append(omission)
    return ClrPlan(included, left_out)


def passport_clr(
    session: Session,
    config: TrustConfig,
    learner: Learner,
    credential_ids: list[str] | None,
    now: datetime,
    whole: ClrPlan | None = None,
) -> SignedClr:
    """The CLR of ``credential_ids`` (a selection), or of the whole passport (None: `plan`, or ``whole``
    when the caller has it already)."""
    if credential_ids is None:
        whole = whole or plan(session, learner, now)
        if not whole.included:
            raise ValidationFailed(
                gettext(
                    "None of the credentials in your passport can go into a CLR: see what was left out"
                    " and why."
                ),
                [{"loc": [], "msg": "no embeddable credential of the learner's own"}],
            )
        chosen = whole.included
        left_out = bool(whole.left_out)
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
        words = gettext(
            "A chosen credential cannot go into a CLR 2.0 (a credential secured only as a VC-JWT, or an"
            " older VC 1.1 one): download it on its own instead."
        )
        raise ValidationFailed(words, [{"loc": ["credential_ids"], "msg": error.message}]) from None
    private = config.keystore.open(key_row.encrypted_private_key, key_row.id)
    return sign_clr(clr, private, identity.verification_method_id(did, key_row), now)


def _response(signed: SignedClr) -> Response:
    if isinstance(signed.credential, str):
        return Response(signed.credential, media_type="application/vc+jwt")
    return Response(json.dumps(signed.credential), media_type="application/vc")


class ClrSelection(StrictVerbatim):
    credential_ids: list[str] = Field(min_length=1, max_length=2000)


CLR_PROBLEMS = problem_responses(NotFound, ValidationFailed)
CONTENTS = "/api/v1/passport/clr/contents"


@api.get("/clr", response_class=Response, responses=CLR_PROBLEMS)
def whole_passport(request: Request, learner: CurrentLearner, session: SessionDep, now: NowDep) -> Response:
    """The whole passport as a CLR 2.0 ``ClrCredential`` signed by the network operator. What it left
    out (``partial: true``) and why is at ``GET /clr/contents`` (the ``Link`` header, rel
    ``describedby``); the ``Clr-Left-Out`` header counts them."""
    whole = plan(session, learner, now)
    config = services_of(request.app).get(TrustConfig)
    response = _response(passport_clr(session, config, learner, None, now, whole))
    response.headers["Link"] = f'<{CONTENTS}>; rel="describedby"; type="application/json"'
    response.headers["Clr-Left-Out"] = str(len(whole.left_out))
    return response


@api.get("/clr/contents", responses=CLR_PROBLEMS)
def whole_passport_contents(learner: CurrentLearner, session: SessionDep, now: NowDep) -> dict[str, Any]:
    """What the whole-passport CLR holds (``included``) and what it leaves out, each with a ``reason``
    (``not_issued_to_you``, ``recipient_not_confirmed``, ``vc_jwt_only``, ``not_embeddable``), a
    ``detail`` for people and the ``technical_detail``."""
    return plan(session, learner, now).to_json()


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
