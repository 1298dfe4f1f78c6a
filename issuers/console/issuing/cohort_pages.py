"""``/console/cohorts``: upload a cohort file, preview every row (problems first, in pages), confirm it
into a bulk job, watch its progress (the page follows the job, `core/static/live-page.js`), and read or
download its results. The jobs list is on the upload page."""

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse

from core.deps import NowDep, SessionDep
from core.i18n import gettext
from core.problems import BadRequest, Conflict, NotFound, PayloadTooLarge, Problem, ValidationFailed
from core.web import PAGE_HEADERS, ShowPage
from issuers import bulk, issuing
from issuers.deps import ConfigDep, JobsDep
from issuers.reports import listing
from issuers.staff.roles import Role
from issuers.staff.web import ConsoleFormVisitor as FormVisitor
from issuers.staff.web import ConsoleRoute, StaffVisitor, page, redirect
from issuers.staff.web import ConsoleVisitor as Visitor

from . import cohorts
from .plain import plain
from .web import P, page_number, provider, templates

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
RESULTS_PAGE = 100


def _cohorts_page(
    request: Request,
    who: StaffVisitor,
    session: SessionDep,
    config: ConfigDep,
    status_code: int = 200,
    error: Problem | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    issuer = provider(request, who, session, Role.ISSUER)
    cursor = request.query_params.get("after")
    jobs = listing.list_jobs(session, issuer, limit=20, cursor=cursor[:200] if cursor else None)
    names = dict(cohorts.issuable_achievements(session, issuer))
    return page(
        request,
        who,
        "cohorts.html",
        status_code,
        using=templates,
        achievements=list(names.items()),
        names=names,
        jobs=jobs,
        error=error,
        problem_type=f"{config.base_url}/problems/{error.slug}" if error else None,
        values=values or {"format": "ldp"},
        max_bytes=cohorts.MAX_UPLOAD_BYTES,
        max_rows=bulk.MAX_ROWS,
    )


@router.get(f"{P}/cohorts")
def cohorts_page(request: Request, who: Visitor, session: SessionDep, config: ConfigDep) -> HTMLResponse:
    return _cohorts_page(request, who, session, config)


@router.get(f"{P}/cohorts/template.csv")
def template_csv(request: Request, who: Visitor, session: SessionDep) -> Response:
    provider(request, who, session, Role.ISSUER)
    return Response(
        cohorts.TEMPLATE_CSV,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="cohort-template.csv"'},
    )


@router.post(f"{P}/cohorts")
def upload(
    request: Request,
    who: FormVisitor,
    session: SessionDep,
    config: ConfigDep,
    now: NowDep,
    file: Annotated[UploadFile | None, File()] = None,
    achievement_id: Annotated[str, Form(max_length=64)] = "",
    format: Annotated[Literal["ldp", "jwt"], Form()] = "ldp",
) -> Response:
    """Keep the file and show its preview; a file that is no cohort at all is refused here, on the form."""
    issuer = provider(request, who, session, Role.ISSUER)
    values = {"achievement_id": achievement_id, "format": format}
    try:
        if file is None or not file.filename:
            raise BadRequest(gettext("Choose a file to upload."))
        content = file.file.read(cohorts.MAX_UPLOAD_BYTES + 1)
        staged = cohorts.stage(session, issuer, achievement_id, format, file.filename, content, now)
    except (BadRequest, PayloadTooLarge, NotFound, Conflict, ValidationFailed) as problem:
        raise ShowPage(
            _cohorts_page(request, who, session, config, problem.status, problem, values)
        ) from None
    return redirect(f"{P}/cohorts/uploads/{staged.id}")


@router.get(f"{P}/cohorts/uploads/{{upload_id}}")
def preview(
    request: Request, upload_id: str, who: Visitor, session: SessionDep, config: ConfigDep, now: NowDep
) -> Response:
    issuer = provider(request, who, session, Role.ISSUER)
    staged = cohorts.get_upload(session, issuer, upload_id)
    if staged.bulk_job_id is not None:
        return redirect(f"{P}/cohorts/jobs/{staged.bulk_job_id}")
    shown = cohorts.preview_page(session, config, issuer, staged, page_number(request), now)
    return page(
        request,
        who,
        "cohort_preview.html",
        using=templates,
        upload=staged,
        shown=shown,
        achievement_name=cohorts.achievement_name(session, issuer, staged.achievement_id),
        plain=plain,
    )


@router.post(f"{P}/cohorts/uploads/{{upload_id}}/confirm")
def confirm(
    request: Request,
    upload_id: str,
    who: FormVisitor,
    session: SessionDep,
    config: ConfigDep,
    jobs: JobsDep,
    now: NowDep,
) -> Response:
    """Issue the cohort as a job (once, however often this is sent)."""
    issuer = provider(request, who, session, Role.ISSUER)
    job = cohorts.confirm(session, config, issuer, upload_id, now)
    jobs.wake()
    return redirect(f"{P}/cohorts/jobs/{job.id}")


@router.get(f"{P}/cohorts/jobs/{{job_id}}")
def job_page(
    request: Request, job_id: str, who: Visitor, session: SessionDep, config: ConfigDep
) -> HTMLResponse:
    issuer = provider(request, who, session, Role.ISSUER)
    job = bulk.get_job(session, issuer, job_id)
    number = page_number(request)
    rows = cohorts.results(
        session, issuer, job, after_row=(number - 1) * RESULTS_PAGE, limit=RESULTS_PAGE + 1
    )
    running = job.state in ("pending", "running")
    return page(
        request,
        who,
        "cohort_job.html",
        using=templates,
        job=job,
        achievement_name=cohorts.achievement_name(session, issuer, job.achievement_id),
        rows=rows[:RESULTS_PAGE],
        page_number=number,
        more=len(rows) > RESULTS_PAGE,
        running=running,
        percent=(100 * job.done // job.total) if job.total else 100,
        base_url=config.base_url,
        credential_url=issuing.credential_url,
    )


@router.get(f"{P}/cohorts/jobs/{{job_id}}/results.csv")
def results_csv(
    request: Request, job_id: str, who: Visitor, session: SessionDep, config: ConfigDep
) -> Response:
    issuer = provider(request, who, session, Role.ISSUER)
    job = bulk.get_job(session, issuer, job_id)
    return Response(
        cohorts.results_csv(config, session, issuer, job),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="cohort-{job.id}-results.csv"',
            "Cache-Control": PAGE_HEADERS["Cache-Control"],
        },
    )
