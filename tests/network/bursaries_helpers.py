"""Helpers for the bursaries tests: a fund, an award taken to any state, and a host's signed endorsement."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from schemas.models import EndorsementCredential, EndorsementSubject, Profile
from tests.conftest import ADMIN_TOKEN
from tests.issuers.conftest import auth
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.keys import KeyType, PrivateKey

OPERATOR = auth(ADMIN_TOKEN)
SIGNED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

FUND = {
    "name": "Skills Exchange Fund 2026",
    "funder": "Worshipful Company of Educators",
    "amount": {"amount": 250000, "currency": "GBP"},
    "criteria": "Open to FE educators. After the visit, share what you learnt: a written report and a "
    "session for colleagues.",
    "requires_report": True,
    "requires_session": True,
}
VISIT = {
    "host_name": "Berufsschule Stuttgart",
    "country": "Germany",
    "start": "2026-09-14",
    "end": "2026-09-20",
    "focus": "WorldSkills national final abroad",
}
REPORT = {"report_url": "https://college.example.ac.uk/reports/stuttgart", "report_summary": "What we saw."}
SESSION = {"session_date": "2026-10-05", "session_audience": 24, "session_title": "Lessons from Stuttgart"}


def create_fund(client: TestClient, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/bursaries/funds", json={**FUND, **changes}, headers=OPERATOR)
    assert response.status_code == 201, response.text
    fund: dict[str, Any] = response.json()
    return fund


def create_award(
    client: TestClient, fund_id: str, provider_id: str, email: str = "ada@college.example"
) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/bursaries/funds/{fund_id}/awards",
        json={
            "educator_name": "Ada Lovelace",
            "educator_email": email,
            "provider_id": provider_id,
            "amount": 150000,
        },
        headers=OPERATOR,
    )
    assert response.status_code == 201, response.text
    award: dict[str, Any] = response.json()
    return award


def step(client: TestClient, award_id: str, action: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/bursaries/awards/{award_id}/{action}", json=body, headers=OPERATOR)


def visited(client: TestClient, award_id: str, **visit: Any) -> dict[str, Any]:
    """Accept the award and record its visit."""
    assert step(client, award_id, "accept").status_code == 200
    response = step(client, award_id, "visit", {**VISIT, **visit})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


class Host:
    """A host organisation with a did:key: it signs endorsements of visits' credentials."""

    def __init__(self, name: str = "Berufsschule Stuttgart") -> None:
        self.name = name
        self.key = PrivateKey.generate(KeyType.ED25519)
        self.did = did_key_for(self.key.public_key)

    def endorse(
        self, subject_id: str, *, signer: PrivateKey | None = None, issuer: str | None = None
    ) -> dict[str, Any]:
        now = SIGNED_AT  # before the staff tests' clock and the real one
        unsigned = EndorsementCredential(
            id=f"urn:uuid:{uuid.uuid4()}",
            name=f"{self.name} hosted this visit",
            issuer=Profile(id=issuer or self.did, name=self.name),
            valid_from=now,
            credential_subject=EndorsementSubject(
                id=subject_id, endorsement_comment="Hosted at the WorldSkills national final."
            ),
        ).to_json()
        key = signer or self.key
        return data_integrity.sign(unsigned, key, did_key_verification_method_id(key.public_key), now)
