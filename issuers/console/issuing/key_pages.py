"""``/console/keys`` (administrators): the provider's API keys (list, create — the secret shown once —,
revoke after a confirmation) and signing keys (list, rotate after a confirmation that explains the effect:
credentials already issued stay verifiable, because a retired key stays published in the DID document).
The API's services do the work and write the audit trail as they do for the API."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.problems import NotFound
from issuers import identity, service
from issuers.deps import ConfigDep
from issuers.models import ApiKey, Issuer
from issuers.staff.roles import Role
from issuers.staff.web import ConsoleFormVisitor as FormVisitor
from issuers.staff.web import ConsoleRoute, StaffVisitor, page, redirect
from issuers.staff.web import ConsoleVisitor as Visitor
from vc.keys import KeyType

from .web import P, provider, templates

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

#: What each key type signs, for the page (the API's `service.KEY_TYPES`).
KEY_USES = {
    KeyType.ED25519.value: N_("Data Integrity proofs (credentials issued as JSON)"),
    KeyType.RSA.value: N_("VC-JWT credentials (RS256)"),
    KeyType.P256.value: N_("VC-JWT credentials (ES256)"),
}
DONE = {
    "revoked": N_("API key revoked. Anything still using it is refused from now on."),
    "rotated": N_("Signing key rotated. New credentials are signed with the new key."),
}


def _key_type(value: str) -> KeyType:
    try:
        key_type = KeyType(value)
    except ValueError:
        raise NotFound(gettext("no such key type")) from None
    if key_type not in service.KEY_TYPES:
        raise NotFound(gettext("no such key type"))
    return key_type


def _api_key(session: SessionDep, issuer: Issuer, key_id: str) -> ApiKey:
    for key in service.list_api_keys(session, issuer):
        if key.id == key_id:
            return key
    raise NotFound(gettext("no API key %(id)r", id=key_id[:40]))


def _keys_page(
    request: Request,
    who: StaffVisitor,
    session: SessionDep,
    config: ConfigDep,
    new_secret: str | None = None,
    new_label: str | None = None,
) -> HTMLResponse:
    issuer = provider(request, who, session, Role.ADMIN)
    did = service.did_of(config, issuer.id)
    signing = [
        (key, identity.verification_method_id(did, key), gettext(KEY_USES.get(key.key_type, "")))
        for key in service.signing_keys(session, issuer.id)
    ]
    done = DONE.get(request.query_params.get("done", ""))
    return page(
        request,
        who,
        "keys.html",
        using=templates,
        api_keys=service.list_api_keys(session, issuer),
        signing_keys=signing,
        key_types=[key_type.value for key_type in service.KEY_TYPES],
        new_secret=new_secret,
        new_label=new_label,
        did=did,
        done=gettext(done) if done else None,
    )


@router.get(f"{P}/keys")
def keys(request: Request, who: Visitor, session: SessionDep, config: ConfigDep) -> HTMLResponse:
    return _keys_page(request, who, session, config)


@router.post(f"{P}/keys/api")
def create_api_key(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
    label: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """The page with the new key's secret, shown this once (the page is never cached)."""
    issuer = provider(request, who, session, Role.ADMIN)
    _, secret = service.create_api_key(session, issuer, label.strip() or None, now)
    return _keys_page(request, who, session, config, new_secret=secret, new_label=label.strip())


@router.get(f"{P}/keys/api/{{api_key_id}}/revoke")
def revoke_api_key_form(request: Request, api_key_id: str, who: Visitor, session: SessionDep) -> HTMLResponse:
    issuer = provider(request, who, session, Role.ADMIN)
    return page(request, who, "key_revoke.html", using=templates, key=_api_key(session, issuer, api_key_id))


@router.post(f"{P}/keys/api/{{key_id}}/revoke")
def revoke_api_key(
    request: Request, key_id: str, who: FormVisitor, session: SessionDep, now: NowDep
) -> Response:
    issuer = provider(request, who, session, Role.ADMIN)
    service.revoke_api_key(session, issuer, key_id, now)
    return redirect(f"{P}/keys?done=revoked")


@router.get(f"{P}/keys/signing/rotate")
def rotate_form(request: Request, who: Visitor, session: SessionDep) -> HTMLResponse:
    """The confirmation, for the key type in ``?key_type=``."""
    issuer = provider(request, who, session, Role.ADMIN)
    chosen = _key_type(request.query_params.get("key_type", ""))
    active = [
        key
        for key in service.signing_keys(session, issuer.id)
        if key.key_type == chosen.value and key.retired_at is None
    ]
    return page(
        request,
        who,
        "key_rotate.html",
        using=templates,
        key_type=chosen.value,
        use=gettext(KEY_USES[chosen.value]),
        active=active,
    )


@router.post(f"{P}/keys/signing/rotate")
def rotate(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
    key_type: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    issuer = provider(request, who, session, Role.ADMIN)
    service.rotate_key(session, config, issuer, _key_type(key_type), now)
    return redirect(f"{P}/keys?done=rotated")
