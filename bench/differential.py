"""The differential run at scale: our canonical N-Quads against jsonld.js (safe mode) + rdf-canonize.

Run by hand (needs node and `npm ci` in tests/interop/node):

    .venv/bin/python bench/differential.py --count 10000 --seed 1

Generates ``--count`` OB 3.0 credentials with the seeded generator of tests/interop/generator.py,
canonicalises each as an issuer would before signing, asks the reference stack for its canonical form
in batches (one Node process per batch), and prints one JSON object: how many both sign (identical
canonical forms), differ (should be 0), both refuse, and are refused by one side only, by reason. With
``--examples`` it also prints one document of each kind of outcome.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.interop.differential import Figures, compare, node_unavailable  # noqa: E402
from tests.interop.generator import credentials  # noqa: E402

BATCH = 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--examples", action="store_true", help="print one document of each outcome")
    arguments = parser.parse_args()
    reason = node_unavailable()
    if reason is not None:
        sys.exit(f"cannot run: {reason}")
    started = time.perf_counter()
    texts = list(credentials(arguments.count, arguments.seed))
    total = Figures(documents=len(texts))
    for offset in range(0, len(texts), BATCH):
        batch = compare(texts[offset : offset + BATCH])
        total.both_sign += batch.both_sign
        total.both_refuse += batch.both_refuse
        total.both_refuse_ours += batch.both_refuse_ours
        total.differ += [offset + index for index in batch.differ]
        total.only_we_refuse += batch.only_we_refuse
        total.only_reference_refuses += batch.only_reference_refuses
        for kind, index in batch.examples.items():
            total.examples.setdefault(kind, offset + index)
    figures = total.as_json() | {"seed": arguments.seed, "seconds": round(time.perf_counter() - started, 1)}
    print(json.dumps(figures))
    if arguments.examples:
        for kind, index in sorted(total.examples.items()):
            print(f"\n# {kind} (document {index})\n{texts[index]}")
        for index in total.differ[:3]:
            print(f"\n# differ (document {index})\n{texts[index]}")


if __name__ == "__main__":
    main()
