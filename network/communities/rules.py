"""A community's participation rule, and whether a member meets it. Pure: no database, no web.

A rule is every one of its conditions (at least one)::

    {"attended": {"at_least": 4, "of_last": 6}}                      # 4 of the last 6 sessions held
    {"attended": {"at_least": 3, "from": "2026-01-01", "until": "2026-07-01"}}   # 3 held in [from, until)
    {"contributed": {"at_least": 1, "kind": "case_study"}}           # at least one case study

A rule that could never be met (``at_least`` above ``of_last``, a period that ends before it starts, a
period already over with fewer sessions than asked) is refused with every problem named, as
`network.pathways.rules` does for pathways.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from network.pathways.rules import DefinitionError, Issue

CONTRIBUTION_KINDS = ("case_study", "resource", "presentation")
_PLURALS = {"case_study": "case studies", "resource": "resources", "presentation": "presentations"}
#: Bounds, so a rule stays something a person can read.
MAX_COUNT = 500

__all__ = [
    "CONTRIBUTION_KINDS",
    "Attended",
    "Contributed",
    "DefinitionError",
    "Held",
    "Issue",
    "Outcome",
    "Rule",
    "Shortfall",
    "check_sessions",
    "dump",
    "evaluate",
    "parse",
]


@dataclass(frozen=True)
class Attended:
    at_least: int
    of_last: int | None = None
    start: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Contributed:
    at_least: int
    kind: str = "case_study"


@dataclass(frozen=True)
class Rule:
    attended: Attended | None = None
    contributed: Contributed | None = None


def _count(raw: Mapping[str, Any], name: str, loc: tuple[str | int, ...], issues: list[Issue]) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COUNT:
        issues.append(
            Issue((*loc, name), "value_error", f"{name} must be a whole number from 1 to {MAX_COUNT}")
        )
        return None
    return value


def _day(raw: Mapping[str, Any], name: str, loc: tuple[str | int, ...], issues: list[Issue]) -> date | None:
    value = raw.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        issues.append(Issue((*loc, name), "date_error", f"{name} must be a date (YYYY-MM-DD)"))
        return None


def _unknown_keys(
    raw: Mapping[str, Any], known: set[str], loc: tuple[str | int, ...], issues: list[Issue]
) -> None:
    for key in sorted(set(raw) - known):
        issues.append(Issue((*loc, key), "extra_forbidden", f"{key!r} is not part of a rule"))


def parse(raw: Any) -> Rule:
    """The rule of ``raw``; `DefinitionError` naming every problem when it is malformed or can never be
    met (as far as the rule alone says: `check_sessions` adds what the sessions held say)."""
    issues: list[Issue] = []
    loc: tuple[str | int, ...] = ("rule",)
    if not isinstance(raw, Mapping):
        raise DefinitionError([Issue(loc, "dict_type", "the rule must be an object")])
    _unknown_keys(raw, {"attended", "contributed"}, loc, issues)
    attended = contributed = None
    if raw.get("attended") is not None:
        a_loc = (*loc, "attended")
        a = raw["attended"]
        if not isinstance(a, Mapping):
            issues.append(Issue(a_loc, "dict_type", "attended must be an object"))
        else:
            _unknown_keys(a, {"at_least", "of_last", "from", "until"}, a_loc, issues)
            at_least = _count(a, "at_least", a_loc, issues)
            if a.get("at_least") is None:
                issues.append(Issue((*a_loc, "at_least"), "missing", "at_least is required"))
            of_last = _count(a, "of_last", a_loc, issues)
            start, until = _day(a, "from", a_loc, issues), _day(a, "until", a_loc, issues)
            windowed = a.get("of_last") is not None
            period = a.get("from") is not None or a.get("until") is not None
            if windowed and period:
                issues.append(
                    Issue(a_loc, "never_met", "choose either of_last or a period (from, until), not both")
                )
            elif not windowed and (a.get("from") is None or a.get("until") is None):
                issues.append(
                    Issue(a_loc, "missing", "attended needs of_last, or a period with from and until")
                )
            if at_least is not None and of_last is not None and at_least > of_last:
                issues.append(
                    Issue(
                        (*a_loc, "at_least"),
                        "never_met",
                        f"attending {at_least} of the last {of_last} sessions can never happen",
                    )
                )
            if start is not None and until is not None and until <= start:
                issues.append(Issue((*a_loc, "until"), "never_met", "the period ends before it starts"))
            if at_least is not None:
                attended = Attended(at_least, of_last, start, until)
    if raw.get("contributed") is not None:
        c_loc = (*loc, "contributed")
        c = raw["contributed"]
        if not isinstance(c, Mapping):
            issues.append(Issue(c_loc, "dict_type", "contributed must be an object"))
        else:
            _unknown_keys(c, {"at_least", "kind"}, c_loc, issues)
            at_least = _count(c, "at_least", c_loc, issues)
            if c.get("at_least") is None:
                issues.append(Issue((*c_loc, "at_least"), "missing", "at_least is required"))
            kind = c.get("kind", "case_study")
            if kind not in CONTRIBUTION_KINDS:
                issues.append(
                    Issue((*c_loc, "kind"), "enum", f"kind must be one of {', '.join(CONTRIBUTION_KINDS)}")
                )
            elif at_least is not None:
                contributed = Contributed(at_least, kind)
    if raw.get("attended") is None and raw.get("contributed") is None:
        issues.append(Issue(loc, "missing", "a rule needs at least one condition: attended or contributed"))
    if issues:
        raise DefinitionError(issues)
    return Rule(attended, contributed)


def check_sessions(rule: Rule, session_days: Sequence[date], today: date) -> None:
    """`DefinitionError` when a rule over a period that is already over asks for more sessions than the
    community held in it: nobody could ever meet it."""
    a = rule.attended
    if a is None or a.start is None or a.until is None or a.until > today:
        return
    held = sum(1 for day in session_days if a.start <= day < a.until)
    if held < a.at_least:
        raise DefinitionError(
            [
                Issue(
                    ("rule", "attended", "at_least"),
                    "never_met",
                    f"the period is over and the community held {held} sessions in it, "
                    f"fewer than {a.at_least}",
                )
            ]
        )


def dump(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if rule.attended is not None:
        a = rule.attended
        attended: dict[str, Any] = {"at_least": a.at_least}
        if a.of_last is not None:
            attended["of_last"] = a.of_last
        if a.start is not None and a.until is not None:
            attended["from"], attended["until"] = a.start.isoformat(), a.until.isoformat()
        out["attended"] = attended
    if rule.contributed is not None:
        out["contributed"] = {"at_least": rule.contributed.at_least, "kind": rule.contributed.kind}
    return out


@dataclass(frozen=True)
class Held:
    """A session the community has held (it started before now), and whether the member attended."""

    session_id: str
    starts_at: datetime
    attended: bool


@dataclass(frozen=True)
class Shortfall:
    """A condition not met yet: ``have`` of the ``need`` sessions attended or contributions of ``kind``."""

    condition: str  # "attended" | "contributed"
    have: int
    need: int
    kind: str | None = None

    def __str__(self) -> str:
        if self.condition == "attended":
            return f"attended {self.have} of the {self.need} sessions needed"
        return f"contributed {self.have} of the {self.need} {_PLURALS[self.kind or 'case_study']} needed"


@dataclass(frozen=True)
class Outcome:
    met: bool
    #: the sessions attended that count (the window's or the period's), oldest first
    sessions: tuple[str, ...]
    #: the contributions that count
    contributions: tuple[str, ...]
    #: the conditions not met yet (empty when met)
    shortfalls: tuple[Shortfall, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """What is still missing, in plain English words (the API's; pages translate `shortfalls`)."""
        return tuple(str(s) for s in self.shortfalls)


def evaluate(rule: Rule, held: Sequence[Held], contributions: Sequence[tuple[str, str]]) -> Outcome:
    """Whether a member meets ``rule``, given the sessions the community held (any order) and the member's
    contributions as ``(id, kind)``."""
    missing: list[Shortfall] = []
    counted: list[str] = []
    if rule.attended is not None:
        a = rule.attended
        ordered = sorted(held, key=lambda h: (h.starts_at, h.session_id))
        if a.of_last is not None:
            window = ordered[-a.of_last :]
        else:
            assert a.start is not None
            assert a.until is not None
            window = [h for h in ordered if a.start <= h.starts_at.date() < a.until]
        counted = [h.session_id for h in window if h.attended]
        if len(counted) < a.at_least:
            missing.append(Shortfall("attended", len(counted), a.at_least))
    kept: list[str] = []
    if rule.contributed is not None:
        c = rule.contributed
        kept = [cid for cid, kind in contributions if kind == c.kind]
        if len(kept) < c.at_least:
            missing.append(Shortfall("contributed", len(kept), c.at_least, c.kind))
    return Outcome(not missing, tuple(counted), tuple(kept), tuple(missing))
