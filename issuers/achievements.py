"""Editing and archiving achievements, and their versions.

**Versions.** Each edit that changes an achievement's definition makes the next version: the version it
replaces is kept in ``achievement_version`` and never changed again, and the achievement row holds the
current one. A credential records the version it was issued with (``achievement_version``) and its signed
document holds that version's definition, read in the same row read as the version number. Because no
version is ever changed once a credential can have read it, an edit racing an issue cannot mix two
versions in one credential: the credential is wholly the version it read, and it says which. Two edits
racing each other are a compare-and-set on the version: the second is a 409 (reload and edit again).
Credentials issued from version 2 on carry the version in the OB 3.0 ``Achievement.version``.

**Archive.** An archived achievement issues nothing more (409); what was issued stays verifiable, its
public page stays up, and it can be restored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.i18n import gettext
from core.problems import Conflict, NotFound, ValidationFailed

from . import service
from .api_models import AchievementCreate, AchievementUpdate
from .models import Achievement, AchievementVersion


def issuable(session: Session, issuer_id: str, achievement_id: str) -> Achievement:
    """The provider's achievement, if credentials may still be issued with it (409 when archived)."""
    achievement = session.scalar(
        select(Achievement).where(Achievement.id == achievement_id, Achievement.issuer_id == issuer_id)
    )
    if achievement is None:
        raise NotFound(gettext("no achievement %(id)r", id=achievement_id))
    if achievement.archived_at is not None:
        raise Conflict(gettext("this achievement is archived: nothing more can be issued with it"))
    return achievement


def update_achievement(
    session: Session,
    config: service.IssuerConfig,
    achievement: Achievement,
    data: AchievementUpdate,
    now: datetime,
) -> Achievement:
    """Apply the fields sent (``null`` clears an optional one) as the next version; an edit that changes
    nothing makes no version. The kind never changes (it is the credential's ``achievementType``)."""
    changes = data.model_dump(mode="json", exclude_unset=True)
    merged: dict[str, Any] = {
        key: value for key, value in (achievement.definition | changes).items() if value is not None
    }
    try:
        definition = service.definition_of(AchievementCreate.model_validate(merged))
    except ValidationError as error:
        raise ValidationFailed(
            gettext("The request is not valid: see errors."),
            [{"loc": ["body", *map(str, e["loc"])], "msg": e["msg"]} for e in error.errors()],
        ) from None
    if definition == achievement.definition:
        return achievement
    if definition.get("community") is not None and definition.get("community") != achievement.definition.get(
        "community"
    ):
        service.check_community(session, config, definition["community"])
    if definition.get("image") is not None and definition["image"] != achievement.definition.get("image"):
        service.check_image(session, achievement.issuer_id, definition["image"])
    version = achievement.version
    # Compare-and-set: of two edits of one version, only the first applies.
    changed = session.execute(
        update(Achievement)
        .where(Achievement.id == achievement.id, Achievement.version == version)
        .values(definition=definition, version=version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(gettext("the achievement was changed meanwhile: reload it and edit again"))
    session.add(
        AchievementVersion(
            achievement_id=achievement.id,
            version=version,
            definition=achievement.definition,
            created_at=achievement.updated_at or achievement.created_at,
        )
    )
    session.flush()
    session.refresh(achievement)
    return achievement


def archive(session: Session, achievement: Achievement, now: datetime) -> Achievement:
    if achievement.archived_at is not None:
        raise Conflict(gettext("this achievement is archived already"))
    achievement.archived_at = now
    session.flush()
    return achievement


def restore(session: Session, achievement: Achievement) -> Achievement:
    if achievement.archived_at is None:
        raise Conflict(gettext("this achievement is not archived"))
    achievement.archived_at = None
    session.flush()
    return achievement


def versions(session: Session, achievement: Achievement) -> list[tuple[int, dict[str, Any], datetime]]:
    """Every version, oldest first: (version, definition, when it became current)."""
    older = session.scalars(
        select(AchievementVersion)
        .where(AchievementVersion.achievement_id == achievement.id)
        .order_by(AchievementVersion.version)
    )
    found = [(row.version, row.definition, row.created_at) for row in older]
    return [
        *found,
        (achievement.version, achievement.definition, achievement.updated_at or achievement.created_at),
    ]


def at_version(session: Session, achievement: Achievement, version: int) -> Achievement:
    """The achievement as it was at `version`: a detached copy, never added to a session (404 if none)."""
    if version == achievement.version:
        definition = achievement.definition
    else:
        row = session.get(AchievementVersion, (achievement.id, version))
        if row is None:
            raise NotFound(gettext("no version %(version)d of this achievement", version=version))
        definition = row.definition
    return Achievement(
        id=achievement.id,
        issuer_id=achievement.issuer_id,
        kind=achievement.kind,
        definition=definition,
        created_at=achievement.created_at,
        version=version,
        archived_at=achievement.archived_at,
    )


def find_public(session: Session, achievement_id: str) -> Achievement:
    """Any provider's achievement by id, for its public page (its URL is in every credential of it)."""
    achievement = session.get(Achievement, achievement_id) if len(achievement_id) <= 32 else None
    if achievement is None:
        raise NotFound(gettext("no achievement %(id)r", id=achievement_id[:40]))
    return achievement
