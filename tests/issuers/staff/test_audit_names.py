"""Every action the code records in the audit trail has a name people read (and translators translate)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

from issuers import lifecycle
from issuers.staff.audit import ACTIONS, action_name
from network import approvals

ROOT = Path(__file__).resolve().parents[3]
DOMAINS = ("issuers", "network", "passport", "verification", "server")
#: The accreditation events `network.trust` records (its `_record` calls and `_transition` events).
ACCREDITATION_EVENTS = (
    "accredited",
    "details_changed",
    "scope_changed",
    "period_changed",
    "suspended",
    "reinstated",
    "withdrawn",
)


def recorded_actions() -> tuple[set[str], set[str]]:
    """The literal actions passed to ``audit.record(session, action, ...)``, and the prefixes of those
    built with an f-string."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    for package in DOMAINS:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr != "record" or not isinstance(node.func.value, ast.Name):
                    continue
                if node.func.value.id != "audit" or len(node.args) < 2:
                    continue
                action = node.args[1]
                if isinstance(action, ast.Constant) and isinstance(action.value, str):
                    literal.add(action.value)
                elif isinstance(action, ast.JoinedStr) and isinstance(action.values[0], ast.Constant):
                    prefixes.add(str(action.values[0].value))
                else:
                    raise AssertionError(
                        f"{path}:{node.lineno}: an audit action neither literal nor an f-string"
                    )
    return literal, prefixes


def test_every_literal_action_has_a_name() -> None:
    literal, _ = recorded_actions()
    assert "credential.issue" in literal  # the scan finds what it should
    assert sorted(literal - ACTIONS.keys()) == []


def test_every_action_of_the_built_families_has_a_name() -> None:
    _, prefixes = recorded_actions()
    families = {
        "credential.": {t.name for t in (lifecycle.REVOKE, lifecycle.SUSPEND, lifecycle.REINSTATE)},
        "accreditation.": set(ACCREDITATION_EVENTS),
        "approval.": set(get_args(approvals.State)),
    }
    assert prefixes <= families.keys(), f"a new family of audit actions: {prefixes - families.keys()}"
    missing = [
        prefix + end for prefix, ends in families.items() for end in ends if prefix + end not in ACTIONS
    ]
    assert missing == []


def test_an_unnamed_action_is_shown_by_its_code() -> None:
    assert action_name("something.new") == "something.new"
    assert action_name("credential.revoke") == "Credential revoked"
