"""Every third-party module the code imports comes from a distribution pyproject.toml declares: the service's
packages from `[project.dependencies]`, tests and benchmarks from those or the `dev` extra. A module that
arrives only as someone else's dependency can disappear with an upgrade (requirements.lock pins them all,
but the lock is made from what is declared)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PACKAGES = ("schemas", "vc", "issuers", "passport", "verification", "server")
OWN = {"schemas", "vc", "core", "issuers", "network", "verification", "passport", "server", "tests", "bench"}


def _names(requirements: list[str]) -> set[str]:
    return {_normalised(re.split(r"[\s<>=!~;\[(]", item, maxsplit=1)[0]) for item in requirements}


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


_INSTALLED = packages_distributions()
RUNTIME = _names(PROJECT["dependencies"])
DEV = RUNTIME | _names(PROJECT["optional-dependencies"]["dev"])
DISTRIBUTIONS = {module: {_normalised(d) for d in dists} for module, dists in _INSTALLED.items()}


def third_party_imports(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name not in OWN}


@pytest.mark.parametrize(
    ("folder", "declared"),
    [
        *[(package, RUNTIME) for package in PACKAGES],
        ("tests", DEV),
        ("bench", DEV),
    ],
)
def test_every_imported_distribution_is_declared(folder: str, declared: set[str]) -> None:
    undeclared = {
        module: sorted(DISTRIBUTIONS.get(module, {"<not installed>"}))
        for module in third_party_imports(ROOT / folder)
        if not DISTRIBUTIONS.get(module, set()) & declared
    }
    assert undeclared == {}
