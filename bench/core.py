"""Throughput of the credential core: eddsa-rdfc-2022 and VC-JWT sign/verify, one process, one core.

Run by hand: ``.venv/bin/python bench/core.py [seconds-per-op]``. Prints one JSON object per line, e.g.
``{"op": "sign-ldp", "per_second": 512.3, "credential_bytes": 6093}``; ``credential_bytes`` is the size
of the secured credential as compact UTF-8 JSON (for JWT: the compact token).

The sample (bench/sample-credential.json) is a representative OB 3.0 AchievementCredential under
VC 2.0 + OB 3.0.3 contexts; contexts come from the bundled offline loader, as in production. Each op
cycles through 256 variants of it (credential id, learner hash, dates), as an issuing run would.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vc.data_integrity import sign, verify_proof  # noqa: E402
from vc.did_key import VerificationMethod, did_key_for, did_key_verification_method_id  # noqa: E402
from vc.jwt import sign_jwt, verify_jwt  # noqa: E402
from vc.keys import KeyType, PrivateKey  # noqa: E402
from vc.ports import DidKeyResolver, StaticResolver  # noqa: E402

SAMPLE = Path(__file__).resolve().parent / "sample-credential.json"
CREATED = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)


def rate(operation: Callable[[], Any], seconds: float) -> float:
    """Calls per second over roughly ``seconds`` (after a short warm-up)."""
    for _ in range(20):
        operation()
    calls = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(10):
            operation()
        calls += 10
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - start)


def variants(credential: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """Distinct credentials of the same shape (id, learner, dates), as a real issuing run would sign.

    Repeating one identical document would flatter any cache keyed on document values.
    """
    out = []
    for index in range(count):
        subject = copy.deepcopy(credential["credentialSubject"])
        subject["identifier"][0]["identityHash"] = (
            "sha256$" + hashlib.sha256(f"learner{index}".encode()).hexdigest()
        )
        subject["identifier"][0]["salt"] = uuid.uuid4().hex[:8]
        subject["activityEndDate"] = f"2025-06-{1 + index % 28:02d}T17:00:00Z"
        out.append({**credential, "id": f"urn:uuid:{uuid.uuid4()}", "credentialSubject": subject})
    return out


def size(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    unsigned = json.loads(SAMPLE.read_text(encoding="utf-8"))

    ed25519 = PrivateKey.generate(KeyType.ED25519)
    did = did_key_for(ed25519.public_key)
    method_id = did_key_verification_method_id(ed25519.public_key)
    did_resolver = DidKeyResolver()
    credentials = variants({**unsigned, "issuer": {**unsigned["issuer"], "id": did}}, 256)

    rsa = PrivateKey.generate(KeyType.RSA)
    rsa_kid = "https://passport.example.ac.uk/issuers/example-university#rsa-1"
    rsa_method = VerificationMethod(id=rsa_kid, type="JsonWebKey", controller=did, public_key=rsa.public_key)
    rsa_resolver = StaticResolver([rsa_method])

    signed = [sign(credential, ed25519, method_id, CREATED) for credential in credentials]
    rsa_tokens = [sign_jwt(credential, rsa, kid=rsa_kid) for credential in credentials]
    ed_tokens = [sign_jwt(credential, ed25519, kid=method_id) for credential in credentials]
    verify_proof(signed[0], signed[0]["proof"], did_resolver)  # fail fast if the setup is wrong
    verify_jwt(rsa_tokens[0], rsa_resolver)
    verify_jwt(ed_tokens[0], did_resolver)

    def cycling(items: list[Any], operation: Callable[[Any], Any]) -> Callable[[], Any]:
        iterator = itertools.cycle(items)
        return lambda: operation(next(iterator))

    ops: list[tuple[str, Callable[[], Any], int]] = [
        ("sign-ldp", cycling(credentials, lambda c: sign(c, ed25519, method_id, CREATED)), size(signed[0])),
        ("verify-ldp", cycling(signed, lambda s: verify_proof(s, s["proof"], did_resolver)), size(signed[0])),
        ("sign-jwt", cycling(credentials, lambda c: sign_jwt(c, rsa, kid=rsa_kid)), size(rsa_tokens[0])),
        ("verify-jwt", cycling(rsa_tokens, lambda t: verify_jwt(t, rsa_resolver)), size(rsa_tokens[0])),
        (
            "sign-jwt-eddsa",
            cycling(credentials, lambda c: sign_jwt(c, ed25519, kid=method_id)),
            size(ed_tokens[0]),
        ),
        ("verify-jwt-eddsa", cycling(ed_tokens, lambda t: verify_jwt(t, did_resolver)), size(ed_tokens[0])),
    ]
    for name, operation, credential_bytes in ops:
        per_second = rate(operation, seconds)
        record = {"op": name, "per_second": round(per_second, 1), "credential_bytes": credential_bytes}
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
