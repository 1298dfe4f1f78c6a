"""achievementType terms are shown by name: OB 3.0's, the network's ``ext:`` terms, and another issuer's."""

from __future__ import annotations

import pytest

from schemas.vocabulary import ACHIEVEMENT_TYPES
from verification.achievement_types import NAMES, achievement_type_name


@pytest.mark.parametrize(
    ("term", "shown"),
    [
        ("Course", "Course"),
        ("BachelorDegree", "Bachelor's degree"),
        ("ext:CommunityOfPracticeParticipation", "Community of practice participation"),
        ("ext:LabSafetyPass", "Lab Safety Pass"),
        ("ext:", None),
        ("", None),
        (None, None),
    ],
)
def test_terms_by_name(term: str | None, shown: str | None) -> None:
    assert achievement_type_name(term) == shown


def test_every_kind_the_network_issues_has_a_name() -> None:
    assert set(ACHIEVEMENT_TYPES.values()) <= NAMES.keys()
