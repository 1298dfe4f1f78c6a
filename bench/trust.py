"""Cost of the signed trust list: sign, load (check and read), and one trust decision, by register size.

Run by hand: ``.venv/bin/python bench/trust.py [entries ...]`` (default 10 200 1000). Prints one JSON
object per line, e.g. ``{"entries": 200, "bytes": 180000, "statements": 3200, "sign_ms": 90.1,
"load_ms": 95.3, "decide_us": 9.8}``. Single process; no database (the service adds one SELECT).

Every accreditation carries a full scope, so these are upper figures. The strict JSON-LD limit of
20,000 RDF statements per document (`vc.jsonld`) bounds a trust list at roughly 1,200 such entries.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from network.trust_list import (
    SnapshotTrustRegistry,
    build_trust_list,
    load_trust_list,
)
from network.trust_policy import RegistryEntry, Scope, State
from vc import data_integrity
from vc.did_key import VerificationMethod
from vc.jsonld import canonicalize
from vc.keys import KeyType, PrivateKey
from vc.ports import StaticResolver

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
OPERATOR = "did:web:passport.example.ac.uk:operator"
METHOD = f"{OPERATOR}#key-1"


def entries(count: int) -> list[RegistryEntry]:
    return [
        RegistryEntry(
            accreditation_id=uuid.UUID(int=n + 1).hex,
            issuer_id=f"did:web:passport.example.ac.uk:issuers:{uuid.UUID(int=n + 1).hex}",
            name=f"Provider {n}",
            url=f"https://provider-{n}.example.ac.uk/",
            logo_url=f"https://provider-{n}.example.ac.uk/logo.png",
            scope=Scope(
                sectors=("Construction", "Building services engineering"),
                levels=("RQF 2", "RQF 3"),
                kinds=("course", "competition"),
            ),
            valid_from=datetime(2025, 9, 1, tzinfo=UTC),
            valid_until=datetime(2027, 8, 31, tzinfo=UTC),
            state=State.ACTIVE if n % 10 else State.SUSPENDED,
            reason=None if n % 10 else "Quality review pending",
            changed_at=datetime(2025, 9, 1, tzinfo=UTC),
        )
        for n in range(count)
    ]


def timed(operation: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        operation()
    return (time.perf_counter() - start) / repeat


def main(sizes: list[int]) -> None:
    key = PrivateKey.generate(KeyType.ED25519)
    resolver = StaticResolver([VerificationMethod(METHOD, "Multikey", OPERATOR, key.public_key)])
    credential = {
        "credentialSubject": {
            "achievement": {
                "achievementType": "Course",
                "fieldOfStudy": "Construction",
                "alignment": [{"targetFramework": "Regulated Qualifications Framework", "targetCode": "3"}],
            }
        }
    }
    for size in sizes:
        unsigned = build_trust_list(
            "https://passport.example.ac.uk/trust-list",
            OPERATOR,
            "National Skills Network",
            size,
            NOW,
            entries(size),
            NOW,
            NOW + timedelta(days=7),
        )
        statements = canonicalize(unsigned).count("\n")
        repeat = max(1, 200 // max(size, 1))
        sign_s = timed(lambda: data_integrity.sign(unsigned, key, METHOD, NOW), repeat)  # noqa: B023
        signed = json.dumps(data_integrity.sign(unsigned, key, METHOD, NOW))
        load_s = timed(lambda: load_trust_list(signed, resolver, operator_id=OPERATOR), repeat)  # noqa: B023
        registry = SnapshotTrustRegistry(load_trust_list(signed, resolver, operator_id=OPERATOR))
        issuer = f"did:web:passport.example.ac.uk:issuers:{uuid.UUID(int=size).hex}"
        decide_s = timed(lambda: registry.decide(issuer, credential, NOW), 2000)  # noqa: B023
        print(
            json.dumps(
                {
                    "entries": size,
                    "bytes": len(signed.encode()),
                    "statements": statements,
                    "sign_ms": round(sign_s * 1000, 1),
                    "load_ms": round(load_s * 1000, 1),
                    "decide_us": round(decide_s * 1e6, 1),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main([int(argument) for argument in sys.argv[1:]] or [10, 200, 1000])
