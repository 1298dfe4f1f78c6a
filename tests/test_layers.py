"""The pure packages stay pure: `schemas/` and `vc/` import no web framework, database, HTTP client or
shell package (STYLE.md: dependencies point schemas <- vc <- {issuers, passport, verification} <- server)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "httpx",
    "requests",
    "urllib3",
    "uvicorn",
    "issuers",
    "passport",
    "verification",
    "server",
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize(
    "path",
    sorted([*ROOT.glob("vc/**/*.py"), *ROOT.glob("schemas/**/*.py")]),
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_pure_packages_import_no_shell(path: Path) -> None:
    assert not imported_roots(path) & FORBIDDEN
