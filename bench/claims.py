"""Event claim codes under load (run by hand): 5,000 people claim through one code within a minute, with no
duplicate and no lost claim.

    .venv/bin/python bench/claims.py [--claims 5000] [--extra 100] [--repeats 500] [--concurrency 16]
    PASSPORT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/claims.py --workers 2

Setup (in-process, not timed): a fresh SQLite file (or a fresh schema on the given PostgreSQL server),
migrated; one provider, one achievement, and one claim code with ``--claims`` places, open now.

Then ``passport serve --workers N`` in production configuration (`bench.serving`; the claim throttles
raised so that one loopback client may make every request), asked by ``--concurrency`` threads, each
with its own connection:

1. **ask**: ``POST /api/v1/claims/{code}`` for ``--claims`` + ``--extra`` distinct addresses (each gets
   its confirmation email in the outbox, read back from the database: the bench plays the mailbox);
2. **confirm**: ``POST /api/v1/claims/{code}/confirm`` with every token, in random order, plus
   ``--repeats`` tokens sent a second time at the same moment (a double tap, a retried request);
3. **issued**: meanwhile the service's claim worker issues the confirmed claims in batches
   (`passport.claim_codes.issuing`); the bench watches the database until every claim has its
   credential, and reports when the last one was issued, counted from the first confirmation.

Checks, from the answers and then the database: exactly ``--claims`` confirmations answered 202, each
for a different address; a repeat of a confirmed token answered 200 (the claim's state), every other
answer a 409 ``claim-code-full`` (the extra people, and their repeats), none lost to an error; the
code's counter, the claimed rows, the issued credentials and the claims' distinct credential ids all
equal ``--claims``, with as many distinct recipients. Prints one JSON line per phase (requests/s,
p50/p95/p99 ms, the answers, the service's CPU seconds) and one with the checks.
Target (issue 12): 5,000 claims through one code in a minute, no duplicate, no lost claim.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for bench.serving

import httpx
from pydantic import SecretStr
from sqlalchemy import func, select

from bench.serving import database_url, free_port, serving, tree_cpu_seconds
from core.db import transaction
from core.services import Database, services_of
from issuers import service
from issuers.api_models import AchievementCreate, IssuerCreate
from issuers.models import IssuedCredential
from passport.claim_codes import codes
from passport.claim_codes.models import ClaimCode, CodeClaim
from passport.models import OutboxMessage
from server.app import create_app
from server.migrate import upgrade
from server.settings import Settings

BASE_URL = "https://claims.bench.example"


def setup(settings: Settings, places: int) -> tuple[str, str, Database]:
    """A provider, an achievement and an open code with `places`; returns (code, its id, the database)."""
    app = create_app(settings)
    database = services_of(app).get(Database)
    config = services_of(app).get(service.IssuerConfig)
    now = datetime.now(UTC)
    with transaction(database.sessions) as session:
        issuer, _ = service.create_issuer(
            session,
            config,
            IssuerCreate.model_validate({"name": "Bench College", "url": "https://c.example"}),
            now,
        )
        achievement = service.create_achievement(
            session,
            config,
            issuer,
            AchievementCreate.model_validate(
                {
                    "kind": "course",
                    "name": "Heat Pump Open Day",
                    "description": "Attended the heat pump open day.",
                    "criteria_narrative": "Attended the demonstrations.",
                }
            ),
            now,
        )
        code = codes.open_code(
            session,
            issuer,
            achievement.id,
            "Bench open day",
            now - timedelta(minutes=1),
            now + timedelta(hours=2),
            places,
            now,
        )
        return code.code, code.id, database


def run_all(
    base: str, jobs: list[Callable[[httpx.Client], tuple[int, str, str]]], concurrency: int
) -> tuple[float, list[tuple[int, str, str]], list[float]]:
    """Each job on one of `concurrency` threads (each its own connection); (seconds, answers, latencies)."""
    answers: list[tuple[int, str, str]] = [(0, "", "")] * len(jobs)
    latencies: list[float] = [0.0] * len(jobs)
    cursor = iter(range(len(jobs)))
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            while True:
                with lock:
                    index = next(cursor, None)
                if index is None:
                    return
                started = time.perf_counter()
                try:
                    answers[index] = jobs[index](client)
                except httpx.HTTPError as error:
                    answers[index] = (-1, type(error).__name__, "")
                latencies[index] = time.perf_counter() - started

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, answers, latencies


def _answer(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    if response.status_code >= 400:
        return response.status_code, str(body.get("type", "")).rsplit("/", 1)[-1], ""
    return response.status_code, "", str(body.get("email", ""))


def ask(code: str, email: str) -> Callable[[httpx.Client], tuple[int, str, str]]:
    return lambda client: _answer(client.post(f"/api/v1/claims/{code}", json={"email": email}))


def confirm(code: str, token: str) -> Callable[[httpx.Client], tuple[int, str, str]]:
    return lambda client: _answer(client.post(f"/api/v1/claims/{code}/confirm", json={"token": token}))


def wait_until_issued(database: Database, code_id: str, claims: int, since: float) -> float:
    """Seconds from `since` until every claimed row of the code has its credential (at most ten minutes)."""
    deadline = time.perf_counter() + 600
    while time.perf_counter() < deadline:
        with transaction(database.sessions) as session:
            issued = session.scalar(
                select(func.count())
                .select_from(CodeClaim)
                .where(CodeClaim.claim_code_id == code_id, CodeClaim.credential_id.is_not(None))
            )
        if issued == claims:
            return round(time.perf_counter() - since, 2)
        time.sleep(0.1)
    raise SystemExit(f"after ten minutes {issued} of {claims} claims were issued")


def line(
    phase: str, seconds: float, answers: list[tuple[int, str, str]], latencies: list[float], cpu: float
) -> str:
    ordered = sorted(latencies)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)

    return json.dumps(
        {
            "phase": phase,
            "requests": len(answers),
            "seconds": round(seconds, 2),
            "per_second": round(len(answers) / seconds, 1),
            "p50_ms": at(0.5),
            "p95_ms": at(0.95),
            "p99_ms": at(0.99),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
            "answers": {
                f"{status} {slug}".strip(): n
                for (status, slug), n in Counter((a[0], a[1]) for a in answers).items()
            },
            "service_cpu_seconds": round(cpu, 1),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--claims", type=int, default=5000, help="places on the code (and people who get one)"
    )
    parser.add_argument("--extra", type=int, default=100, help="people who confirm after the places are gone")
    parser.add_argument("--repeats", type=int, default=500, help="tokens sent twice at once")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    url = database_url()
    upgrade(url)
    settings = Settings(
        database_url=url,
        base_url=BASE_URL,
        master_key=SecretStr(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")),
        admin_token=SecretStr("op_" + uuid.uuid4().hex),
    )
    code, code_id, database = setup(settings, args.claims)
    assert settings.master_key is not None
    assert settings.admin_token is not None
    env = {
        "PASSPORT_DATABASE_URL": url,
        "PASSPORT_BASE_URL": BASE_URL,
        "PASSPORT_MASTER_KEY": settings.master_key.get_secret_value(),
        "PASSPORT_ADMIN_TOKEN": settings.admin_token.get_secret_value(),
        "PASSPORT_CLAIM_REQUESTS_PER_CLIENT": "10000000",
        "PASSPORT_CLAIM_REQUESTS_PER_CODE": "10000000",
    }
    people = [f"attendee{n:05d}@example.com" for n in range(args.claims + args.extra)]
    port = free_port()
    with serving(env, port, args.workers) as server:
        base = f"http://127.0.0.1:{port}"
        cpu = tree_cpu_seconds(server.pid)
        seconds, answers, latencies = run_all(base, [ask(code, email) for email in people], args.concurrency)
        used = tree_cpu_seconds(server.pid)
        print(line("ask", seconds, answers, latencies, used - cpu), flush=True)
        assert Counter(a[0] for a in answers) == {202: len(people)}, Counter(answers)

        with transaction(database.sessions) as session:  # the bench reads the mailbox
            bodies = session.scalars(
                select(OutboxMessage.body).where(OutboxMessage.to_email.in_(people))
            ).all()
        pattern = re.compile(rf"/c/{code}/confirm/([A-Za-z0-9_-]+)")
        tokens = [found.group(1) for body in bodies for found in [pattern.search(body)] if found]
        assert len(tokens) == len(people), (len(tokens), len(people))
        shuffled = random.Random(12).sample(tokens, len(tokens))
        repeated = shuffled[: args.repeats]
        batch = shuffled + repeated
        random.Random(13).shuffle(batch)
        cpu = tree_cpu_seconds(server.pid)
        first_confirmation = time.perf_counter()
        seconds, answers, latencies = run_all(
            base, [confirm(code, token) for token in batch], args.concurrency
        )
        used = tree_cpu_seconds(server.pid)
        print(line("confirm", seconds, answers, latencies, used - cpu), flush=True)
        issued_after = wait_until_issued(database, code_id, args.claims, first_confirmation)
        print(
            json.dumps(
                {
                    "phase": "issued",
                    "all_issued_after_s": issued_after,
                    "after_the_last_confirmation_s": round(issued_after - seconds, 2),
                    "service_cpu_seconds": round(tree_cpu_seconds(server.pid) - cpu, 1),
                }
            ),
            flush=True,
        )

    confirmed = [a[2] for a in answers if a[0] == 202]
    shown = [a[2] for a in answers if a[0] == 200]
    refused = Counter(a[1] for a in answers if a[0] == 409)
    errors = [a for a in answers if a[0] not in (200, 202, 409)]
    with transaction(database.sessions) as session:
        counter = session.scalar(select(ClaimCode.claimed).where(ClaimCode.id == code_id))
        claimed_rows = session.scalar(
            select(func.count())
            .select_from(CodeClaim)
            .where(CodeClaim.claim_code_id == code_id, CodeClaim.state == "claimed")
        )
        claim_credentials = session.scalar(
            select(func.count(func.distinct(CodeClaim.credential_id))).where(
                CodeClaim.claim_code_id == code_id
            )
        )
        credentials = session.scalar(select(func.count()).select_from(IssuedCredential))
        recipients = session.scalar(select(func.count(func.distinct(IssuedCredential.recipient_email))))
    checks = {
        "confirmed_202": len(confirmed),
        "distinct_addresses_202": len(set(confirmed)),
        "shown_again_200": len(shown),
        "refused_409": dict(refused),
        "errors": len(errors),
        "code_counter": counter,
        "claimed_rows": claimed_rows,
        "claims_with_a_credential": claim_credentials,
        "credentials_issued": credentials,
        "distinct_recipients": recipients,
    }
    ok = (
        len(confirmed)
        == len(set(confirmed))
        == counter
        == claimed_rows
        == claim_credentials
        == credentials
        == recipients
        == args.claims
        and set(shown) <= set(confirmed)
        and len(shown) + sum(refused.values()) == args.extra + args.repeats
        and set(refused) <= {"claim-code-full"}
        and not errors
    )
    print(json.dumps({"phase": "checks", "ok": ok, **checks}), flush=True)
    database.engine.dispose()
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
