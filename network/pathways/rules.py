"""The pathway rule engine, pure: no database, no web, no clock of its own.

A pathway **definition** is a list of steps. A step is satisfied by ``choose`` of its ``options`` ("N of
these M"; all of them when ``choose`` is not given), and may come ``after`` other steps (optional order:
only credentials issued once those steps were done count towards it). An option is either a named
achievement of any provider of this service (its id), or a rule over credentials from accredited
providers: an alignment code (and, optionally, its framework), a minimum RQF/SCQF level, a sector, and
a minimum number of credits, summed over the matching credentials.

Each credential counts towards one step only: steps are taken in order (prerequisites first, then as
written) and each takes, of the credentials that satisfy it, first those that satisfy the fewest options
of the pathway (so an RQF 3 course is left for the "RQF 3" step when an RQF 2 one meets the "RQF 2"
step), then the earliest; a step that others come after takes the earliest first, since their credentials
count only from then on. This greedy assignment is deterministic; it can miss an assignment a search
would find when steps compete for the same credentials in contrived ways, which a definition avoids by
making its steps distinct.

`check` lists every reason a definition can never be met (a cycle, an impossible level, more options
chosen than exist, ...); `progress` evaluates one definition against a learner's credentials, described
as `Facts`, through a `FactIndex` built once per learner and shared by every pathway.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

#: The highest level of each framework: RQF Entry..8, SCQF 1..12 (Entry is level 0 here).
LEVEL_MAX = {"RQF": 8, "SCQF": 12}
FRAMEWORK_NAMES = {
    "Regulated Qualifications Framework": "RQF",
    "Scottish Credit and Qualifications Framework": "SCQF",
}
MAX_STEPS = 50
MAX_OPTIONS = 20
MAX_CREDITS = 10_000
_LEVEL_NAME = re.compile(r"^(RQF|SCQF) Level (Entry|\d{1,2})$")
_LEVEL_CODE = re.compile(r"^(RQF|SCQF)[- ](Entry|\d{1,2})$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


# --- what a rule sees of a credential -----------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """One credential of a learner, as rules see it."""

    id: str
    digest: str  #: SHA-256 (hex) of the signed document
    url: str  #: the credential's own id (its URL), as milestone evidence names it
    issuer: str  #: the issuer id the credential names
    issued_at: datetime
    accredited: bool  #: issued by a provider the network accredits, now
    achievement: str | None = None  #: the achievement's id at this service (None for one elsewhere)
    name: str = ""
    level: tuple[str, int] | None = None  #: ("RQF", 3)
    sector: str | None = None
    credits: float = 0.0
    codes: frozenset[str] = frozenset()  #: alignment codes, bare and as "framework|code"


def level_of(alignments: Iterable[Mapping[str, Any]]) -> tuple[str, int] | None:
    """The RQF/SCQF level an OB 3.0 achievement's alignments state ("RQF Level 3", or code "RQF-3")."""
    for alignment in alignments:
        name, code = str(alignment.get("targetName") or ""), str(alignment.get("targetCode") or "")
        found = _LEVEL_NAME.match(name) or _LEVEL_CODE.match(code)
        if found is None:
            framework = FRAMEWORK_NAMES.get(str(alignment.get("targetFramework") or ""))
            if framework is not None and re.fullmatch(r"Entry|\d{1,2}", code):
                return framework, 0 if code == "Entry" else int(code)
            continue
        framework, level = found.group(1), found.group(2)
        return framework, 0 if level == "Entry" else int(level)
    return None


def codes_of(alignments: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    codes: set[str] = set()
    for alignment in alignments:
        code = alignment.get("targetCode")
        if isinstance(code, str) and code:
            codes.add(code)
            framework = alignment.get("targetFramework")
            if isinstance(framework, str) and framework:
                codes.add(f"{framework}|{code}")
    return frozenset(codes)


def parse_level(text: str) -> tuple[str, int]:
    """ "RQF 3" -> ("RQF", 3); "RQF Entry" -> ("RQF", 0). ValueError for anything else."""
    framework, _, level = text.strip().partition(" ")
    if framework not in LEVEL_MAX or not re.fullmatch(r"Entry|\d{1,2}", level):
        raise ValueError(f"not a level: {text!r}")
    return framework, 0 if level == "Entry" else int(level)


# --- definitions --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Credentials from accredited providers that match every condition given; with ``min_credits``,
    their credits summed."""

    code: str | None = None
    framework: str | None = None  #: of ``code``
    min_level: tuple[str, int] | None = None
    sector: str | None = None
    min_credits: float | None = None

    def matches(self, facts: Facts) -> bool:
        if not facts.accredited:
            return False
        if self.code is not None:
            wanted = f"{self.framework}|{self.code}" if self.framework else self.code
            if wanted not in facts.codes:
                return False
        if self.min_level is not None and (
            facts.level is None or facts.level[0] != self.min_level[0] or facts.level[1] < self.min_level[1]
        ):
            return False
        if self.sector is not None and (facts.sector or "").casefold() != self.sector.casefold():
            return False
        return not (self.min_credits is not None and facts.credits <= 0)


@dataclass(frozen=True)
class Option:
    achievement: str | None = None
    rule: Rule | None = None


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    options: tuple[Option, ...]
    choose: int
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Definition:
    steps: tuple[Step, ...]

    def achievements(self) -> set[str]:
        return {o.achievement for s in self.steps for o in s.options if o.achievement is not None}


@dataclass(frozen=True)
class Issue:
    """Why a definition cannot be used: where (``loc``, as in a 422's ``errors``) and what."""

    loc: tuple[str | int, ...]
    code: str
    msg: str

    def as_error(self) -> dict[str, Any]:
        return {"loc": ["body", *self.loc], "type": self.code, "msg": self.msg}


class DefinitionError(ValueError):
    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__("; ".join(issue.msg for issue in issues))
        self.issues = list(issues)


def _rule(raw: Mapping[str, Any], loc: tuple[str | int, ...], issues: list[Issue]) -> Rule | None:
    level = None
    if raw.get("min_level") is not None:
        try:
            level = parse_level(str(raw["min_level"]))
        except ValueError:
            issues.append(Issue((*loc, "min_level"), "bad_level", "min_level is like 'RQF 3' or 'SCQF 7'"))
            return None
        if level[1] > LEVEL_MAX[level[0]]:
            issues.append(
                Issue(
                    (*loc, "min_level"),
                    "never_met",
                    f"{level[0]} has no level above {LEVEL_MAX[level[0]]}: the rule can never be met",
                )
            )
    credits = raw.get("min_credits")
    if credits is not None and not 0 < float(credits) <= MAX_CREDITS:
        issues.append(
            Issue(
                (*loc, "min_credits"), "never_met", f"min_credits must be above 0 and at most {MAX_CREDITS}"
            )
        )
    rule = Rule(
        code=raw.get("code") or None,
        framework=raw.get("framework") or None,
        min_level=level,
        sector=raw.get("sector") or None,
        min_credits=float(credits) if credits is not None else None,
    )
    if rule.framework is not None and rule.code is None:
        issues.append(
            Issue((*loc, "framework"), "never_met", "framework is the framework of a code: give code")
        )
    if rule == Rule():
        issues.append(Issue(loc, "empty_rule", "a rule names at least one condition"))
    return rule


def parse(raw: Mapping[str, Any]) -> Definition:
    """A definition from its JSON form (``{"steps": [...]}``), checked: `DefinitionError` lists every
    reason it can never be met."""
    issues: list[Issue] = []
    steps: list[Step] = []
    raw_steps = raw.get("steps") or []
    if not raw_steps:
        issues.append(Issue(("steps",), "never_met", "a pathway has at least one step"))
    if len(raw_steps) > MAX_STEPS:
        issues.append(Issue(("steps",), "too_many", f"a pathway has at most {MAX_STEPS} steps"))
    keys: set[str] = set()
    for index, raw_step in enumerate(raw_steps):
        loc: tuple[str | int, ...] = ("steps", index)
        key = str(raw_step.get("key") or f"step-{index + 1}")
        if not _KEY.match(key):
            issues.append(
                Issue((*loc, "key"), "bad_key", "a step key is lower-case letters, digits, - and _")
            )
        if key in keys:
            issues.append(Issue((*loc, "key"), "duplicate", f"two steps have the key {key!r}"))
        keys.add(key)
        options: list[Option] = []
        raw_options = raw_step.get("options") or []
        if not raw_options:
            issues.append(Issue((*loc, "options"), "never_met", "a step has at least one option"))
        if len(raw_options) > MAX_OPTIONS:
            issues.append(Issue((*loc, "options"), "too_many", f"a step has at most {MAX_OPTIONS} options"))
        for number, raw_option in enumerate(raw_options):
            option_loc = (*loc, "options", number)
            achievement, raw_rule = raw_option.get("achievement"), raw_option.get("rule")
            if (achievement is None) == (raw_rule is None):
                issues.append(Issue(option_loc, "bad_option", "an option is an achievement or a rule"))
                continue
            rule = _rule(raw_rule, (*option_loc, "rule"), issues) if raw_rule is not None else None
            option = Option(achievement=str(achievement) if achievement is not None else None, rule=rule)
            if option in options:
                issues.append(Issue(option_loc, "duplicate", "the same option twice in one step"))
            options.append(option)
        choose = raw_step.get("choose")
        choose = len(raw_options) if choose is None else int(choose)
        if raw_options and not 1 <= choose <= len(raw_options):
            issues.append(
                Issue(
                    (*loc, "choose"),
                    "never_met",
                    f"choose {choose} of {len(raw_options)} options can never be met",
                )
            )
        after = tuple(str(k) for k in raw_step.get("after") or ())
        title = str(raw_step.get("title") or "").strip()
        if not title:
            issues.append(Issue((*loc, "title"), "missing", "a step has a title"))
        steps.append(Step(key, title, tuple(options), choose, after))
    for index, step in enumerate(steps):
        for other in step.after:
            if other not in keys:
                issues.append(Issue(("steps", index, "after"), "unknown_step", f"no step {other!r}"))
    if not issues:
        cycle = find_cycle(steps)
        if cycle:
            issues.append(
                Issue(
                    ("steps",),
                    "cycle",
                    "the steps come after each other in a cycle (each after the next): " + " -> ".join(cycle),
                )
            )
    if issues:
        raise DefinitionError(issues)
    return Definition(tuple(steps))


def find_cycle(steps: Sequence[Step]) -> list[str]:
    """A cycle in the ``after`` graph, as the keys around it (first key repeated at the end), or []."""
    after = {step.key: step.after for step in steps}
    colour: dict[str, int] = {}
    path: list[str] = []

    def visit(key: str) -> list[str]:
        colour[key] = 1
        path.append(key)
        for other in after.get(key, ()):
            if colour.get(other) == 1:
                return [*path[path.index(other) :], other]
            if other not in colour:
                found = visit(other)
                if found:
                    return found
        path.pop()
        colour[key] = 2
        return []

    for step in steps:
        if step.key not in colour:
            found = visit(step.key)
            if found:
                return found
    return []


def ordered(definition: Definition) -> list[Step]:
    """Prerequisites first, otherwise as written (the definition has no cycle)."""
    done: set[str] = set()
    result: list[Step] = []
    remaining = list(definition.steps)
    while remaining:
        for step in remaining:
            if all(k in done for k in step.after):
                result.append(step)
                done.add(step.key)
                remaining.remove(step)
                break
    return result


def dump(definition: Definition) -> dict[str, Any]:
    """The JSON form `parse` reads."""

    def option(o: Option) -> dict[str, Any]:
        if o.achievement is not None:
            return {"achievement": o.achievement}
        assert o.rule is not None
        r = o.rule
        rule: dict[str, Any] = {}
        if r.code is not None:
            rule["code"] = r.code
        if r.framework is not None:
            rule["framework"] = r.framework
        if r.min_level is not None:
            rule["min_level"] = f"{r.min_level[0]} {'Entry' if r.min_level[1] == 0 else r.min_level[1]}"
        if r.sector is not None:
            rule["sector"] = r.sector
        if r.min_credits is not None:
            rule["min_credits"] = r.min_credits
        return {"rule": rule}

    return {
        "steps": [
            {
                "key": s.key,
                "title": s.title,
                "choose": s.choose,
                "after": list(s.after),
                "options": [option(o) for o in s.options],
            }
            for s in definition.steps
        ]
    }


# --- progress -----------------------------------------------------------------------------------------------


class StepState(StrEnum):
    DONE = "done"
    IN_PROGRESS = "in_progress"
    NEXT = "next"  #: nothing yet, and nothing stands before it
    WAITING = "waiting"  #: a step it comes after is not done yet


@dataclass
class FactIndex:
    """A learner's credentials, indexed once for every pathway: by achievement, by alignment code, by
    sector and by level framework (accredited ones only for the last three)."""

    facts: Sequence[Facts]
    by_achievement: dict[str, list[Facts]] = field(default_factory=lambda: defaultdict(list))
    by_code: dict[str, list[Facts]] = field(default_factory=lambda: defaultdict(list))
    by_sector: dict[str, list[Facts]] = field(default_factory=lambda: defaultdict(list))
    by_framework: dict[str, list[Facts]] = field(default_factory=lambda: defaultdict(list))
    accredited: list[Facts] = field(default_factory=list)
    _candidates: dict[Option, list[Facts]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for facts in sorted(self.facts, key=lambda f: (f.issued_at, f.id)):
            if facts.achievement is not None:
                self.by_achievement[facts.achievement].append(facts)
            if not facts.accredited:
                continue
            self.accredited.append(facts)
            for code in facts.codes:
                self.by_code[code].append(facts)
            if facts.sector:
                self.by_sector[facts.sector.casefold()].append(facts)
            if facts.level is not None:
                self.by_framework[facts.level[0]].append(facts)

    def candidates(self, option: Option) -> list[Facts]:
        """Credentials that satisfy the option on their own (earliest first); kept for the next pathway
        that has the same option."""
        found = self._candidates.get(option)
        if found is None:
            found = self._candidates[option] = self._find(option)
        return found

    def _find(self, option: Option) -> list[Facts]:
        if option.achievement is not None:
            return self.by_achievement.get(option.achievement, [])
        rule = option.rule
        assert rule is not None
        if rule.code is not None:
            pool = self.by_code.get(f"{rule.framework}|{rule.code}" if rule.framework else rule.code, [])
        elif rule.sector is not None:
            pool = self.by_sector.get(rule.sector.casefold(), [])
        elif rule.min_level is not None:
            pool = self.by_framework.get(rule.min_level[0], [])
        else:
            pool = self.accredited
        return [facts for facts in pool if rule.matches(facts)]


@dataclass(frozen=True)
class StepProgress:
    step: Step
    state: StepState
    satisfied: tuple[int, ...]  #: the options satisfied (indexes), at most ``choose`` of them counted
    credentials: tuple[Facts, ...]  #: what the step used
    done_at: datetime | None
    credits: dict[int, float]  #: credits so far of options with ``min_credits``, not yet met

    @property
    def open_options(self) -> tuple[int, ...]:
        return tuple(i for i in range(len(self.step.options)) if i not in self.satisfied)


@dataclass(frozen=True)
class Progress:
    steps: tuple[StepProgress, ...]

    @property
    def complete(self) -> bool:
        return all(step.state is StepState.DONE for step in self.steps)

    @property
    def completed_at(self) -> datetime | None:
        times = [step.done_at for step in self.steps if step.done_at is not None]
        return max(times) if self.complete and times else None

    @property
    def components(self) -> tuple[Facts, ...]:
        return tuple(facts for step in self.steps for facts in step.credentials)

    @property
    def done(self) -> int:
        return sum(step.state is StepState.DONE for step in self.steps)


def _option_outcome(
    option: Option,
    index: FactIndex,
    used: set[str],
    since: datetime | None,
    demand: dict[str, int],
    earliest_first: bool,
) -> tuple[datetime | None, list[Facts], float]:
    """When the option was met (None if not), the credentials that met it, and credits so far."""
    rule = option.rule
    total = 0.0
    taken: list[Facts] = []
    candidates = index.candidates(option)
    if earliest_first:
        candidates = sorted(candidates, key=lambda f: (f.issued_at, demand[f.id], f.id))
    else:
        candidates = sorted(candidates, key=lambda f: (demand[f.id], f.issued_at, f.id))
    for facts in candidates:
        if facts.id in used or (since is not None and facts.issued_at < since):
            continue
        taken.append(facts)
        if rule is None or rule.min_credits is None:
            return facts.issued_at, taken, 0.0
        total += facts.credits
        if total >= rule.min_credits:
            return max(f.issued_at for f in taken), taken, total
    return None, [], total


def progress(definition: Definition, index: FactIndex) -> Progress:
    """How far the learner whose credentials ``index`` holds has come along the pathway."""
    used: set[str] = set()
    results: dict[str, StepProgress] = {}
    demand: dict[str, int] = defaultdict(int)
    for step in definition.steps:
        for option in step.options:
            for facts in index.candidates(option):
                demand[facts.id] += 1
    awaited = {key for step in definition.steps for key in step.after}
    for step in ordered(definition):
        before = [results[key] for key in step.after]
        if any(b.state is not StepState.DONE for b in before):
            results[step.key] = StepProgress(step, StepState.WAITING, (), (), None, {})
            continue
        times = [b.done_at for b in before if b.done_at is not None]
        since = max(times) if times else None
        met: list[tuple[datetime, int, list[Facts]]] = []
        credits: dict[int, float] = {}
        claimed = set(used)
        for number, option in enumerate(step.options):
            at, taken, total = _option_outcome(option, index, claimed, since, demand, step.key in awaited)
            if at is None:
                if total > 0:
                    credits[number] = total
                continue
            met.append((at, number, taken))
            claimed.update(f.id for f in taken)
        met.sort(key=lambda m: (m[0], m[1]))
        counted = met[: step.choose]
        if len(counted) == step.choose:
            chosen = tuple(f for _, _, taken in counted for f in taken)
            used.update(f.id for f in chosen)
            done_at = max(at for at, _, _ in counted)
            satisfied = tuple(sorted(number for _, number, _ in counted))
            results[step.key] = StepProgress(step, StepState.DONE, satisfied, chosen, done_at, {})
            continue
        state = StepState.IN_PROGRESS if counted or credits else StepState.NEXT
        satisfied = tuple(sorted(number for _, number, _ in counted))
        shown = tuple(f for _, _, taken in counted for f in taken)
        results[step.key] = StepProgress(step, state, satisfied, shown, None, credits)
    return Progress(tuple(results[step.key] for step in definition.steps))
