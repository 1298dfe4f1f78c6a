"""Demo data of the console's achievements: the college's competition award gets a designed badge (its
version 2), so the demo shows a provider's own badge and credentials that kept the version they were
issued with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from issuers import achievements as achievement_versions
from issuers import badge_design, images, service
from issuers.api_models import AchievementUpdate

DEMO_BADGE = ("Regional Skills Competition: Electrical Installation, Gold", "shield", "charcoal", "trophy")


def seed_demo_badges(
    session: Session, config: service.IssuerConfig, achievements: dict[str, str], now: datetime
) -> None:
    name, shape, colours, icon = DEMO_BADGE
    achievement_id = achievements.get(name)
    if achievement_id is None:
        return
    design = badge_design.Design(shape, colours, icon, "Electrical Installation Gold")
    achievement = achievement_versions.find_public(session, achievement_id)
    drawn = images.checked_image(badge_design.design_svg(design).encode())
    stored = images.store(session, achievement.issuer_id, drawn, now)
    update = AchievementUpdate.model_validate({"image": stored.sha256})
    achievement_versions.update_achievement(session, config, achievement, update, now)
