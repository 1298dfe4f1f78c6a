"""Stall benchmark (run by hand): can large verifications starve everything else?

    .venv/bin/python bench/stall.py                  # SQLite, 30 s, 16 large verifications in flight
    .venv/bin/python bench/stall.py --anonymous      # the same flood without an API key: 413s
    .venv/bin/python bench/stall.py --clients 0      # no flood: the machine's own baseline

What it does: issues one ordinary credential into a fresh SQLite database, builds a 600 KB credential
(~4,700 alignments, ~18,900 RDF statements: under the 20,000 cap) signed by a did:key, and starts
``passport serve --workers 2`` in production configuration on loopback. Then, for `--seconds`:

- 16 flooders, each from its own loopback address (127.0.0.10-25: 16 distinct clients), each keeps one
  600 KB ``POST /credentials/verify`` in flight, each body one byte different from every other (no cache
  can help), with a provider's API key (an anonymous caller may not send that much: ``--anonymous`` shows
  the 413s). A flooder that gets a 429 sends again at once, ignoring ``Retry-After`` (the worst client);
- a prober (another process, another address) sends ``GET /health`` and an ordinary small
  ``POST /credentials/verify`` (anonymous), one after the other, back to back, and times each.

Prints JSON lines: {"op": "health"|"verify-small", "p50_ms", "p99_ms", "max_ms", "requests",
"errors"} (``errors``: anything but a 200, or no answer within 10 s) and {"op": "flood", "verified",
"busy_429", "too_large_413", "other", "seconds", "clients", "body_bytes", "workers"}. Targets
(README, "Limits"): health p99 < 200 ms, small verify p99 < 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import copy
import json
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import database_url, free_port, serving  # noqa: E402
from core.db import make_engine, session_factory, transaction  # noqa: E402
from core.keystore import Keystore  # noqa: E402
from issuers import issuing, service  # noqa: E402
from issuers.api_models import AchievementCreate, CredentialCreate, IssuerCreate  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from vc import data_integrity  # noqa: E402
from vc.did_key import did_key_for, did_key_verification_method_id  # noqa: E402
from vc.keys import KeyType, PrivateKey  # noqa: E402

SAMPLE = ROOT / "bench" / "sample-credential.json"
ALIGNMENTS = 4_700


def ordinary_credential(url: str, base_url: str, master_key: bytes) -> tuple[Any, str]:
    """One credential issued by a provider, and the provider's API key."""
    sessions = session_factory(make_engine(url))
    config = service.IssuerConfig(base_url, Keystore(master_key))
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        issuer, api_key = service.create_issuer(
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
                    "name": "Heat Pump Installation (Level 3)",
                    "description": "Install and commission heat pumps.",
                    "criteria_narrative": "Assessed installation and written test.",
                    "level": "RQF 3",
                }
            ),
            now,
        )
        row = issuing.issue(
            session,
            config,
            issuer,
            CredentialCreate.model_validate(
                {"achievement_id": achievement.id, "recipient": {"email": "sam@example.com", "name": "Sam"}}
            ),
            now,
        )
        return issuing.signed_document(row), api_key


def large_credential() -> dict[str, Any]:
    """~600 KB: the sample credential with 4,700 alignments, signed by a did:key (resolved offline)."""
    key = PrivateKey.generate(KeyType.ED25519)
    credential = copy.deepcopy(json.loads(SAMPLE.read_text(encoding="utf-8")))
    credential.pop("credentialStatus", None)
    credential["issuer"]["id"] = did_key_for(key.public_key)
    credential["credentialSubject"]["achievement"]["alignment"] = [
        {
            "type": ["Alignment"],
            "targetName": f"Skill area {number:05d}",
            "targetUrl": f"https://frameworks.example.org/skills/{number:05d}",
        }
        for number in range(ALIGNMENTS)
    ]
    return data_integrity.sign(
        credential, key, did_key_verification_method_id(key.public_key), datetime.now(UTC)
    )


def bodies(document: dict[str, Any], count: int) -> list[bytes]:
    """`count` request bodies, each one byte different (a digit of the description)."""
    text = json.dumps({"verifiableCredential": document})
    marker = text.index('"description": "') + len('"description": "')
    return [(text[:marker] + str(number % 10) + text[marker + 1 :]).encode() for number in range(count)]


async def flooder(
    url: str, number: int, body: bytes, headers: dict[str, str], until: float
) -> dict[str, int]:
    counts = {"verified": 0, "busy_429": 0, "too_large_413": 0, "other": 0}
    transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{10 + number}")
    async with httpx.AsyncClient(transport=transport, timeout=60) as client:
        while time.monotonic() < until:
            try:
                answer = await client.post(url, content=body, headers=headers)
            except httpx.HTTPError:
                counts["other"] += 1
                continue
            key = {200: "verified", 429: "busy_429", 413: "too_large_413"}.get(answer.status_code, "other")
            counts[key] += 1
    return counts


def flood(url: str, payloads: list[bytes], headers: dict[str, str], seconds: float, out: Any) -> None:
    async def run() -> list[dict[str, int]]:
        until = time.monotonic() + seconds
        return await asyncio.gather(
            *(flooder(url, number, body, headers, until) for number, body in enumerate(payloads))
        )

    results = asyncio.run(run()) if payloads else []
    keys = ("verified", "busy_429", "too_large_413", "other")
    out.put({key: sum(result[key] for result in results) for key in keys})


def probe(base_url: str, small_body: bytes, seconds: float) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"health": [], "verify-small": []}
    errors = {"health": 0, "verify-small": 0}
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(transport=transport, timeout=10) as client:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            for op, call in (
                ("health", lambda: client.get(f"{base_url}/health")),
                (
                    "verify-small",
                    lambda: client.post(
                        f"{base_url}/credentials/verify",
                        content=small_body,
                        headers={"Content-Type": "application/json"},
                    ),
                ),
            ):
                started = time.perf_counter()
                try:
                    ok = call().status_code == 200
                except httpx.HTTPError:
                    ok = False
                timings[op].append((time.perf_counter() - started) * 1000)
                errors[op] += 0 if ok else 1
    return {**timings, "errors": [float(errors["health"]), float(errors["verify-small"])]}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--anonymous", action="store_true", help="flood without an API key")
    args = parser.parse_args()

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    master_key = os.urandom(32)
    url = database_url()
    upgrade(url)
    small, api_key = ordinary_credential(url, base_url, master_key)
    payloads = bodies(large_credential(), args.clients)
    small_body = json.dumps({"verifiableCredential": small}).encode()
    headers = {"Content-Type": "application/json"}
    if not args.anonymous:
        headers["Authorization"] = f"Bearer {api_key}"

    env = {
        "PASSPORT_DATABASE_URL": url,
        "PASSPORT_BASE_URL": base_url,
        "PASSPORT_MASTER_KEY": base64.urlsafe_b64encode(master_key).decode().rstrip("="),
        "PASSPORT_ADMIN_TOKEN": "op_" + uuid.uuid4().hex,
    }
    with serving(env, port, args.workers):
        httpx.post(f"{base_url}/credentials/verify", content=small_body, headers=headers, timeout=30)  # warm
        results: multiprocessing.Queue[dict[str, int]] = multiprocessing.Queue()
        flooders = multiprocessing.Process(
            target=flood,
            args=(f"{base_url}/credentials/verify", payloads, headers, args.seconds + 2, results),
        )
        flooders.start()
        time.sleep(2)  # the flood is under way before the first probe
        timings = probe(base_url, small_body, args.seconds)
        counts = results.get(timeout=120)
        flooders.join()

    for number, op in enumerate(("health", "verify-small")):
        values = timings[op]
        record = {
            "op": op,
            "p50_ms": round(statistics.median(values), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "max_ms": round(max(values), 1),
            "requests": len(values),
            "errors": int(timings["errors"][number]),
        }
        print(json.dumps(record), flush=True)
    print(
        json.dumps(
            {
                "op": "flood",
                **counts,
                "seconds": args.seconds,
                "clients": args.clients,
                "body_bytes": len(payloads[0]),
                "authenticated": not args.anonymous,
                "workers": args.workers,
                "load_average": round(os.getloadavg()[0], 1),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
