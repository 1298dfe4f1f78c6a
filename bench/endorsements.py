"""What embedded endorsements cost a verification (run by hand): the pure pipeline (`vc.verify`) on
distinct credentials (each its own issuer key, so nothing of one is cached for the next) whose achievement
carries 0, 1 or 8 (the most verified) scheme-approval endorsements, the same ones in every credential as
when one approved achievement is issued to many learners; did:key keys, no status source and no
registry, so only the proofs and checks are measured.

    .venv/bin/python bench/endorsements.py [--runs 100]

Prints one JSON line per endorsement count: {"op": "verify-endorsed", "endorsements", "runs", "p50_ms",
"p95_ms", "document_bytes"}.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/core.py is not the core package

from core.keystore import Keystore
from network.approvals import build_endorsement
from network.trust import TrustConfig
from server.demo import demo_credential
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.keys import KeyType, PrivateKey
from vc.ports import DidKeyResolver
from vc.verify import Ports, verify_credential

NOW = datetime(2026, 12, 1, tzinfo=UTC)


OPERATOR = PrivateKey.generate(KeyType.ED25519)


def endorsements_of(count: int) -> list[dict[str, Any]]:
    config = TrustConfig("https://passport.bench", Keystore(bytes(32)), "National Skills Network")
    achievement = demo_credential("did:example:x")["credentialSubject"]["achievement"]
    method = did_key_verification_method_id(OPERATOR.public_key)
    endorsements = []
    for number in range(count):
        status = {
            "id": f"https://passport.bench/operator/status/l1#{number}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(number),
            "statusListCredential": "https://passport.bench/operator/status/l1",
        }
        unsigned = build_endorsement(
            config, f"{number:032x}", achievement["id"], achievement["name"], None, NOW, status
        )
        endorsements.append(data_integrity.sign(unsigned, OPERATOR, method, NOW))
    return endorsements


def endorsed(endorsements: list[dict[str, Any]]) -> dict[str, Any]:
    issuer = PrivateKey.generate(KeyType.ED25519)
    credential = demo_credential(did_key_for(issuer.public_key))
    achievement = credential["credentialSubject"]["achievement"]
    if endorsements:
        achievement["endorsement"] = endorsements
    return data_integrity.sign(credential, issuer, did_key_verification_method_id(issuer.public_key), NOW)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    runs = parser.parse_args().runs
    ports = Ports(resolver=DidKeyResolver())
    for count in (0, 1, 8):
        shared = endorsements_of(count)
        documents = [endorsed(shared) for _ in range(runs + 1)]
        report = verify_credential(documents.pop(), ports, NOW)  # warm-up
        assert report.proof.state.value == "verified"
        assert len(report.endorsements) == count
        timings = []
        for document in documents:
            started = time.perf_counter()
            verify_credential(document, ports, NOW)
            timings.append((time.perf_counter() - started) * 1000)
        line = {
            "op": "verify-endorsed",
            "endorsements": count,
            "runs": runs,
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(statistics.quantiles(timings, n=20)[18], 2),
            "document_bytes": len(json.dumps(document)),
        }
        print(json.dumps(line))


if __name__ == "__main__":
    main()
