"""Shared vocabulary: the kinds of achievement the network recognises and the OB 3.0 ``achievementType``
each is issued as (OB 3.0's AchievementType enumeration; ``ext:`` where it has no term, as OB 3.0
§Extending enumerated vocabularies allows). Issuing writes the type; the trust policy reads it back to
a kind."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ACHIEVEMENT_TYPES", "KIND_OF_ACHIEVEMENT_TYPE", "AchievementKind"]


class AchievementKind(StrEnum):
    COURSE = "course"
    COMMUNITY_OF_PRACTICE = "community_of_practice"
    EXCHANGE_VISIT = "exchange_visit"
    EVENT = "event"
    COMPETITION = "competition"


#: OB 3.0 achievementType for each kind; ``ext:`` where OB 3.0 has no term (§Extending enumerations).
ACHIEVEMENT_TYPES = {
    AchievementKind.COURSE: "Course",
    AchievementKind.COMMUNITY_OF_PRACTICE: "ext:CommunityOfPracticeParticipation",
    AchievementKind.EXCHANGE_VISIT: "ext:InternationalSkillsExchange",
    AchievementKind.EVENT: "ext:EventParticipation",
    AchievementKind.COMPETITION: "Award",
}

#: The kind each achievementType stands for (the inverse of `ACHIEVEMENT_TYPES`).
KIND_OF_ACHIEVEMENT_TYPE = {
    achievement_type: kind.value for kind, achievement_type in ACHIEVEMENT_TYPES.items()
}
