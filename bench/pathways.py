"""Pathway progress benchmark (run by hand): a learner with 200 credentials against 50 pathways.

    .venv/bin/python bench/pathways.py [--credentials 200] [--pathways 50] [--runs 100]
    PASSPORT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/pathways.py

Setup: a fresh SQLite file (or a fresh schema on the given PostgreSQL server), migrated; the app from
``server.app.create_app`` (in this process, only for its services); 10 providers with 4 course
achievements each (sectors, RQF levels, credits, alignment codes varied), the first 6 accredited;
``--credentials`` credentials issued to one learner's verified address through ``issuers.issuing.issue``;
then ``--pathways`` pathways of 3 to 5 steps each: named achievements, rules (sector, level, credits,
code), "2 of 3" groups and ordered steps, most of them left incomplete by the credentials; every other
one owned by a partnership (its key signs the milestones), the rest by the operator.

Timed, each in its own transaction (as a request is): ``PathwayMilestones.progress`` — what the passport
home and the progress API call — which reads the learner's credentials from the database, decodes them,
decides each issuer's accreditation, loads every published pathway and evaluates each
(``op: "progress"``); and the rule engine alone over a prepared index (``op: "engine"``). Then one
credential that completes a pathway is issued, and the time of that whole issue, milestone included, is
``op: "completing-issue"`` (target: the milestone within 1 s of the completing credential).
Prints one JSON line per operation: {"op", "p50_ms", "p95_ms", "max_ms", "runs", ...}; for progress also
the process's CPU time per run (``cpu_p50_ms``, ``cpu_p95_ms``: comparable when other work shares the
machine) and the 1-minute load average. Target (issue 12): progress p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import SecretStr
from sqlalchemy import func, select

from bench.serving import database_url
from core.db import transaction
from core.services import Database, services_of
from issuers import issuing, service
from issuers.api_models import AchievementCreate, CredentialCreate, IssuerCreate
from issuers.models import Achievement, Issuer
from issuers.service import IssuerConfig
from network import trust
from network.api_models import AccreditationCreate
from network.pathways import rules
from network.pathways import service as pathways
from network.pathways.api_models import PathwayCreate
from network.pathways.models import PathwayCompletion
from passport.accounts import accounts
from passport.models import Learner
from passport.pathways.progress import PathwayMilestones, held
from server.app import create_app
from server.migrate import upgrade
from server.settings import Settings

BASE_URL = "https://passport.bench"
EMAIL = "sam.bench@example.com"
SECTORS = ["Construction", "Energy", "Digital", "Engineering"]


def ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "runs": len(ordered),
    }


def setup(app: Any, credentials: int, count: int, now: datetime) -> tuple[str, list[str], IssuerConfig]:
    config = services_of(app).get(IssuerConfig)
    sessions = services_of(app).get(Database).sessions
    achievements: list[tuple[Any, Any]] = []
    with transaction(sessions) as session:
        learner = accounts.create_learner(session, "x", EMAIL, now)
        learner_id = learner.id
        # Half the pathways are a partnership's: its own key signs their milestones, on its own list.
        partnership, _ = service.create_issuer(
            session,
            config,
            IssuerCreate(
                name="Bench Partnership", url="https://partnership.example.org.uk", kind="partnership"
            ),
            now,
        )
        for p in range(10):
            issuer, _ = service.create_issuer(
                session, config, IssuerCreate(name=f"Provider {p}", url=f"https://p{p}.example.ac.uk"), now
            )
            if p < 6:
                trust.accredit(
                    session,
                    BASE_URL,
                    AccreditationCreate.model_validate(
                        {
                            "provider_id": issuer.id,
                            "scope": {},
                            "valid_from": now - timedelta(days=30),
                            "valid_until": now + timedelta(days=900),
                        }
                    ),
                    now,
                )
            for a in range(4):
                body = {
                    "kind": "course",
                    "name": f"Course {p}.{a}",
                    "description": "A course.",
                    "criteria_narrative": "Assessed.",
                    "level": f"RQF {2 + (p + a) % 5}",
                    "sector": SECTORS[(p + a) % 4],
                    "credits": 5 + a * 5,
                    "alignments": [
                        {
                            "target_name": "Standard",
                            "target_url": "https://example.org/s",
                            "target_code": f"ST{a}",
                        }
                    ],
                }
                achievement = service.create_achievement(
                    session, config, issuer, AchievementCreate.model_validate(body), now
                )
                achievements.append((issuer, achievement))
    # 200 credentials in chunks (issued before the pathways exist, as a learner's history would be)
    for start in range(0, credentials, 50):
        with transaction(sessions) as session:
            for n in range(start, min(credentials, start + 50)):
                issuer, achievement = achievements[(n * 7) % 36]  # providers 0..8 only: 9 never issues
                issuer = session.merge(issuer)
                request = CredentialCreate.model_validate(
                    {"achievement_id": achievement.id, "recipient": {"email": EMAIL}, "format": "ldp"}
                )
                issuing.issue(session, config, issuer, request, now + timedelta(minutes=n))
    never = [a.id for i, a in achievements if i.name == "Provider 9"]
    ids = [a.id for _, a in achievements]
    with transaction(sessions) as session:
        for k in range(count):
            steps: list[dict[str, Any]] = [
                {"key": "a", "title": "Start", "options": [{"achievement": ids[k % 36]}]},
                {
                    "key": "b",
                    "title": "Two of three",
                    "choose": 2,
                    "options": [
                        {"achievement": ids[(k + 5) % 36]},
                        {"rule": {"sector": SECTORS[k % 4], "min_level": "RQF 3"}},
                        {"rule": {"code": f"ST{k % 4}", "min_credits": 40}},
                    ],
                },
                {
                    "key": "c",
                    "title": "Then",
                    "after": ["a"],
                    "options": [{"rule": {"sector": SECTORS[(k + 1) % 4], "min_credits": 30}}],
                },
            ]
            if k % 2:
                steps.append(
                    {
                        "key": "d",
                        "title": "Finally",
                        "after": ["b", "c"],
                        "options": [{"achievement": never[k % 4]}],
                    }
                )
            if k % 3 == 0:
                steps.append({"key": "e", "title": "Level 5", "options": [{"rule": {"min_level": "RQF 5"}}]})
            pathways.create(
                session,
                BASE_URL,
                PathwayCreate.model_validate({"title": f"Pathway {k}", "sector": "Mixed", "steps": steps}),
                now,
                partnership.id if k % 2 else pathways.OPERATOR_OWNER,
            )
    return learner_id, never, config


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--credentials", type=int, default=200)
    parser.add_argument("--pathways", type=int, default=50)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    url = database_url()
    upgrade(url)
    settings = Settings(
        database_url=url,
        base_url=BASE_URL,
        master_key=SecretStr(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")),
        admin_token=SecretStr("op_" + uuid.uuid4().hex),
    )
    app = create_app(settings)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    learner_id, never, config = setup(app, args.credentials, args.pathways, now - timedelta(days=1))
    setup_s = round(time.perf_counter() - started, 1)
    sessions = services_of(app).get(Database).sessions
    hook = services_of(app).get(PathwayMilestones)
    samples: list[float] = []
    cpu: list[float] = []
    found: list[Any] = []
    for _ in range(args.runs + 1):
        with transaction(sessions) as session:
            learner = session.get(Learner, learner_id)
            assert learner is not None
            t, c = time.perf_counter(), time.process_time()
            found = hook.progress(session, learner, now)
            samples.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
    samples, cpu = samples[1:], cpu[1:]  # the first run issues the milestones already earned
    complete = sum(item.progress.complete for item in found)
    steps = sum(len(item.progress.steps) for item in found)
    common = {"credentials": args.credentials, "pathways": len(found), "steps": steps, "complete": complete}
    cpu_ms = {f"cpu_{key}": value for key, value in ms(cpu).items() if key != "runs"}
    load = round(os.getloadavg()[0], 2)
    print(json.dumps({"op": "progress", **ms(samples), **cpu_ms, **common, "setup_s": setup_s, "load": load}))

    with transaction(sessions) as session:
        learner = session.get(Learner, learner_id)
        assert learner is not None
        items = held(session, learner, now)
        index = pathways.learner_index(session, BASE_URL, items, now)
        definitions = [item.definition for item in found]
    engine: list[float] = []
    engine_cpu: list[float] = []
    for _ in range(args.runs):
        t, c = time.perf_counter(), time.process_time()
        fresh = rules.FactIndex(index.facts)  # the candidates an index keeps are per request
        for definition in definitions:
            rules.progress(definition, fresh)
        engine.append(time.perf_counter() - t)
        engine_cpu.append(time.process_time() - c)
    cpu_ms = {f"cpu_{key}": value for key, value in ms(engine_cpu).items() if key != "runs"}
    print(json.dumps({"op": "engine", **ms(engine), **cpu_ms, **common}))

    # The credentials no one had yet (provider 9's): each completes the pathways it was the last step of.
    with transaction(sessions) as session:
        before = session.scalar(select(func.count()).select_from(PathwayCompletion)) or 0
    timings = []
    for achievement_id in never:
        with transaction(sessions) as session:
            achievement = session.get(Achievement, achievement_id)
            assert achievement is not None
            issuer = session.get(Issuer, achievement.issuer_id)
            assert issuer is not None
            request = CredentialCreate.model_validate(
                {"achievement_id": achievement_id, "recipient": {"email": EMAIL}, "format": "ldp"}
            )
            t = time.perf_counter()
            issuing.issue(session, config, issuer, request, now)
            timings.append(time.perf_counter() - t)
    with transaction(sessions) as session:
        after = session.scalar(select(func.count()).select_from(PathwayCompletion)) or 0
    print(json.dumps({"op": "completing-issue", **ms(timings), "milestones_issued": after - before}))


if __name__ == "__main__":
    main()
