"""The ``passport`` command line.

Exit status of ``passport verify``: 0 verified, 1 not verified, 2 the input is unusable (including an image
that is not a PNG or SVG, or holds no baked credential, and a PDF without exactly one attached credential).
"""

from __future__ import annotations

import json
import os
import sys
import time
import tomllib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, session_factory, transaction
from core.services import services_of
from issuers.service import IssuerConfig
from issuers.staff.accounts import StaffConfig
from network.trust import TrustConfig
from passport.accounts.reminders import send_expiry_reminders
from passport.config import PassportConfig
from server import cli_approvals as approvals_cli
from server import cli_bursaries as bursaries_cli
from server import cli_claims as claims_cli
from server import cli_communities as communities_cli
from server import cli_issuers as issuers_cli
from server import cli_pathways as pathways_cli
from server.app import create_app, freeze_heap, issuer_config, passport_config
from server.demo import write_demo
from server.migrate import upgrade
from server.seed import seed_demo, seed_demo_learner, seed_demo_staff
from server.seed_claims import demo_claim_link
from server.seed_partnerships import seed_partnership_staff
from server.settings import ConfigurationError, Settings
from server.workers import PortInUse, serve_workers, uvicorn_options
from vc.baking import MAX_IMAGE_BYTES, image_kind, unbake
from vc.errors import BakingError, VcError
from vc.jwt import looks_like_jwt
from vc.parsing import MAX_DOCUMENT_BYTES, parse_json
from vc.pdf import PdfError, credential_in_pdf, is_pdf
from vc.ports import ChainResolver, DidKeyResolver
from vc.report import CheckId, Outcome, VerificationReport
from vc.verify import Ports, verify_credential
from verification.snapshot import Snapshot, SnapshotError, load_snapshot, take_snapshot

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Skills passport: issue, hold and verify Open Badges 3.0.",
)

EXIT_VERIFIED, EXIT_NOT_VERIFIED, EXIT_UNUSABLE = 0, 1, 2

_SYMBOLS = {Outcome.PASSED: "ok  ", Outcome.FAILED: "FAIL", Outcome.WARNING: "warn", Outcome.SKIPPED: "skip"}


class UnusableInput(Exception):
    """The input is not a credential we can read; the message says why in plain words."""


def read_input(path: str) -> dict[str, Any] | str:
    """Read a credential from a file or standard input: a JSON object, a compact VC-JWT, a baked badge
    (a PNG or SVG image, told apart by its content; a file named .png or .svg must be one), or a PDF
    certificate (the credential attached to it, `vc.pdf`; a file named .pdf must be one)."""
    try:
        raw = sys.stdin.buffer.read(MAX_IMAGE_BYTES + 1) if path == "-" else _read_file(Path(path))
    except OSError as error:
        raise UnusableInput(f"cannot read {path}: {error.strerror or error}") from None
    if is_pdf(raw) or Path(path).suffix.lower() == ".pdf":  # a PDF certificate: its attached credential
        try:
            return credential_in_pdf(raw)
        except PdfError as error:
            raise UnusableInput(f"{path}: {error.message}") from None
    if image_kind(raw) is not None or Path(path).suffix.lower() in (".png", ".svg"):
        try:
            return unbake(raw)
        except BakingError as error:
            raise UnusableInput(f"{path}: {error.message}") from None
    if len(raw) > MAX_DOCUMENT_BYTES * 2:
        raise UnusableInput(f"{path} is larger than {MAX_DOCUMENT_BYTES * 2} bytes")
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise UnusableInput("the input is not UTF-8 text, JSON or a JWT") from None
    if looks_like_jwt(text):
        return text
    offline_link_token = text.partition("#vc=")[2]  # the text of an offline QR code
    if looks_like_jwt(offline_link_token):
        return offline_link_token
    try:
        document = parse_json(text)
    except VcError as error:
        raise UnusableInput(
            f"the input is neither a JSON credential nor a compact JWT: {error.message}"
        ) from None
    if not isinstance(document, dict):
        raise UnusableInput("the input is JSON but not an object, so it is not a credential")
    return document


def _read_file(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise UnusableInput(f"{path} is larger than {MAX_IMAGE_BYTES} bytes")
    return data


def offline_ports() -> Ports:
    """Ports for verifying without a network: did:key issuers resolve from the key itself."""
    return Ports(resolver=ChainResolver({"did:key:": DidKeyResolver()}))


def render(report: VerificationReport) -> str:
    lines = ["Verified" if report.verified else "NOT verified"]
    credential = report.credential or {}
    if credential.get("name"):
        lines.append(f"  Credential: {credential['name']}")
    if report.issuer_id:
        lines.append(f"  Issuer:     {report.issuer_id} (as the credential names it)")
    if report.format:
        lines.append(
            f"  Format:     {'VC-JWT' if report.format == 'jwt' else 'JSON with Data Integrity proof'}"
        )
    lines.append("")
    width = max(len(check.id.value) for check in report.checks)
    for check in report.checks:
        lines.append(f"  [{_SYMBOLS[check.outcome]}] {check.id.value.ljust(width)}  {check.message}")
    return "\n".join(lines)


@app.command()
def verify(
    path: Annotated[
        str,
        typer.Argument(
            help="A JSON credential, a compact VC-JWT (or the text of an offline QR code), a baked badge "
            "(.png or .svg), a PDF certificate with the credential attached, or - for standard input."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            help="Check against a snapshot (`passport snapshot`): its trust list, keys and status lists, "
            "without calling the issuer."
        ),
    ] = None,
) -> None:
    """Verify a credential and print a report."""
    try:
        credential = read_input(path)
        loaded = _load_snapshot(snapshot) if snapshot is not None else None
    except UnusableInput as error:
        typer.echo(f"passport verify: {error}", err=True)
        raise typer.Exit(EXIT_UNUSABLE) from None
    ports = loaded.ports if loaded is not None else offline_ports()
    report = verify_credential(credential, ports, datetime.now(UTC))
    typer.echo(json.dumps(report.to_json(), indent=2) if as_json else render(report))
    if loaded is not None and not as_json:
        typer.echo(
            f"\nChecked against data as of {loaded.taken_at} from {loaded.source} "
            f"(trust list version {loaded.trust_list.version}): anything changed since is not known."
        )
    well_formed = report.check(CheckId.WELL_FORMED)
    if well_formed is not None and well_formed.outcome is Outcome.FAILED:
        raise typer.Exit(EXIT_UNUSABLE)
    raise typer.Exit(EXIT_VERIFIED if report.verified else EXIT_NOT_VERIFIED)


def _load_snapshot(path: Path) -> Snapshot:
    try:
        return load_snapshot(parse_json(_read_file(path)))
    except OSError as error:
        raise UnusableInput(f"cannot read {path}: {error.strerror or error}") from None
    except (VcError, SnapshotError) as error:
        raise UnusableInput(f"{path}: {getattr(error, 'message', error)}") from None


@app.command()
def snapshot(
    url: Annotated[str, typer.Option(help="The service's base URL, e.g. https://passport.example.org")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the snapshot (JSON).")],
    timeout: Annotated[float, typer.Option(help="Seconds per request.")] = 10.0,
) -> None:
    """Download the signed trust list, the providers' keys and the status lists, checked, for
    `passport verify --snapshot` to use offline."""
    base_url = url.rstrip("/")
    with httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False) as client:

        def get_json(path: str) -> Any:
            response = client.get(path)
            if response.status_code != 200:
                raise SnapshotError(f"{base_url}{path} answered {response.status_code}")
            return parse_json(response.content)

        try:
            data = take_snapshot(get_json, base_url, datetime.now(UTC))
        except httpx.HTTPError as error:
            typer.echo(f"passport snapshot: cannot reach {base_url}: {error}", err=True)
            raise typer.Exit(1) from None
        except (SnapshotError, VcError) as error:
            typer.echo(f"passport snapshot: {getattr(error, 'message', error)}", err=True)
            raise typer.Exit(1) from None
    output.write_text(json.dumps(data, indent=1), encoding="utf-8")
    typer.echo(
        f"Snapshot of {base_url} as of {data['takenAt']}: {len(data['didDocuments'])} providers, "
        f"{len(data['statusLists'])} status lists -> {output}"
    )


@app.command()
def demo(
    directory: Annotated[Path, typer.Option(help="Where to write the demo credentials.")] = Path("var/demo"),
) -> None:
    """Issue a demo Open Badges 3.0 credential (JSON and VC-JWT) and verify both."""
    paths = write_demo(directory, datetime.now(UTC))
    for label, path in paths.items():
        report = verify_credential(read_input(str(path)), offline_ports(), datetime.now(UTC))
        typer.echo(f"== {path} ({label})")
        typer.echo(render(report) + "\n")
    typer.echo(f"Try: passport verify {paths['ldp']}   (then edit the file and verify again)")


app.add_typer(issuers_cli.app, name="issuers")
app.add_typer(approvals_cli.app, name="approvals")
app.add_typer(bursaries_cli.app, name="bursaries")
app.add_typer(communities_cli.app, name="communities")
app.add_typer(claims_cli.app, name="claim-codes")
app.add_typer(pathways_cli.app, name="pathways")


def _service_context() -> tuple[Settings, sessionmaker[Session], IssuerConfig]:
    settings = Settings()
    upgrade(settings.database_url)
    sessions = session_factory(make_engine(settings.database_url))
    return settings, sessions, issuer_config(settings, passport_config(settings))


issue_app = typer.Typer(no_args_is_help=True, help="A provider's commands for issuing credentials.")
app.add_typer(issue_app, name="issue")


def follow_bulk_upload(
    client: httpx.Client, path: Path, achievement: str, credential_format: str, poll_seconds: float = 0.5
) -> dict[str, Any]:
    """Upload a cohort file, then follow the job with a progress bar; returns the final job."""
    with path.open("rb") as handle:
        response = client.post(
            "/api/v1/credentials/bulk",
            data={"achievement_id": achievement, "format": credential_format},
            files={"file": (path.name, handle)},
        )
    if response.status_code != 202:
        raise UnusableInput(_problem_text(response))
    job: dict[str, Any] = response.json()
    with typer.progressbar(length=job["total"], label="Issuing", file=sys.stderr) as bar:
        shown = 0
        while True:
            bar.update(job["done"] - shown)
            shown = job["done"]
            if job["state"] in ("done", "failed"):
                return job
            time.sleep(poll_seconds)
            job = client.get(f"/api/v1/jobs/{job['id']}").json()


def _problem_text(response: httpx.Response) -> str:
    try:
        problem = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    lines = [f"{problem.get('title', 'Error')}: {problem.get('detail', '')}"]
    for error in problem.get("errors", [])[:50]:
        where = f"row {error['row']}" if "row" in error else ".".join(map(str, error.get("loc", [])))
        lines.append(f"  {where}: {error.get('field', '')} {error.get('msg', '')}".rstrip())
    return "\n".join(lines)


#: Where `passport issue bulk` finds named profiles: ``[default]`` / ``[name]`` tables of ``api_url`` and,
#: optionally, ``api_key`` (the file then holds a secret: keep it readable by its owner only).
def profiles_file() -> Path:
    override = os.environ.get("PASSPORT_PROFILES_FILE")
    if override:
        return Path(override)
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "passport" / "profiles.toml"


def resolve_api(
    api_url: str | None, api_key: str | None, profile: str | None, environ: Mapping[str, str], profiles: Path
) -> tuple[str, str]:
    """The service's URL and the provider's key, from what the user pointed the command at: ``--api-url``
    (or ``PASSPORT_API_URL``), else ``PASSPORT_BASE_URL``, else the profile (``--profile``, or ``default``
    when the profiles file has one). There is no default URL: a key is sent only to a server named on
    purpose, over https unless that server is on this machine, and a profile's key only to its URL."""
    chosen: dict[str, Any] = {}
    if profile is not None or (api_url is None and not environ.get("PASSPORT_BASE_URL")):
        chosen = _profile(profiles, profile)
    url = api_url or environ.get("PASSPORT_BASE_URL") or chosen.get("api_url")
    if not url:
        raise UnusableInput(
            "no API URL: give --api-url, set PASSPORT_BASE_URL, or add api_url to a profile in "
            f"{profiles} (the key is never sent to a default address)"
        )
    parsed = httpx.URL(str(url))
    local = parsed.host in ("127.0.0.1", "::1", "localhost")
    if parsed.scheme not in ("https", "http") or not parsed.host or (parsed.scheme == "http" and not local):
        raise UnusableInput(
            f"the API URL {url!r} is not an https URL (plain http only for this machine): refusing to send "
            "the API key"
        )
    # A profile's key goes only to its own URL, never to one named some other way.
    key = api_key or (chosen.get("api_key") if url == chosen.get("api_url") else None)
    if not key:
        raise UnusableInput("no API key: give --api-key, set PASSPORT_API_KEY, or add api_key to the profile")
    return str(url).rstrip("/"), str(key)


def _profile(path: Path, name: str | None) -> dict[str, Any]:
    """The named profile (None: ``default``, if there is one); a profile asked for by name must exist."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if name is None:
            return {}
        raise UnusableInput(f"no profiles file {path} (profile {name!r} was asked for)") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UnusableInput(f"cannot read the profiles file {path}: {error}") from None
    found = data.get(name or "default")
    if found is None and name is None:
        return {}
    if not isinstance(found, dict):
        raise UnusableInput(f"no profile {name!r} in {path}")
    unknown = set(found) - {"api_url", "api_key"}
    if unknown or not all(isinstance(value, str) for value in found.values()):
        raise UnusableInput(f"profile {name or 'default'!r} in {path}: give api_url and api_key as text only")
    return found


@issue_app.command("bulk")
def issue_bulk(
    file: Annotated[
        Path, typer.Argument(help="CSV (email, name, learner_id, result) or JSON list of recipients.")
    ],
    achievement: Annotated[str, typer.Option(help="The achievement id.")],
    credential_format: Annotated[str, typer.Option("--format", help="ldp or jwt.")] = "ldp",
    api_url: Annotated[
        str | None,
        typer.Option(
            envvar="PASSPORT_API_URL",
            help="The service's URL (else PASSPORT_BASE_URL, else the profile's api_url). No default.",
        ),
    ] = None,
    api_key: Annotated[
        str | None, typer.Option(envvar="PASSPORT_API_KEY", help="The provider's API key.")
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            envvar="PASSPORT_PROFILE",
            help="A profile in ~/.config/passport/profiles.toml (or PASSPORT_PROFILES_FILE).",
        ),
    ] = None,
) -> None:
    """Issue a credential to every recipient in FILE, with progress; nothing is issued if a row is bad."""
    try:
        url, key = resolve_api(api_url, api_key, profile, os.environ, profiles_file())
    except UnusableInput as error:
        typer.echo(f"passport issue bulk: {error}", err=True)
        raise typer.Exit(2) from None
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
            job = follow_bulk_upload(client, file, achievement, credential_format)
    except (UnusableInput, OSError, httpx.HTTPError) as error:
        typer.echo(f"passport issue bulk: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(job))
    raise typer.Exit(0 if job["state"] == "done" else 1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[
        bool, typer.Option(help="Load demo providers and credentials into an empty database.")
    ] = False,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (production: one per core).")] = 1,
    log_level: Annotated[str, typer.Option(help="critical, error, warning, info or debug.")] = "info",
    access_log: Annotated[bool, typer.Option(help="Log every request (costs throughput).")] = True,
) -> None:
    """Run the web service (migrations are applied first)."""
    import uvicorn

    try:
        settings, sessions, _ = _service_context()
        application = create_app(settings)
    except ConfigurationError as error:
        typer.echo(f"passport serve: {error}", err=True)
        raise typer.Exit(2) from None
    if demo:
        with transaction(sessions) as session:
            services = services_of(application)
            learner = seed_demo_learner(session, services.get(PassportConfig), datetime.now(UTC))
            keys = seed_demo(
                session, services.get(IssuerConfig), datetime.now(UTC), services.get(TrustConfig)
            )
            staff = []
            if keys:  # a fresh demo (an existing one keeps its data and its staff's passwords)
                college = next(iter(keys.values()))["id"]
                staff = seed_demo_staff(session, services.get(StaffConfig), college, datetime.now(UTC))
                staff += seed_partnership_staff(session, services.get(StaffConfig), datetime.now(UTC))
            claim_link = demo_claim_link(session, settings.base_url)  # server.seed_claims
        if keys:
            typer.echo("Demo data loaded. Provider API keys (shown once):")
            for name, info in keys.items():
                typer.echo(f"  {name}: {info['api_key']}")
        if learner:
            typer.echo(f"Demo learner (shown once): {learner[0]} / {learner[1]}")
            typer.echo(f"  sign in at {settings.base_url}/passport/sign-in")
        if staff:
            typer.echo("Demo staff (shown once; the college's, then the network operator's):")
            for realm, role, email, password in staff:
                typer.echo(f"  {role}: {email} / {password}  at {settings.base_url}/{realm}/sign-in")
        if not settings.is_production:
            typer.echo(f"Outgoing email (development outbox): {settings.base_url}/dev/outbox")
        if keys and claim_link:
            typer.echo(f"Event claim code (demo; scan or open it, then confirm by email): {claim_link}")
    token_source = "PASSPORT_ADMIN_TOKEN" if settings.admin_token else settings.admin_token_file
    typer.echo(f"Operator token: in {token_source}")
    typer.echo(f"API docs: {settings.base_url}/docs")
    options = uvicorn_options(log_level, access_log)
    if workers == 1:
        uvicorn.run(freeze_heap(application), host=host, port=port, **options)
        return
    # Each worker process builds its own app (engine, caches) from the same environment.
    typer.echo(f"Serving on http://{host}:{port} with {workers} worker processes (Ctrl-C stops them).")
    try:
        status = serve_workers("server.app:app_from_environment", host, port, workers, options)
    except PortInUse as error:
        typer.echo(f"passport serve: {error}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(status)


@app.command("reminders")
def reminders(
    days: Annotated[int, typer.Option(min=1, max=365, help="Remind this many days before expiry.")] = 30,
) -> None:
    """Email learners whose credentials expire within DAYS, once per credential (run it daily, e.g. from
    cron; SMTP mail is delivered by the serving process's mail worker)."""
    settings, sessions, _ = _service_context()
    with transaction(sessions) as session:
        count = send_expiry_reminders(
            session, passport_config(settings), datetime.now(UTC), timedelta(days=days)
        )
    typer.echo(f"{count} expiry reminder{'s' if count != 1 else ''} queued.")


@app.callback()
def main() -> None:
    """Skills passport: issue, hold and verify Open Badges 3.0 credentials."""
