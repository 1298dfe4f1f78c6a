"""The provider console's achievements (``/console/achievements``): the list (active and archived), create,
edit, archive and restore, a preview as learners and employers see it, and the badge image (upload a PNG
or SVG, or design one here).

Viewers read; issuers (and administrators) change. Every change goes through the same services as the API
(`issuers.service`, `issuers.achievements`): an edit makes the next version, and credentials already
issued keep the version they were issued with. The edit form carries the version it was opened at, so an
edit made meanwhile (by someone else, or through the API) is never silently overwritten: the form says so
and shows the current version."""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations when they are added.
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, Response, UploadFile
from fastapi.responses import HTMLResponse

from core.deps import NowDep, SessionDep
from core.i18n import N_, gettext
from core.problems import Conflict, Problem, ValidationFailed
from core.web import ShowPage, Templates
from issuers import achievements, badge_design, images, issuing, service
from issuers.api_models import AchievementUpdate
from issuers.deps import ConfigDep
from issuers.models import Achievement, Issuer
from issuers.pages import facts_of
from issuers.staff import audit
from issuers.staff.roles import Role, allows
from issuers.staff.web import (
    CONSOLE,
    TEMPLATES_FOLDER,
    ConsoleRoute,
    StaffVisitor,
    done_message,
    page,
    redirect,
)
from issuers.staff.web import ConsoleFormVisitor as FormVisitor
from issuers.staff.web import ConsoleVisitor as Visitor

from . import forms

__all__ = ["UPLOAD_PATH", "router", "too_large_form"]

P = f"{CONSOLE.prefix}/achievements"
#: The upload's one path (the achievement is in the query), so the body limit can answer an oversized
#: upload with a page (`too_large_form`, registered by the composition root).
UPLOAD_PATH = f"{P}/image-upload"

templates = Templates(
    Path(__file__).parent / "templates",
    also=[TEMPLATES_FOLDER, Path(__file__).parents[2] / "templates"],  # issuers/templates
)

#: Messages after a redirect, chosen by a fixed code: nothing from the URL is echoed into the page.
DONE = {
    "created": N_("Achievement created."),
    "saved": N_(
        "Changes saved as a new version. Credentials already issued keep the version they were issued with."
    ),
    "unchanged": N_("Nothing was changed."),
    "archived": N_("Achievement archived: nothing more can be issued with it."),
    "restored": N_("Achievement restored: it can be issued again."),
    "image": N_("Badge image saved. Credentials issued from now on show it."),
    "default-image": N_("The achievement now uses the default badge."),
}


router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


def _provider(request: Request, who: StaffVisitor, session: SessionDep, role: Role) -> Issuer:
    member = who.require(request, role)
    assert member.provider_id is not None  # the console's realm has only providers' staff
    return service.get_issuer(session, member.provider_id)


def _show(
    request: Request, who: StaffVisitor, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return page(
        request, who, template, status_code, using=templates, done=done_message(request, DONE), **context
    )


def _badge_url(achievement: Achievement) -> str | None:
    image = achievement.definition.get("image")
    return images.image_path(achievement.id, image) if image else None


def _can_edit(who: StaffVisitor) -> bool:
    return who.member is not None and allows(who.member.role, Role.ISSUER)


def _form_context(session: SessionDep, config: ConfigDep) -> dict[str, Any]:
    return {
        "kinds": forms.KINDS,
        "communities": list(config.communities.community_names(session)),
        "alignment_rows": forms.ALIGNMENT_ROWS,
    }


# --- the list ---------------------------------------------------------------------------------------------


@router.get(P)
def achievement_list(request: Request, who: Visitor, session: SessionDep) -> HTMLResponse:
    issuer = _provider(request, who, session, Role.VIEWER)
    every = service.list_achievements(session, issuer)
    rows = [({"achievement": a, "badge": _badge_url(a)}, a.archived_at is not None) for a in every]
    return _show(
        request,
        who,
        "console_achievement_list.html",
        active=[row for row, archived in rows if not archived],
        archived=[row for row, archived in rows if archived],
        kinds=forms.KINDS,
        can_edit=_can_edit(who),
    )


# --- create -----------------------------------------------------------------------------------------------


@router.get(f"{P}/new")
def new_form(request: Request, who: Visitor, session: SessionDep, config: ConfigDep) -> HTMLResponse:
    _provider(request, who, session, Role.ISSUER)
    return _show(
        request,
        who,
        "console_achievement_form.html",
        values={"kind": "course"},
        errors={},
        achievement=None,
        **_form_context(session, config),
    )


@router.post(f"{P}/new")
async def create(
    request: Request, who: FormVisitor, session: SessionDep, config: ConfigDep, now: NowDep
) -> Response:
    issuer = _provider(request, who, session, Role.ISSUER)
    form = await request.form()
    try:
        achievement = service.create_achievement(session, config, issuer, forms.read_create(form), now)
    except ValidationFailed as problem:
        raise ShowPage(
            _show(
                request,
                who,
                "console_achievement_form.html",
                422,
                values=_kept(form),
                errors=forms.errors_of(problem),
                achievement=None,
                **_form_context(session, config),
            )
        ) from None
    audit.record(
        session,
        "achievement.create",
        "achievement",
        achievement.id,
        now,
        provider_id=issuer.id,
        after={"name": achievement.definition["name"], "kind": achievement.kind},
    )
    return redirect(f"{P}/{achievement.id}?done=created")


def _kept(form: Any) -> dict[str, str]:
    """The values sent, to show the form again with them."""
    return {key: value for key, value in form.items() if isinstance(value, str) and key != "csrf_token"}


# --- one achievement ----------------------------------------------------------------------------------------


@router.get(f"{P}/{{achievement_id}}")
def detail(
    request: Request, achievement_id: str, who: Visitor, session: SessionDep, config: ConfigDep
) -> HTMLResponse:
    issuer = _provider(request, who, session, Role.VIEWER)
    achievement = service.get_achievement(session, issuer, achievement_id)
    return _show(
        request,
        who,
        "console_achievement_detail.html",
        achievement=achievement,
        facts=achievement.definition,
        kinds=forms.KINDS,
        badge=_badge_url(achievement),
        public_url=service.achievement_url(config, achievement),
        versions=achievements.versions(session, achievement),
        can_edit=_can_edit(who),
    )


@router.get(f"{P}/{{achievement_id}}/edit")
def edit_form(
    request: Request, achievement_id: str, who: Visitor, session: SessionDep, config: ConfigDep
) -> HTMLResponse:
    issuer = _provider(request, who, session, Role.ISSUER)
    achievement = service.get_achievement(session, issuer, achievement_id)
    return _edit_page(
        request,
        who,
        session,
        config,
        achievement,
        forms.form_values(achievement.definition, achievement.kind),
    )


def _edit_page(
    request: Request,
    who: StaffVisitor,
    session: SessionDep,
    config: ConfigDep,
    achievement: Achievement,
    values: dict[str, str],
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    conflict: str | None = None,
) -> HTMLResponse:
    return _show(
        request,
        who,
        "console_achievement_form.html",
        status_code,
        values=values,
        errors=errors or {},
        achievement=achievement,
        conflict=conflict,
        **_form_context(session, config),
    )


@router.post(f"{P}/{{achievement_id}}/edit")
async def edit(
    request: Request,
    achievement_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
) -> Response:
    issuer = _provider(request, who, session, Role.ISSUER)
    achievement = service.get_achievement(session, issuer, achievement_id)
    form = await request.form()
    values = _kept(form) | {"kind": achievement.kind}
    if str(form.get("version", "")) != str(achievement.version):
        # Edited meanwhile: show the current version, and say so, rather than overwrite it.
        current = forms.form_values(achievement.definition, achievement.kind)
        message = gettext(
            "Someone changed this achievement while you were editing it (it is now version %(version)d). "
            "The form shows the current version: make your changes again.",
            version=achievement.version,
        )
        raise ShowPage(_edit_page(request, who, session, config, achievement, current, 409, conflict=message))
    before = achievement.version
    try:
        more = achievement.definition.get("alignments", [])[forms.ALIGNMENT_ROWS :]
        achievements.update_achievement(session, config, achievement, forms.read_update(form, more), now)
    except ValidationFailed as problem:
        raise ShowPage(
            _edit_page(request, who, session, config, achievement, values, 422, forms.errors_of(problem))
        ) from None
    except Conflict as problem:
        current = forms.form_values(achievement.definition, achievement.kind)
        raise ShowPage(
            _edit_page(request, who, session, config, achievement, current, 409, conflict=problem.detail)
        ) from None
    if achievement.version == before:
        return redirect(f"{P}/{achievement.id}?done=unchanged")
    audit.record(
        session,
        "achievement.update",
        "achievement",
        achievement.id,
        now,
        provider_id=issuer.id,
        after={"version": achievement.version},
    )
    return redirect(f"{P}/{achievement.id}?done=saved")


@router.post(f"{P}/{{achievement_id}}/archive")
def archive(
    request: Request, achievement_id: str, who: FormVisitor, session: SessionDep, now: NowDep
) -> Response:
    issuer = _provider(request, who, session, Role.ISSUER)
    achievement = service.get_achievement(session, issuer, achievement_id)
    achievements.archive(session, achievement, now)
    audit.record(session, "achievement.archive", "achievement", achievement.id, now, provider_id=issuer.id)
    return redirect(f"{P}/{achievement.id}?done=archived")


@router.post(f"{P}/{{achievement_id}}/restore")
def restore(
    request: Request, achievement_id: str, who: FormVisitor, session: SessionDep, now: NowDep
) -> Response:
    issuer = _provider(request, who, session, Role.ISSUER)
    achievement = service.get_achievement(session, issuer, achievement_id)
    achievements.restore(session, achievement)
    audit.record(session, "achievement.restore", "achievement", achievement.id, now, provider_id=issuer.id)
    return redirect(f"{P}/{achievement.id}?done=restored")


# --- preview ----------------------------------------------------------------------------------------------


@router.get(f"{P}/{{achievement_id}}/preview")
def preview(
    request: Request, achievement_id: str, who: Visitor, session: SessionDep, config: ConfigDep
) -> HTMLResponse:
    """The public achievement page's content (what a credential's link opens) and the achievement as an
    employer checking a credential of it sees it: built from the same OB 3.0 Achievement a credential
    issued now would carry, unsigned, and marked as a preview."""
    issuer = _provider(request, who, session, Role.VIEWER)
    achievement = service.get_achievement(session, issuer, achievement_id)
    did = service.did_of(config, issuer.id)
    model = issuing.credential_parts(config, issuer, did, achievement, session).achievement
    levels = [
        f"{a.target_name}"
        for a in model.alignment
        if a.target_framework and "Framework" in a.target_framework
    ]
    return _show(
        request,
        who,
        "console_achievement_preview.html",
        achievement=achievement,
        facts=facts_of(achievement.definition),
        kind=achievement.kind,
        achievement_type=model.achievement_type,
        version=achievement.version,
        current_version=achievement.version,
        archived=achievement.archived_at is not None,
        provider={"name": issuer.name, "url": issuer.url},
        page_url=model.id,
        image_url=_badge_url(achievement),
        employer={
            "name": model.name,
            "description": model.description,
            "criteria": model.criteria.narrative if model.criteria else None,
            "criteria_url": model.criteria.id if model.criteria else None,
            "levels": levels,
            "credits": model.credits_available,
            "field_of_study": model.field_of_study,
            "alignments": [a for a in model.alignment if a.target_name not in levels],
        },
    )


# --- the badge image --------------------------------------------------------------------------------------


def _design_of(form: Any) -> badge_design.Design:
    """The design the form chose (a value not sent is empty, and `Design.problems` says so)."""

    def pick(name: str) -> str:
        value = form.get(name)
        return value[:200] if isinstance(value, str) else ""

    return badge_design.Design(
        shape=pick("shape"), colours=pick("colours"), icon=pick("icon"), text=pick("text")
    )


def _image_page(
    request: Request,
    who: StaffVisitor,
    achievement: Achievement,
    design: badge_design.Design,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    upload_problem: Problem | None = None,
) -> HTMLResponse:
    return _show(
        request,
        who,
        "console_achievement_image.html",
        status_code,
        achievement=achievement,
        badge=_badge_url(achievement),
        design=design,
        design_svg=badge_design.design_svg(design) if not (errors or design.problems()) else None,
        shapes=badge_design.SHAPES,
        colour_schemes=badge_design.COLOUR_SCHEMES,
        icons=badge_design.ICONS,
        errors=errors or {},
        upload_error=upload_problem.detail if upload_problem else None,
        problem_type=f"{who.config.base_url}/problems/{upload_problem.slug}" if upload_problem else None,
        upload_path=f"{UPLOAD_PATH}?achievement={achievement.id}",
        max_kb=images.MAX_IMAGE_BYTES // 1024,
        max_side=images.MAX_SIDE,
    )


@router.get(f"{P}/{{achievement_id}}/image")
def image_form(request: Request, achievement_id: str, who: Visitor, session: SessionDep) -> HTMLResponse:
    issuer = _provider(request, who, session, Role.ISSUER)
    achievement = service.get_achievement(session, issuer, achievement_id)
    return _image_page(
        request, who, achievement, badge_design.Design(text=achievement.definition["name"][:60])
    )


def _use_image(
    session: SessionDep,
    config: ConfigDep,
    issuer: Issuer,
    achievement: Achievement,
    image: str | None,
    now: NowDep,
) -> Response:
    """The achievement's next version, with this image (None: the default badge)."""
    update = AchievementUpdate.model_validate({"image": image})
    before = achievement.version
    achievements.update_achievement(session, config, achievement, update, now)
    if achievement.version != before:
        audit.record(
            session,
            "achievement.image",
            "achievement",
            achievement.id,
            now,
            provider_id=issuer.id,
            after={"version": achievement.version, "image": image},
        )
    return redirect(f"{P}/{achievement.id}?done={'image' if image else 'default-image'}")


@router.post(f"{P}/{{achievement_id}}/image/design")
async def design(
    request: Request,
    achievement_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
) -> Response:
    """ "Preview" shows the design again, drawn by the server; "Use this badge" stores it and uses it."""
    issuer = _provider(request, who, session, Role.ISSUER)
    achievement = service.get_achievement(session, issuer, achievement_id)
    form = await request.form()
    chosen = _design_of(form)
    errors = chosen.problems()
    if errors or form.get("action") != "use":
        return _image_page(request, who, achievement, chosen, 422 if errors else 200, errors)
    checked = images.checked_image(badge_design.design_svg(chosen).encode())
    row = images.store(session, issuer.id, checked, now)
    return _use_image(session, config, issuer, achievement, row.sha256, now)


@router.post(f"{P}/{{achievement_id}}/image/default")
def default_image(
    request: Request,
    achievement_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
) -> Response:
    issuer = _provider(request, who, session, Role.ISSUER)
    achievement = service.get_achievement(session, issuer, achievement_id)
    return _use_image(session, config, issuer, achievement, None, now)


@router.post(UPLOAD_PATH)
def upload(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
    image: Annotated[UploadFile | None, File()] = None,
) -> Response:
    issuer = _provider(request, who, session, Role.ISSUER)
    achievement_id = request.query_params.get("achievement", "")
    row = service.get_achievement(session, issuer, achievement_id)
    try:
        if image is None or not image.filename:
            raise images.UnsupportedImage(gettext("Choose a PNG or SVG file to upload."))
        checked = images.checked_image(image.file.read(images.MAX_IMAGE_BYTES + 1))
    except Problem as problem:
        design = badge_design.Design(text=row.definition["name"][:60])
        raise ShowPage(
            _image_page(request, who, row, design, problem.status, upload_problem=problem)
        ) from None
    stored = images.store(session, issuer.id, checked, now)
    return _use_image(session, config, issuer, row, stored.sha256, now)


_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def too_large_form(request: Request, max_bytes: int) -> Response:
    """The page for an upload over the service's body limit: refused before it is read."""
    achievement_id = request.query_params.get("achievement", "")
    return templates.render(
        request,
        "console_achievement_too_large.html",
        413,
        visitor=None,
        realm=CONSOLE,
        back=f"{P}/{achievement_id}/image" if _ID.match(achievement_id) else P,
        max_kb=images.MAX_IMAGE_BYTES // 1024,
        limit_mb=max_bytes // (1024 * 1024),
    )
