"""Exchange-visit credential benchmark (run by hand): issuing and the employer's page.

    .venv/bin/python bench/bursaries.py [--runs 50]
    PASSPORT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bursaries.py

Setup: a fresh SQLite file (or a fresh schema on the given PostgreSQL server), migrated; the app from
``server.app.create_app`` served in this process by a TestClient; one provider and one fund. Timed, each
run a fresh award taken to "dissemination recorded" first (not timed):
``op: "issue-named"`` — ``POST /api/v1/bursaries/awards/{id}/issue`` for a host without a DID (build,
OB 3.0 schema check, eddsa-rdfc-2022 signature by the operator, store); ``op: "host-endorsement"`` —
``POST …/host-endorsement`` (the host's did:key EndorsementCredential verified: proof, schema, subject);
``op: "issue-signed"`` — issuing with that endorsement embedded; ``op: "employer-page"`` — ``GET
/exchange-visits/{id}`` (the credential and its embedded endorsement verified live, the page rendered).
Prints one JSON line per operation: {"op", "p50_ms", "p95_ms", "max_ms", "runs"}.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from httpx import Response
from pydantic import SecretStr

from bench.serving import database_url
from server.app import create_app
from server.migrate import upgrade
from server.settings import Settings
from tests.network.bursaries_helpers import FUND, REPORT, SESSION, VISIT, Host

BASE_URL = "https://passport.bench"
TOKEN = "op_bench-operator-token"
OPERATOR = {"Authorization": f"Bearer {TOKEN}"}


def ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def timed(samples: list[float], call: Callable[..., Response], *args: Any, **kwargs: Any) -> Response:
    start = time.perf_counter()
    result = call(*args, **kwargs)
    samples.append(time.perf_counter() - start)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args().runs
    url = database_url()
    upgrade(url)
    settings = Settings(
        database_url=url,
        base_url=BASE_URL,
        master_key=SecretStr(base64.urlsafe_b64encode(bytes(range(32))).decode()),
        admin_token=SecretStr(TOKEN),
    )
    samples: dict[str, list[float]] = {
        "issue-named": [],
        "host-endorsement": [],
        "issue-signed": [],
        "employer-page": [],
    }
    with TestClient(create_app(settings), base_url=BASE_URL) as client:
        provider = client.post(
            "/api/v1/admin/issuers", json={"name": "Bench College", "url": BASE_URL}, headers=OPERATOR
        ).json()
        fund = client.post("/api/v1/bursaries/funds", json=FUND, headers=OPERATOR).json()
        host = Host()

        def ready(with_did: bool) -> dict[str, str]:
            award = client.post(
                f"/api/v1/bursaries/funds/{fund['id']}/awards",
                json={
                    "educator_name": "Ada",
                    "educator_email": "ada@bench.example",
                    "provider_id": provider["id"],
                    "amount": 1,
                },
                headers=OPERATOR,
            ).json()
            base = f"/api/v1/bursaries/awards/{award['id']}"
            client.post(f"{base}/accept", headers=OPERATOR)
            client.post(
                f"{base}/visit",
                json={**VISIT, **({"host_did": host.did} if with_did else {})},
                headers=OPERATOR,
            )
            client.post(f"{base}/dissemination", json={**REPORT, **SESSION}, headers=OPERATOR)
            return {"id": award["id"], "base": base, "credential_id": award["credential_id"]}

        for _ in range(runs):
            named = ready(False)
            response = timed(samples["issue-named"], client.post, f"{named['base']}/issue", headers=OPERATOR)
            assert response.status_code == 200, response.text
            signed = ready(True)
            document = host.endorse(signed["credential_id"])
            response = timed(
                samples["host-endorsement"],
                client.post,
                f"{signed['base']}/host-endorsement",
                json=document,
                headers=OPERATOR,
            )
            assert response.status_code == 200, response.text
            response = timed(
                samples["issue-signed"], client.post, f"{signed['base']}/issue", headers=OPERATOR
            )
            assert response.status_code == 200, response.text
            page = timed(samples["employer-page"], client.get, f"/exchange-visits/{signed['id']}")
            assert 'data-endorsement="signed"' in page.text
    for op, values in samples.items():
        print(json.dumps({"op": op, **ms(values), "runs": len(values)}))


if __name__ == "__main__":
    main()
