"""The architecture holds: the import contracts in pyproject.toml (`[tool.importlinter]`: one-way layers
schemas <- vc <- core <- domains <- server with the written-down domain edges, pure packages free of web,
database and HTTP libraries, no domain reaching another's tables) are kept. `make lint` runs the same
check as ``lint-imports``; this test makes a bare ``pytest`` (CI's PostgreSQL run) check it too."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)  # import-linter reads pyproject.toml from the working directory
    exit_code = lint_imports(no_cache=True)
    assert exit_code == 0, capsys.readouterr().out
