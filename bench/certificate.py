"""PDF certificate benchmark (run by hand): render time and size, one JSON line per format and language.

    .venv/bin/python bench/certificate.py --repeat 20

Prints {"op": "certificate-<format>-<lang>", "repeat", "bytes", "attachment_bytes", "median_ms", "min_ms",
"max_ms", "extract_median_ms"} for a signed sample credential (``bench/sample-credential.json``, and the
same credential as a VC-JWT signed with a throw-away did:key): ``median_ms`` renders the whole PDF (fonts
subset, QR code, attachment); ``extract_median_ms`` takes the credential back out (`vc.pdf`), as the
upload on /verify and ``passport verify`` do before verifying. The first render (font parsing) is a
warm-up and not counted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

# The repository first: bench/core.py, next to this script, would shadow the core package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.i18n import use_locale
from passport.exports.certificate import CertificateView, render_certificate
from vc.did_key import did_key_verification_method_id
from vc.jwt import sign_jwt
from vc.keys import PrivateKey
from vc.pdf import credential_in_pdf

SAMPLE = Path(__file__).resolve().parent / "sample-credential.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    document = json.loads(SAMPLE.read_text())
    key = PrivateKey.from_ed25519_secret(bytes(range(32)))
    token = sign_jwt(document, key, kid=did_key_verification_method_id(key.public_key))
    now = datetime(2026, 12, 4, tzinfo=UTC)
    view = CertificateView(
        credential_id="5f1c" * 8,
        achievement_name="Heat Pump Installation (Level 3)",
        recipient_name="Sam Jones",
        issuer_name="Midlands College",
        accreditor_name="National Skills Network",
        kind="Course",
        issued_on=now,
        valid_until=datetime(2029, 12, 4, tzinfo=UTC),
        result="Distinction",
        status="Valid",
        checked_on=now,
        verification_url="https://passport.example.org/credentials/" + "5f1c" * 8,
        check_url="https://passport.example.org/verify",
    )
    for name, credential in (("ldp", document), ("jwt", token)):
        for locale in ("en", "cy"):
            with use_locale(locale):
                render_certificate(credential, view)  # warm-up: font parsing
                times, extracts = [], []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    pdf = render_certificate(credential, view)
                    times.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    assert credential_in_pdf(pdf) == credential
                    extracts.append((time.perf_counter() - started) * 1000)
            attached = credential if isinstance(credential, str) else json.dumps(credential, indent=2)
            print(
                json.dumps(
                    {
                        "op": f"certificate-{name}-{locale}",
                        "repeat": args.repeat,
                        "bytes": len(pdf),
                        "attachment_bytes": len(attached.encode()),
                        "median_ms": round(statistics.median(times), 1),
                        "min_ms": round(min(times), 1),
                        "max_ms": round(max(times), 1),
                        "extract_median_ms": round(statistics.median(extracts), 2),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
