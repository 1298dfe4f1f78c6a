"""The trust decision on its own (pure): scope matching, levels read from alignments, plain messages."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from network.trust_policy import (
    AchievementFacts,
    RegistryEntry,
    Scope,
    State,
    achievement_facts,
    current_entry,
    decide,
    describe_levels,
    describe_scope,
    out_of_scope,
)
from vc.report import Trust

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
ISSUER = "did:web:passport.test:issuers:abc"
OPERATOR = "National Skills Network"
COURSE_SCOPE = Scope(sectors=("Construction",), levels=("RQF 2", "RQF 3"), kinds=("course",))


def entry(**changes: Any) -> RegistryEntry:
    values: dict[str, Any] = {
        "accreditation_id": "0" * 32,
        "issuer_id": ISSUER,
        "name": "Midlands College",
        "url": None,
        "logo_url": "https://college.example/logo.png",
        "scope": COURSE_SCOPE,
        "valid_from": datetime(2025, 9, 1, tzinfo=UTC),
        "valid_until": datetime(2027, 8, 31, tzinfo=UTC),
        "state": State.ACTIVE,
        "reason": None,
        "changed_at": datetime(2025, 9, 1, tzinfo=UTC),
    }
    return RegistryEntry(**{**values, **changes})


def credential(
    achievement_type: str = "Course",
    level: str | None = "3",
    framework: str = "Regulated Qualifications Framework",
    sector: str | None = "Construction",
) -> dict[str, Any]:
    """Shaped as issuers.issuing writes an achievement (level alignment, fieldOfStudy)."""
    achievement: dict[str, Any] = {"achievementType": achievement_type, "alignment": []}
    if level is not None:
        achievement["alignment"].append(
            {"targetName": f"Level {level}", "targetFramework": framework, "targetCode": level}
        )
    if sector is not None:
        achievement["fieldOfStudy"] = sector
    return {"credentialSubject": {"achievement": achievement}}


@pytest.mark.parametrize(
    ("alignment", "levels"),
    [
        ({"targetFramework": "Regulated Qualifications Framework", "targetCode": "3"}, ("RQF 3",)),
        ({"targetFramework": "Regulated Qualifications Framework", "targetCode": "RQF-3"}, ("RQF 3",)),
        ({"targetFramework": "Scottish Credit and Qualifications Framework", "targetCode": "7"}, ("SCQF 7",)),
        ({"targetFramework": "Regulated Qualifications Framework", "targetCode": "Entry"}, ("RQF Entry",)),
        ({"targetName": "RQF Level 2", "targetUrl": "https://example.org"}, ("RQF 2",)),
        ({"targetFramework": "Some skills framework", "targetCode": "3"}, ()),  # no framework we know
        (
            {"targetFramework": "Regulated Qualifications Framework", "targetCode": "SCQF 3"},
            (),
        ),  # contradictory
        ({"targetCode": "ST1234"}, ()),
    ],
)
def test_levels_are_read_from_rqf_and_scqf_alignments(
    alignment: dict[str, Any], levels: tuple[str, ...]
) -> None:
    document = {"credentialSubject": {"achievement": {"alignment": [alignment]}}}
    assert achievement_facts(document).levels == levels


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"credentialSubject": "x"},
        {"credentialSubject": [1, {"achievement": []}]},
        {"credentialSubject": None},
    ],
)
def test_facts_of_hostile_or_empty_input_are_empty(document: dict[str, Any]) -> None:
    assert achievement_facts(document) == AchievementFacts()


def test_achievement_types_map_back_to_kinds() -> None:
    assert achievement_facts(credential("Course")).kind == "course"
    assert achievement_facts(credential("Award")).kind == "competition"
    assert achievement_facts(credential("ext:InternationalSkillsExchange")).kind == "exchange_visit"
    assert achievement_facts(credential("Certificate")).kind is None


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (credential(), None),
        (credential(sector="construction"), None),  # sectors compare without case
        (credential(level="2"), None),
        (credential("Award"), "this credential's achievement is of type Award"),
        (credential(level="4"), "this credential is at RQF 4"),
        (credential(level=None), "this credential states no RQF or SCQF level"),
        (
            credential(framework="Scottish Credit and Qualifications Framework"),
            "this credential is at SCQF 3",
        ),
        (credential(sector="Digital"), "this credential is in Digital"),
        (credential(sector=None), "this credential states no sector (fieldOfStudy)"),
    ],
)
def test_scope_matching(document: dict[str, Any], reason: str | None) -> None:
    assert out_of_scope(COURSE_SCOPE, achievement_facts(document)) == reason


def test_an_empty_scope_covers_anything() -> None:
    assert out_of_scope(Scope(), achievement_facts({})) is None
    assert describe_scope(Scope()) == "any achievement"


def test_scope_descriptions_read_as_english() -> None:
    assert describe_scope(COURSE_SCOPE) == "courses at RQF 2-3 in Construction"
    assert (
        describe_scope(Scope(kinds=("course", "competition"), sectors=("Construction", "Digital")))
        == "courses and competitions in Construction or Digital"
    )
    assert (
        describe_levels(["RQF Entry", "RQF 1", "RQF 3", "SCQF 5", "SCQF 6"]) == "RQF Entry-1, 3 and SCQF 5-6"
    )


def test_accredited_names_the_operator_the_scope_and_the_end_date() -> None:
    decision = decide([entry()], ISSUER, credential(), NOW, OPERATOR)
    assert decision.trust is Trust.ACCREDITED
    assert decision.message == (
        "Midlands College is accredited by National Skills Network for courses at RQF 2-3 in Construction "
        "until 2027-08-31."
    )
    assert decision.issuer_name == "Midlands College"
    assert decision.issuer_logo == "https://college.example/logo.png"


@pytest.mark.parametrize(
    ("changes", "document", "trust", "message"),
    [
        ({}, credential("Award"), Trust.OUTSIDE_SCHEME, "but this credential's achievement is of type Award"),
        (
            {"valid_from": datetime(2027, 1, 1, tzinfo=UTC)},
            credential(),
            Trust.OUTSIDE_SCHEME,
            "only from 2027-01-01",
        ),
        (
            {"valid_until": datetime(2026, 8, 31, tzinfo=UTC)},
            credential(),
            Trust.NOT_TRUSTWORTHY,
            "expired on 2026-08-31",
        ),
        (
            {
                "state": State.SUSPENDED,
                "reason": "QA review",
                "changed_at": datetime(2026, 10, 1, tzinfo=UTC),
            },
            credential(),
            Trust.NOT_TRUSTWORTHY,
            "is suspended since 2026-10-01: QA review.",
        ),
        (
            {"state": State.WITHDRAWN, "reason": "closed", "changed_at": datetime(2026, 10, 2, tzinfo=UTC)},
            credential("Award"),  # out of scope, but withdrawn says more
            Trust.NOT_TRUSTWORTHY,
            "was withdrawn on 2026-10-02: closed.",
        ),
    ],
)
def test_the_three_answers(
    changes: dict[str, Any], document: dict[str, Any], trust: Trust, message: str
) -> None:
    decision = decide([entry(**changes)], ISSUER, document, NOW, OPERATOR)
    assert decision.trust is trust
    assert message in decision.message


def test_an_issuer_not_on_the_register_is_outside_the_scheme() -> None:
    decision = decide([entry(issuer_id="did:web:elsewhere")], ISSUER, credential(), NOW, OPERATOR)
    assert decision.trust is Trust.OUTSIDE_SCHEME
    assert (
        decision.message
        == f"The issuer {ISSUER} is not on National Skills Network's register of quality-assured providers."
    )
    assert decision.issuer_name is None


def test_a_new_accreditation_speaks_for_the_issuer_over_a_withdrawn_one() -> None:
    old = entry(accreditation_id="1" * 32, state=State.WITHDRAWN, changed_at=datetime(2026, 1, 1, tzinfo=UTC))
    new = entry(accreditation_id="2" * 32, changed_at=datetime(2025, 1, 1, tzinfo=UTC))
    assert current_entry([old, new]) == new
    assert decide([old, new], ISSUER, credential(), NOW, OPERATOR).trust is Trust.ACCREDITED
    later = entry(
        accreditation_id="3" * 32, state=State.WITHDRAWN, changed_at=datetime(2026, 6, 1, tzinfo=UTC)
    )
    assert current_entry([old, later]) == later


def test_the_offline_checker_needs_no_database_and_no_web_framework() -> None:
    """A verifier elsewhere (or `passport verify` offline) imports the trust list checker alone."""
    code = (
        "import sys, network.trust_list, network.trust_policy; "
        "print(sorted(m for m in ('sqlalchemy', 'fastapi', 'starlette', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
