"""The architecture holds: the import contracts in pyproject.toml (`[tool.importlinter]`: one-way layers
schemas <- vc <- core <- domains <- server with the written-down domain edges, pure packages free of web,
database and HTTP libraries, no domain reaching another's tables) are kept. `make lint` runs the same
check as ``lint-imports``; this test makes a bare ``pytest`` (CI's PostgreSQL run) check it too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    # In a process of its own: import-linter configures logging with disable_existing_loggers, which would
    # silence every logger the suite created before it.
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
