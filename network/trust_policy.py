"""What an accreditation means for one credential: the three answers of the quality-assurance scheme.

Pure (no database, no web): the database registry and the trust-list snapshot both hand their entries
to `decide`, so a verifier online and one offline with a cached trust list give the same answer.

* **accredited**: the issuer is on the register, its accreditation is active and in date at ``now``, and
  the credential's achievement is in scope;
* **outside the scheme** (a warning): the credential is authentic, but the issuer is not on the register,
  or not yet accredited, or the achievement is outside the accredited scope;
* **not trustworthy** (a failure): the accreditation is suspended, withdrawn or expired.

The network operator's own signed documents (the trust list, the CLR exports it signs for learners) are
the scheme's own: `SchemeRegistry` answers for the operator's DID itself ("issued by the network
operator, <name>"), with the operator's name as the registry's, and asks the register about anyone else.

The achievement's kind, level and sector are read where `issuers.issuing` writes them in OB 3.0:
``achievementType`` (mapped back to a kind), an ``alignment`` to the RQF or SCQF (``targetFramework``
and ``targetCode``), and ``fieldOfStudy``. Nothing else the credential says about its issuer is used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from schemas.vocabulary import KIND_OF_ACHIEVEMENT_TYPE, AchievementKind
from vc.report import Trust
from vc.verify import IssuerRegistry, TrustDecision

LEVEL_PATTERN = r"^(RQF|SCQF) (Entry|[0-9]{1,2})$"

_KIND_PLURALS = {
    AchievementKind.COURSE: "courses",
    AchievementKind.COMMUNITY_OF_PRACTICE: "communities of practice",
    AchievementKind.EXCHANGE_VISIT: "exchange visits",
    AchievementKind.EVENT: "events",
    AchievementKind.COMPETITION: "competitions",
}
_KINDS = frozenset(kind.value for kind in AchievementKind)
_FRAMEWORKS = {
    "rqf": "RQF",
    "regulated qualifications framework": "RQF",
    "scqf": "SCQF",
    "scottish credit and qualifications framework": "SCQF",
}
_LEVEL_CODE = re.compile(r"^(?:(RQF|SCQF)[\s-]*)?(?:level\s*)?(entry|[0-9]{1,2})$", re.IGNORECASE)


class State(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Scope:
    """What an accreditation covers; an empty dimension covers anything."""

    sectors: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()  # "RQF 3", "SCQF Entry"
    kinds: tuple[str, ...] = ()  # AchievementKind values


@dataclass(frozen=True)
class RegistryEntry:
    """One accreditation as the registry states it (from the database or a verified trust list)."""

    accreditation_id: str
    issuer_id: str
    name: str
    url: str | None
    logo_url: str | None
    scope: Scope
    valid_from: datetime
    valid_until: datetime
    state: State
    reason: str | None
    changed_at: datetime


@dataclass(frozen=True)
class AchievementFacts:
    """What the credential says about its achievement, as far as the scope is concerned."""

    achievement_type: str | None = None
    kind: str | None = None
    levels: tuple[str, ...] = ()
    sector: str | None = None


def achievement_facts(credential: Mapping[str, Any]) -> AchievementFacts:
    """Read kind, level and sector defensively: the credential is untrusted input."""
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    achievement = next(
        (
            s["achievement"]
            for s in subjects
            if isinstance(s, Mapping) and isinstance(s.get("achievement"), Mapping)
        ),
        None,
    )
    if achievement is None:
        return AchievementFacts()
    achievement_type = achievement.get("achievementType")
    achievement_type = achievement_type if isinstance(achievement_type, str) else None
    sector = achievement.get("fieldOfStudy")
    alignments = achievement.get("alignment")
    levels = _levels(alignments if isinstance(alignments, list) else [])
    return AchievementFacts(
        achievement_type=achievement_type,
        kind=KIND_OF_ACHIEVEMENT_TYPE.get(achievement_type or ""),
        levels=levels,
        sector=sector.strip() if isinstance(sector, str) and sector.strip() else None,
    )


def _levels(alignments: Iterable[Any]) -> tuple[str, ...]:
    found: list[str] = []
    for alignment in alignments:
        if not isinstance(alignment, Mapping):
            continue
        framework = alignment.get("targetFramework")
        prefix = _FRAMEWORKS.get(framework.strip().casefold()) if isinstance(framework, str) else None
        for field in ("targetCode", "targetName"):
            value = alignment.get(field)
            match = _LEVEL_CODE.match(value.strip()) if isinstance(value, str) else None
            if match is None:
                continue
            framework_named = (match.group(1) or "").upper() or None
            if prefix and framework_named and framework_named != prefix:
                break  # contradictory: ignore this alignment rather than guess
            chosen = prefix or framework_named
            if chosen is not None:
                number = match.group(2)
                level = f"{chosen} {'Entry' if number.lower() == 'entry' else int(number)}"
                if level not in found:
                    found.append(level)
            break
    return tuple(found)


def out_of_scope(scope: Scope, facts: AchievementFacts) -> str | None:
    """Why the achievement is outside the scope, in plain words; None when it is inside."""
    if scope.kinds and facts.kind not in scope.kinds:
        what = f"of type {facts.achievement_type}" if facts.achievement_type else "of no stated type"
        return f"this credential's achievement is {what}"
    if scope.levels:
        if not facts.levels:
            return "this credential states no RQF or SCQF level"
        outside = [level for level in facts.levels if level not in scope.levels]
        if outside:
            return f"this credential is at {', '.join(outside)}"
    if scope.sectors:
        wanted = {sector.casefold() for sector in scope.sectors}
        if facts.sector is None:
            return "this credential states no sector (fieldOfStudy)"
        if facts.sector.casefold() not in wanted:
            return f"this credential is in {facts.sector}"
    return None


def describe_scope(scope: Scope) -> str:
    """E.g. "courses and competitions at RQF 2-3 in Construction"."""
    kinds = [_KIND_PLURALS.get(AchievementKind(k), k) if k in _KINDS else k for k in scope.kinds]
    text = _and(kinds) if kinds else "any achievement"
    if scope.levels:
        text += f" at {describe_levels(scope.levels)}"
    if scope.sectors:
        text += f" in {_and(list(scope.sectors), 'or')}"
    return text


def describe_levels(levels: Sequence[str]) -> str:
    """Consecutive levels as ranges per framework: ["RQF 2", "RQF 3", "SCQF 5"] -> "RQF 2-3 and SCQF 5"."""
    by_framework: dict[str, list[int]] = {}
    for level in levels:
        framework, _, value = level.partition(" ")
        by_framework.setdefault(framework, []).append(0 if value == "Entry" else int(value))
    parts = []
    for framework, numbers in by_framework.items():
        runs: list[list[int]] = []
        for number in sorted(set(numbers)):
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        shown = [
            "-".join(_level_name(n) for n in (run[0], run[-1])) if len(run) > 1 else _level_name(run[0])
            for run in runs
        ]
        parts.append(f"{framework} {', '.join(shown)}")
    return _and(parts)


def _level_name(number: int) -> str:
    return "Entry" if number == 0 else str(number)


def _and(items: list[str], word: str = "and") -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def current_entry(entries: Iterable[RegistryEntry]) -> RegistryEntry | None:
    """The accreditation that speaks for the issuer now: the one not withdrawn, else the latest withdrawn."""
    ordered = sorted(entries, key=lambda entry: (entry.state is not State.WITHDRAWN, entry.changed_at))
    return ordered[-1] if ordered else None


def decide(
    entries: Iterable[RegistryEntry],
    issuer_id: str,
    credential: Mapping[str, Any],
    now: datetime,
    operator: str,
) -> TrustDecision:
    """The trust decision for a credential whose proof and issuer-key binding have already passed."""
    entry = current_entry(e for e in entries if e.issuer_id == issuer_id)
    if entry is None:
        return TrustDecision(
            Trust.OUTSIDE_SCHEME,
            f"The issuer {issuer_id} is not on {operator}'s register of quality-assured providers.",
        )

    def answer(trust: Trust, message: str) -> TrustDecision:
        return TrustDecision(trust, message, issuer_name=entry.name, issuer_logo=entry.logo_url)

    name, scope = entry.name, describe_scope(entry.scope)
    because = f": {entry.reason}" if entry.reason else ""
    if entry.state is State.WITHDRAWN:
        return answer(
            Trust.NOT_TRUSTWORTHY,
            f"{name}'s accreditation by {operator} was withdrawn on {_day(entry.changed_at)}{because}.",
        )
    if entry.state is State.SUSPENDED:
        return answer(
            Trust.NOT_TRUSTWORTHY,
            f"{name}'s accreditation by {operator} is suspended since {_day(entry.changed_at)}{because}.",
        )
    if now > entry.valid_until:
        return answer(
            Trust.NOT_TRUSTWORTHY,
            f"{name}'s accreditation by {operator} expired on {_day(entry.valid_until)}.",
        )
    if now < entry.valid_from:
        return answer(
            Trust.OUTSIDE_SCHEME,
            f"{name} is accredited by {operator} for {scope} only from {_day(entry.valid_from)}.",
        )
    reason = out_of_scope(entry.scope, achievement_facts(credential))
    if reason is not None:
        return answer(
            Trust.OUTSIDE_SCHEME,
            f"{name} is accredited by {operator} for {scope}, but {reason}: outside the accredited scope.",
        )
    return answer(
        Trust.ACCREDITED,
        f"{name} is accredited by {operator} for {scope} until {_day(entry.valid_until)}.",
    )


# --- the operator's own documents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Operator:
    """The network operator: its DID (the issuer of the documents it signs) and its name."""

    did: str
    name: str


def operator_decision(operator: Operator) -> TrustDecision:
    """A document the operator itself signed is the scheme's own (its key is bound to the operator's DID
    before any registry is asked: `vc.verify`)."""
    return TrustDecision(
        Trust.ACCREDITED,
        f"Issued by the network operator, {operator.name}: the quality-assurance scheme's own document.",
        issuer_name=operator.name,
        scheme_operator=True,
    )


class SchemeRegistry:
    """`vc.verify.IssuerRegistry` that answers for the operator's own documents and asks `register` about
    every other issuer."""

    def __init__(self, register: IssuerRegistry, operator: Operator) -> None:
        self.register = register
        self.operator = operator

    def decide(self, issuer_id: str, credential: Mapping[str, Any], now: datetime) -> TrustDecision:
        if issuer_id == self.operator.did:
            return operator_decision(self.operator)
        return self.register.decide(issuer_id, credential, now)


def with_operator(
    registry_for: Callable[[Any], IssuerRegistry | None], operator: Operator
) -> Callable[[Any], IssuerRegistry | None]:
    """A ``registry_for(session)`` factory whose registries answer for the operator too (none stays none)."""

    def scheme_registry_for(session: Any) -> IssuerRegistry | None:
        register = registry_for(session)
        return None if register is None else SchemeRegistry(register, operator)

    return scheme_registry_for
