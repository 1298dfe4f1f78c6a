"""Providers: the list (with a search), onboarding, a provider's page (its accreditations and staff)
and editing its details. Assessors read these pages; only operator administrators change anything. A
provider is suspended by suspending its accreditation (`accreditations`): that is what verifiers act
on (`network.trust`)."""

from typing import Annotated, Any

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from core.deps import NowDep, SessionDep
from core.web import ShowPage
from issuers import identity
from issuers import service as issuers_service
from issuers.api_models import IssuerCreate, IssuerUpdate
from issuers.deps import ConfigDep
from issuers.staff import accounts
from issuers.staff.roles import Role
from issuers.staff.web import OperatorFormVisitor as FormVisitor
from issuers.staff.web import OperatorVisitor as Visitor
from issuers.staff.web import StaffVisitor, page, redirect
from network import trust

from .common import P, TrustConfigDep, done, field_errors, pages_router, templates

router = pages_router()
Text = Annotated[str, Form(max_length=2000)]
PROVIDER_FIELDS = ("name", "url", "ukprn", "logo_url", "contact_email", "description")


def _matches(provider: Any, query: str) -> bool:
    wanted = query.casefold()
    values = (provider.name, provider.url, provider.ukprn or "", provider.contact_email or "")
    return any(wanted in value.casefold() for value in values)


@router.get(f"{P}/providers")
def provider_list(
    request: Request, who: Visitor, session: SessionDep, config: TrustConfigDep
) -> HTMLResponse:
    who.require(request, Role.ASSESSOR)
    query = request.query_params.get("q", "").strip()[:200]
    providers = [row for row in issuers_service.list_issuers(session) if not query or _matches(row, query)]
    everything = trust.list_accreditations(session)
    states = {row.issuer_id: row.state for row in everything if row.state != "withdrawn"}
    ours = identity.issuer_did(config.base_url, "")
    elsewhere = [row for row in everything if not row.issuer_id.startswith(ours)]
    if query:
        elsewhere = [row for row in elsewhere if query.casefold() in f"{row.name} {row.issuer_id}".casefold()]
    return page(
        request,
        who,
        "operator_providers.html",
        using=templates,
        providers=providers,
        query=query,
        elsewhere=elsewhere,
        state_of={p.id: states.get(identity.issuer_did(config.base_url, p.id)) for p in providers},
        done=done(request),
    )


def _provider_form(
    request: Request,
    who: StaffVisitor,
    status_code: int = 200,
    *,
    provider: Any = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    if values is None:
        values = {name: getattr(provider, name) or "" for name in PROVIDER_FIELDS} if provider else {}
        values["suspension_enabled"] = bool(provider and provider.suspension_enabled)
    return page(
        request,
        who,
        "operator_provider_form.html",
        status_code,
        using=templates,
        provider=provider,
        values=values,
        errors=errors or {},
    )


@router.get(f"{P}/providers/new")
def new_provider(request: Request, who: Visitor) -> HTMLResponse:
    who.require(request, Role.OPERATOR_ADMIN)
    return _provider_form(request, who)


def _provider_values(
    name: str, url: str, ukprn: str, logo_url: str, contact_email: str, description: str, suspension: str
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": name.strip(),
        "url": url.strip(),
        "ukprn": ukprn.strip() or None,
        "logo_url": logo_url.strip() or None,
        "contact_email": contact_email.strip() or None,
        "description": description.strip() or None,
    }
    values["suspension_enabled"] = suspension == "on"
    return values


@router.post(f"{P}/providers")
def create_provider(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
    name: Text = "",
    url: Text = "",
    ukprn: Text = "",
    logo_url: Text = "",
    contact_email: Text = "",
    description: Text = "",
    suspension_enabled: Text = "",
) -> Response:
    who.require(request, Role.OPERATOR_ADMIN)
    values = _provider_values(name, url, ukprn, logo_url, contact_email, description, suspension_enabled)
    try:
        data = IssuerCreate.model_validate(values)
    except ValidationError as error:
        shown = {key: value or "" for key, value in values.items()}
        raise ShowPage(_provider_form(request, who, 422, values=shown, errors=field_errors(error))) from None
    provider, secret = issuers_service.create_issuer(session, config, data, now)
    response = page(
        request,
        who,
        "operator_provider_created.html",
        201,
        using=templates,
        provider=provider,
        api_key=secret,
        did=identity.issuer_did(config.base_url, provider.id),
    )
    response.headers["Cache-Control"] = "no-store"  # the API key is shown once
    return response


@router.get(f"{P}/providers/{{provider_id}}")
def provider_page(
    request: Request, provider_id: str, who: Visitor, session: SessionDep, config: TrustConfigDep
) -> HTMLResponse:
    who.require(request, Role.ASSESSOR)
    provider = issuers_service.get_issuer(session, provider_id)
    did = identity.issuer_did(config.base_url, provider.id)
    return page(
        request,
        who,
        "operator_provider.html",
        using=templates,
        provider=provider,
        did=did,
        accreditations=list(reversed(trust.list_accreditations(session, issuer_id=did))),
        staff=accounts.list_staff(session, provider.id),
        done=done(request),
    )


@router.get(f"{P}/providers/{{provider_id}}/edit")
def edit_provider(request: Request, provider_id: str, who: Visitor, session: SessionDep) -> HTMLResponse:
    who.require(request, Role.OPERATOR_ADMIN)
    return _provider_form(request, who, provider=issuers_service.get_issuer(session, provider_id))


@router.post(f"{P}/providers/{{provider_id}}/edit")
def save_provider(
    request: Request,
    provider_id: str,
    who: FormVisitor,
    session: SessionDep,
    name: Text = "",
    url: Text = "",
    ukprn: Text = "",
    logo_url: Text = "",
    contact_email: Text = "",
    description: Text = "",
    suspension_enabled: Text = "",
) -> Response:
    who.require(request, Role.OPERATOR_ADMIN)
    provider = issuers_service.get_issuer(session, provider_id)
    values = _provider_values(name, url, ukprn, logo_url, contact_email, description, suspension_enabled)
    try:
        data = IssuerUpdate.model_validate(values)
    except ValidationError as error:
        shown = {key: value or "" for key, value in values.items()}
        raise ShowPage(
            _provider_form(request, who, 422, provider=provider, values=shown, errors=field_errors(error))
        ) from None
    issuers_service.update_issuer(session, provider.id, data)
    return redirect(f"{P}/providers/{provider.id}?done=provider-saved")
