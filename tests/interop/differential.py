"""Our canonical form against the reference stack's (jsonld.js in safe mode + rdf-canonize), document by
document, in one Node process per batch (tests/interop/node/canonicalize.mjs).

Used by tests/interop/test_differential.py (a bounded run in CI) and bench/differential.py (larger runs).
Our side canonicalises as an issuer does before signing (`vc.jsonld.canonicalize(..., signing=True)`),
after reading the JSON text as the service does (`vc.parsing.parse_json`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from vc import jsonld
from vc.errors import JsonLdError, ParsingError
from vc.parsing import parse_json

ROOT = Path(__file__).resolve().parents[2]
NODE_PROJECT = Path(__file__).resolve().parent / "node"
CONTEXTS = ROOT / "schemas" / "data"


def node_unavailable() -> str | None:
    """Why the reference stack cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (NODE_PROJECT / "node_modules" / "jsonld").is_dir():
        return f"the npm packages are not installed: run `npm ci` in {NODE_PROJECT.relative_to(ROOT)}"
    return None


def node_required() -> bool:
    return os.environ.get("PASSPORT_REQUIRE_NODE") == "1"


def reference_answers(texts: list[str], script: str = "canonicalize.mjs") -> list[dict[str, str]]:
    """The reference stack's answer for each JSON text: {"nquads": ...} or {"refused": ...}."""
    lines = "".join(
        json.dumps({"id": str(index), "document": text}) + "\n" for index, text in enumerate(texts)
    )
    completed = subprocess.run(
        ["node", str(NODE_PROJECT / script), str(CONTEXTS)],
        input=lines.encode("utf-8"),
        capture_output=True,
        check=True,
        timeout=600,
    )
    # Only LF ends a line: the answers hold U+2028 and friends, which str.splitlines() would split at.
    answers = [json.loads(line) for line in completed.stdout.decode("utf-8").split("\n") if line]
    assert [answer["id"] for answer in answers] == [str(index) for index in range(len(texts))]
    return answers


def ours(text: str) -> tuple[str | None, str | None]:
    """(canonical N-Quads, None) or (None, refusal reason)."""
    try:
        return jsonld.canonicalize(parse_json(text), signing=True), None
    except JsonLdError as error:
        return None, str(error.reason)
    except ParsingError:
        return None, "parsing_error"


@dataclass
class Figures:
    """The issue's measure: of N credentials, how many both sign, differ, both refuse, one refuses."""

    documents: int = 0
    both_sign: int = 0
    differ: list[int] = field(default_factory=list)
    both_refuse: int = 0
    both_refuse_ours: Counter[str] = field(default_factory=Counter)  # by our Refusal
    only_we_refuse: Counter[str] = field(default_factory=Counter)  # by our Refusal
    only_reference_refuses: Counter[str] = field(default_factory=Counter)  # by its message
    examples: dict[str, int] = field(default_factory=dict)  # a document index for each kind of outcome

    def as_json(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "both_sign": self.both_sign,
            "differ": len(self.differ),
            "both_refuse": self.both_refuse,
            "both_refuse_our_reasons": dict(self.both_refuse_ours.most_common()),
            "only_we_refuse": dict(self.only_we_refuse.most_common()),
            "only_jsonld_js_refuses": dict(self.only_reference_refuses.most_common()),
        }


def compare(texts: list[str]) -> Figures:
    figures = Figures(documents=len(texts))
    for index, (text, answer) in enumerate(zip(texts, reference_answers(texts), strict=True)):
        canonical, reason = ours(text)
        theirs = answer.get("nquads")
        if canonical is not None and theirs is not None:
            if canonical == theirs:
                figures.both_sign += 1
            else:
                figures.differ.append(index)
        elif canonical is None and theirs is None:
            assert reason is not None
            figures.both_refuse += 1
            figures.both_refuse_ours[reason] += 1
        elif canonical is None:
            assert reason is not None
            figures.only_we_refuse[reason] += 1
            figures.examples.setdefault(f"only we refuse: {reason}", index)
        else:
            message = _short(answer["refused"])
            figures.only_reference_refuses[message] += 1
            figures.examples.setdefault(f"only jsonld.js refuses: {message}", index)
    return figures


def _short(message: str) -> str:
    """jsonld.js's refusal without the document-specific details (so that counts group)."""
    head = message.split(" (", 1)
    if len(head) == 2 and ":" in head[1]:
        return f"{head[0]} ({head[1].split(':', 1)[0]})"
    return message[:120]
