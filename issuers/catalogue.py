"""What the providers of this service offer: every achievement with its provider, as the network's
pathways list who offers each step (`network.pathways`). One query, whatever the number."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import identity, service
from .models import Achievement, Issuer


@dataclass(frozen=True)
class Offered:
    achievement_id: str
    name: str
    provider_id: str
    provider_name: str
    provider_did: str
    provider_url: str
    #: The OB 3.0 Achievement's fields rules read (``achievementType``, ``alignment``, ``fieldOfStudy``,
    #: ``creditsAvailable``), as issued credentials carry them (`issuers.issuing`).
    achievement: dict[str, Any]


def _achievement_json(row: Achievement) -> dict[str, Any]:
    d = row.definition
    alignment = [
        {
            "targetName": a["target_name"],
            "targetCode": a.get("target_code"),
            "targetFramework": a.get("target_framework"),
        }
        for a in d.get("alignments", [])
    ]
    if d.get("level"):  # as issuing writes it: "RQF 3" -> targetName "RQF Level 3", targetCode "3"
        framework, _, level = d["level"].partition(" ")
        alignment.append(
            {
                "targetName": f"{framework} Level {level}",
                "targetCode": level,
                "targetFramework": "Regulated Qualifications Framework"
                if framework == "RQF"
                else "Scottish Credit and Qualifications Framework",
            }
        )
    return {
        "achievementType": service.achievement_type(row),
        "name": d["name"],
        "alignment": alignment,
        "fieldOfStudy": d.get("sector"),
        "creditsAvailable": d.get("credits"),
    }


def offered(session: Session, base_url: str, achievement_ids: Iterable[str] | None = None) -> list[Offered]:
    """Every achievement (or those of ``achievement_ids``) with its provider, by provider then name."""
    query = select(Achievement, Issuer).join(Issuer, Issuer.id == Achievement.issuer_id)
    if achievement_ids is not None:
        wanted = sorted(set(achievement_ids))
        if not wanted:
            return []
        query = query.where(Achievement.id.in_(wanted))
    rows = session.execute(query.order_by(Issuer.name, Achievement.created_at, Achievement.id)).all()
    return [
        Offered(
            achievement_id=achievement.id,
            name=str(achievement.definition["name"]),
            provider_id=issuer.id,
            provider_name=issuer.name,
            provider_did=identity.issuer_did(base_url, issuer.id),
            provider_url=issuer.url,
            achievement=_achievement_json(achievement),
        )
        for achievement, issuer in rows
    ]
