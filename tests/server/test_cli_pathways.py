"""``passport pathways`` (server/cli_pathways.py) beyond tests/server/test_cli.py's round trip: a file
that cannot be read and a pathway that does not exist are each refused in plain words, without a
traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from server.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("PASSPORT_MASTER_KEY_FILE", str(tmp_path / "master.key"))
    monkeypatch.setenv("PASSPORT_ADMIN_TOKEN_FILE", str(tmp_path / "admin.token"))


def test_a_missing_definition_file_is_unusable_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["pathways", "create", str(tmp_path / "absent.json")])
    assert result.exit_code == 2
    assert "passport pathways create: cannot read" in result.output
    assert isinstance(result.exception, SystemExit)  # refused, not crashed


def test_updating_an_unknown_pathway_exits_1(tmp_path: Path) -> None:
    change = tmp_path / "change.json"
    change.write_text(json.dumps({"title": "Energy in Wales"}))
    result = runner.invoke(app, ["pathways", "update", "nope", str(change)])
    assert result.exit_code == 1
    assert result.output.startswith("passport pathways update: ")
    assert isinstance(result.exception, SystemExit)
    assert runner.invoke(app, ["pathways", "list"]).output == ""  # nothing stored
