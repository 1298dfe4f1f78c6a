"""Demo data a newcomer can look at: a college issues a course credential, signed both ways.

`demo_credential` is also the representative credential for tests and benchmarks of the core.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schemas.models import (
    Achievement,
    AchievementCredential,
    AchievementSubject,
    Alignment,
    Criteria,
    Evidence,
    IdentityObject,
    Image,
    Profile,
    Result,
    ResultDescription,
)
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.jwt import sign_jwt
from vc.keys import KeyType, PrivateKey

BASE = "https://passport.example.ac.uk"


def demo_credential(
    issuer_id: str, *, email: str = "sam.learner@example.com", salt: str = "demo-salt"
) -> dict[str, Any]:
    """An unsigned OB 3.0 credential for a Level 3 course at a further-education college."""
    achievement_id = f"{BASE}/achievements/net-zero-heat-pumps"
    grade = f"{achievement_id}#grade"
    credential = AchievementCredential(
        id=f"{BASE}/credentials/3f1c8a52-6a64-4a0e-9d1b-0d8e4c1f7a10",
        name="Heat Pump Installation (Level 3) — Sam Learner",
        description="Awarded for completing the Level 3 heat pump installation course.",
        issuer=Profile(
            id=issuer_id,
            name="Midlands Further Education College",
            url="https://college.example.ac.uk",
            email="credentials@college.example.ac.uk",
            image=Image(id="https://college.example.ac.uk/logo.png", caption="College logo"),
        ),
        valid_from=datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
        valid_until=datetime(2031, 7, 1, 9, 0, tzinfo=UTC),
        credential_subject=AchievementSubject(
            identifier=[IdentityObject.hashed_email(email, salt)],
            achievement=Achievement(
                id=achievement_id,
                achievement_type="Course",
                name="Heat Pump Installation (Level 3)",
                description=(
                    "Design, install and commission air-source and ground-source heat pumps in domestic "
                    "properties, to MCS standards, as part of the Net Zero community of practice."
                ),
                criteria=Criteria(
                    narrative=(
                        "Learners complete 60 guided learning hours, a practical installation assessed "
                        "on site, and a written assessment on system design and refrigerant handling."
                    )
                ),
                image=Image(id=f"{BASE}/images/heat-pumps.png", caption="Heat pump badge"),
                alignment=[
                    Alignment(
                        target_name="Low carbon heating technician",
                        target_url="https://www.instituteforapprenticeships.org/apprenticeship-standards/st1234",
                        target_framework="Institute for Apprenticeships and Technical Education",
                        target_code="ST1234",
                    ),
                    Alignment(
                        target_name="RQF Level 3",
                        target_url="https://www.gov.uk/what-different-qualification-levels-mean",
                        target_framework="Regulated Qualifications Framework",
                        target_code="RQF-3",
                    ),
                ],
                result_description=[
                    ResultDescription(
                        id=grade,
                        name="Final grade",
                        result_type="LetterGrade",
                        allowed_value=["Pass", "Merit", "Distinction"],
                    )
                ],
                credits_available=6,
                field_of_study="Building services engineering",
                specialization="Heat pumps",
                in_language="en-GB",
                tag=["net zero", "heat pumps", "level 3"],
            ),
            result=[Result(result_description=grade, value="Distinction")],
            activity_start_date=datetime(2026, 4, 13, tzinfo=UTC),
            activity_end_date=datetime(2026, 6, 26, tzinfo=UTC),
        ),
        evidence=[
            Evidence(
                id=f"{BASE}/evidence/7b2e",
                name="Commissioning report",
                description="Commissioning report for a 7 kW air-source heat pump on the training rig.",
                genre="Practical assessment",
            )
        ],
    )
    return credential.to_json()


def write_demo(directory: Path, now: datetime) -> dict[str, Path]:
    """Create a did:key issuer, sign the demo credential both ways, and write the files."""
    key = PrivateKey.generate(KeyType.ED25519)
    issuer = did_key_for(key.public_key)
    method = did_key_verification_method_id(key.public_key)
    unsigned = demo_credential(issuer)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"ldp": directory / "credential.json", "jwt": directory / "credential.jwt"}
    paths["ldp"].write_text(json.dumps(data_integrity.sign(unsigned, key, method, now), indent=2) + "\n")
    paths["jwt"].write_text(sign_jwt(unsigned, key, kid=method) + "\n")
    return paths
