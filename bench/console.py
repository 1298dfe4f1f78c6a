"""Provider console benchmark (run by hand): a provider with 100,000 credentials; its console's
credentials list, a search by email and the dashboard, answered by ``passport serve``.

    .venv/bin/python bench/console.py [--credentials 100000] [--requests 100]
    PASSPORT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/console.py

Setup: the provider API benchmark's (`bench.provider_api.seed`: rows inserted with SQLAlchemy Core in
batches, not signed one by one, with the monthly counters), plus the audit trail issuing writes (one
``credential.issue`` event a credential, so a credential's page reads its history from a realistic
trail), and a staff member of the provider (an issuer) signed in to the console.

Then ``passport serve --workers 1`` in production configuration, asked over loopback by one httpx client
sending the console session's cookie, sequentially, after one warm-up request of each, ``--requests``
times each: ``/console`` (the dashboard), ``/console/credentials`` (first page of 50), its page after
1,000 rows, a search by email, by email and status, by part of a name, and one credential's page. One JSON
line per operation (p50, p95, max, server CPU per request). Targets (issue 13): list and email search
p95 < 100 ms; dashboard p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for bench.serving

import httpx
from pydantic import SecretStr
from sqlalchemy import insert, select

from bench.passport_pages import latency_line, load_average, serving, timed
from bench.provider_api import BASE_URL, seed
from bench.serving import database_url
from core.db import new_id, transaction
from core.services import Database, services_of
from issuers.models import IssuedCredential, Issuer
from issuers.staff import accounts as staff_accounts
from issuers.staff.accounts import StaffConfig
from issuers.staff.models import AuditEvent
from server.app import create_app
from server.migrate import upgrade
from server.settings import Settings

EMAIL, PASSWORD = "ivy.issuer@bench.example", "bench password 1234"


def seed_console(app: object) -> str:
    """The trail issuing writes, and an issuer on the provider's staff; returns a credential's id."""
    sessions = services_of(app).get(Database).sessions
    with transaction(sessions) as session:
        issuer_id = session.scalar(select(Issuer.id).where(Issuer.name == "Bench College"))
        assert issuer_id is not None
        credentials = session.execute(
            select(IssuedCredential.id, IssuedCredential.issued_at, IssuedCredential.achievement_id)
        ).all()
    for first in range(0, len(credentials), 10_000):
        with transaction(sessions) as session:
            session.execute(
                insert(AuditEvent),
                [
                    {
                        "id": new_id(),
                        "at": row.issued_at,
                        "provider_id": issuer_id,
                        "actor_kind": "api_key",
                        "actor_id": None,
                        "actor_label": "bench",
                        "action": "credential.issue",
                        "subject_kind": "credential",
                        "subject_id": row.id,
                        "before": None,
                        "after": {"achievement_id": row.achievement_id, "format": "ldp", "status": "valid"},
                    }
                    for row in credentials[first : first + 10_000]
                ],
            )
    with transaction(sessions) as session:
        config = services_of(app).get(StaffConfig)
        now = datetime.now(UTC)
        staff_accounts.enrol(session, config, issuer_id, EMAIL, "Ivy Issuer", "issuer", PASSWORD, now)
    return str(credentials[len(credentials) // 2].id)


def _cookies(response: httpx.Response) -> dict[str, str]:
    """The cookies a response sets (read by hand: they are ``Secure``, and the bench speaks http)."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        found[name] = rest.split(";", 1)[0]
    return found


def sign_in(client: httpx.Client) -> dict[str, str]:
    """Sign the issuer in to the console; returns the ``Cookie`` header to send."""
    form = client.get("/console/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text[:300]
    jar = _cookies(form)
    answer = client.post(
        "/console/sign-in",
        data={"csrf_token": token.group(1), "email": EMAIL, "password": PASSWORD, "next": "/console"},
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())},
    )
    assert answer.status_code == 303, answer.text[:300]
    jar = {name: value for name, value in _cookies(answer).items() if value and value != '""'}
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--credentials", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    url = database_url()
    database = url.split(":", 1)[0]
    upgrade(url)
    settings = Settings(
        database_url=url,
        base_url=BASE_URL,
        master_key=SecretStr(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")),
        admin_token=SecretStr("op_" + uuid.uuid4().hex),
    )
    app = create_app(settings)
    started = time.perf_counter()
    seed(app, args.credentials)
    credential_id = seed_console(app)
    setup = {"op": "console-setup", "credentials": args.credentials, "database": database}
    setup |= {"seconds": round(time.perf_counter() - started, 1), "load_average": load_average()}
    print(json.dumps(setup), flush=True)
    services_of(app).get(Database).engine.dispose()
    with serving(settings, 1) as (local, server), httpx.Client(base_url=local, timeout=60) as client:
        cookie = sign_in(client)
        page = "/console/credentials"
        for _ in range(20):  # 20 pages of 50: the page after 1,000 rows
            found = re.search(r'<a href="([^"]+)" rel="next">', client.get(page, headers=cookie).text)
            assert found, "no next page"
            page = found.group(1).replace("&amp;", "&")
        pages = {
            "console-dashboard": ("/console", "figure-number"),
            "console-credentials": ("/console/credentials", "/console/credentials/"),
            "console-credentials-after-1000": (page, "/console/credentials/"),
            "console-search-email": ("/console/credentials?email=LEARNER4321@example.com", "learner4321@"),
            "console-search-email-status": (
                "/console/credentials?email=learner50@example.com&status=revoked",
                "status-revoked",
            ),
            "console-search-name": ("/console/credentials?name=number9999", "Number9999"),
            "console-credential": (f"/console/credentials/{credential_id}", "Issued</strong>"),
        }
        for op, (path, expected) in pages.items():
            durations, response, cpu = timed(
                lambda path=path: client.get(path, headers=cookie), args.requests, server.pid
            )
            assert expected in response.text, (op, response.text[:500])
            print(latency_line(op, durations, response, cpu, database), flush=True)


if __name__ == "__main__":
    main()
