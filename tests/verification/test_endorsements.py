"""Embedded endorsements, verified on their own: a scheme approval (the operator's EndorsementCredential
in the Achievement) is reported as data and as the ``approval`` answer, apart from the provider's
``trust``; a withdrawn approval is revoked without invalidating the credential; an endorsement by anyone
else, a forged one or one copied from another achievement is reported and never trusted."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import ADMIN_TOKEN
from tests.issuers.conftest import auth
from tests.verification.conftest import SAMPLE, issue, verify
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.keys import KeyType, PrivateKey
from verification.api_models import CredentialVerificationOut

OPERATOR = auth(ADMIN_TOKEN)
STATEMENT = "Assessed by two qualified assessors; internally verified and moderated each term."
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def approved(client: TestClient, provider: dict[str, Any]) -> str:
    submitted = client.post(
        "/api/v1/approvals",
        json={"achievement_id": provider["achievement_id"], "quality_statement": STATEMENT},
        headers=auth(provider["api_key"]),
    ).json()
    response = client.post(f"/api/v1/admin/approvals/{submitted['id']}/approve", headers=OPERATOR)
    assert response.status_code == 200, response.text
    approval_id: str = submitted["id"]
    return approval_id


def did_key_credential(
    endorsements: list[dict[str, Any]], achievement_id: str | None = None
) -> dict[str, Any]:
    """The sample credential, issued by a did:key (no status entry), its achievement endorsed as given."""
    key = PrivateKey.generate(KeyType.ED25519)
    did = did_key_for(key.public_key)
    credential = copy.deepcopy(json.loads(SAMPLE.read_text(encoding="utf-8")))
    credential["issuer"] = {"id": did, "type": ["Profile"], "name": "Someone"}
    del credential["credentialStatus"]
    del credential["validUntil"]
    achievement = credential["credentialSubject"]["achievement"]
    if achievement_id is not None:
        achievement["id"] = achievement_id
    achievement["endorsement"] = endorsements
    return data_integrity.sign(credential, key, did_key_verification_method_id(key.public_key), NOW)


def did_key_endorsement(subject: str) -> dict[str, Any]:
    key = PrivateKey.generate(KeyType.ED25519)
    did = did_key_for(key.public_key)
    unsigned = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:5d0c3f4e-6a63-4c7e-9d6c-3f2f3e0f8b11",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Skills Passport Quality Scheme",
        "issuer": {"id": did, "type": ["Profile"], "name": "National Skills Network"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": subject,
            "type": ["EndorsementSubject"],
            "endorsementComment": "Approved",
        },
    }
    return data_integrity.sign(unsigned, key, did_key_verification_method_id(key.public_key), NOW)


def test_an_approved_achievement_is_reported_apart_from_the_providers_accreditation(
    client: TestClient, provider: dict[str, Any]
) -> None:
    approval_id = approved(client, provider)
    credential = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    report = verify(client, credential)
    assert report["verified"] is True
    assert report["trust"] == "outside_scheme"  # the provider is not accredited ...
    assert report["approval"]["state"] == "approved"  # ... but its achievement is approved
    assert report["approval"]["scheme"] == "Skills Passport Quality Scheme"
    assert (
        report["approval"]["date"]
        == credential["credentialSubject"]["achievement"]["endorsement"][0]["validFrom"]
    )
    assert report["approval"]["endorser"] == "National Skills Network"
    (endorsement,) = report["endorsements"]
    assert endorsement["state"] == "verified"
    assert endorsement["where"] == "achievement"
    assert endorsement["schemeOperator"] is True
    assert endorsement["endorsesThis"] is True
    assert endorsement["id"].endswith(f"/approvals/{approval_id}")
    assert (
        CredentialVerificationOut.model_validate(report).model_dump(mode="json", exclude_unset=True) == report
    )


def test_a_withdrawn_approval_is_revoked_and_the_credential_stays_valid(
    client: TestClient, provider: dict[str, Any]
) -> None:
    approval_id = approved(client, provider)
    credential = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    response = client.post(
        f"/api/v1/admin/approvals/{approval_id}/withdraw", json={"reason": "No moderator."}, headers=OPERATOR
    )
    assert response.status_code == 200, response.text
    report = verify(client, credential)
    assert report["verified"] is True
    assert report["status"]["state"] == "valid"  # the credential's own status: its provider's
    assert report["approval"]["state"] == "withdrawn"
    assert report["endorsements"][0]["state"] == "revoked"
    # The published status list says so to every other verifier too.
    status_url = credential["credentialSubject"]["achievement"]["endorsement"][0]["credentialStatus"]
    listed = client.get(status_url["statusListCredential"].removeprefix("https://passport.test"))
    assert listed.status_code == 200
    assert listed.json()["issuer"] == "did:web:passport.test:operator"


def test_an_endorsement_whose_endorser_is_not_the_operator_is_reported_not_trusted(
    client: TestClient,
) -> None:
    achievement = "https://passport.example.ac.uk/achievements/data-analysis-fundamentals-l3"
    report = verify(client, did_key_credential([did_key_endorsement(achievement)]))
    (endorsement,) = report["endorsements"]
    assert endorsement["state"] == "verified"  # genuine: its own proof verifies ...
    assert endorsement["schemeOperator"] is False  # ... but by somebody else, whatever its name says
    assert endorsement["endorsesThis"] is True
    assert report["approval"] == {"state": "not_trusted", "scheme": None, "date": None, "endorser": None}


def test_a_forged_or_borrowed_operator_endorsement_is_not_an_approval(
    client: TestClient, provider: dict[str, Any]
) -> None:
    approved(client, provider)
    credential = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    genuine = credential["credentialSubject"]["achievement"]["endorsement"][0]
    # Copied into another achievement's credential: genuine, by the operator, but not about this one.
    borrowed = verify(client, did_key_credential([genuine]))
    assert borrowed["endorsements"][0]["state"] == "verified"
    assert borrowed["endorsements"][0]["schemeOperator"] is True
    assert borrowed["endorsements"][0]["endorsesThis"] is False
    assert borrowed["approval"]["state"] == "not_trusted"
    # Altered after the operator signed it (its comment, its subject): its own proof fails.
    altered = copy.deepcopy(genuine)
    altered["credentialSubject"]["endorsementComment"] = "Outstanding"
    forged = verify(client, did_key_credential([altered], achievement_id=genuine["credentialSubject"]["id"]))
    assert forged["verified"] is True  # the credential's own proof is fine
    assert forged["endorsements"][0]["state"] == "not_verified"
    assert forged["approval"]["state"] == "not_trusted"


def test_a_credential_without_endorsements_is_not_approved(
    client: TestClient, provider: dict[str, Any]
) -> None:
    credential = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    report = verify(client, credential)
    assert report["endorsements"] == []
    assert report["approval"]["state"] == "not_approved"


def test_a_credential_whose_proof_fails_has_its_endorsements_skipped(
    client: TestClient, provider: dict[str, Any]
) -> None:
    approved(client, provider)
    credential = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    credential["name"] = "Altered"
    report = verify(client, credential)
    assert report["verified"] is False
    assert report["endorsements"] == []
    assert report["approval"]["state"] == "not_approved"


def employer_page(client: TestClient, credential_url: str, lang: str | None = None) -> str:
    path = credential_url.removeprefix("https://passport.test")
    response = client.get(path + (f"?lang={lang}" if lang else ""), headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    return response.text


def test_the_employer_page_says_approved_under_the_scheme_on_a_date(
    client: TestClient, provider: dict[str, Any]
) -> None:
    approved(client, provider)
    issued = issue(client, provider["api_key"], provider["achievement_id"])
    endorsement = issued["credential"]["credentialSubject"]["achievement"]["endorsement"][0]
    day = datetime.fromisoformat(endorsement["validFrom"])
    html = employer_page(client, issued["verification_url"])
    assert 'data-approval="approved"' in html
    assert f"Approved under Skills Passport Quality Scheme on {day.day} {day:%B %Y}" in html
    welsh = employer_page(client, issued["verification_url"], "cy")
    assert f"Cymeradwywyd o dan Skills Passport Quality Scheme ar {day.day} " in welsh
    assert "Approved under" not in welsh


def test_the_employer_page_says_a_withdrawn_approval_is_withdrawn_and_the_verdict_stands(
    client: TestClient, provider: dict[str, Any]
) -> None:
    approval_id = approved(client, provider)
    issued = issue(client, provider["api_key"], provider["achievement_id"])
    withdrawn = client.post(
        f"/api/v1/admin/approvals/{approval_id}/withdraw", json={"reason": "x"}, headers=OPERATOR
    )
    assert withdrawn.status_code == 200
    html = employer_page(client, issued["verification_url"], "en")
    assert 'data-approval="withdrawn"' in html
    assert "Approval under Skills Passport Quality Scheme withdrawn" in html
    assert 'data-verdict="outside_scheme"' in html  # the credential's own verdict: as before


def test_the_employer_page_says_nothing_of_approval_without_endorsements(
    client: TestClient, provider: dict[str, Any]
) -> None:
    issued = issue(client, provider["api_key"], provider["achievement_id"])
    assert "data-approval" not in employer_page(client, issued["verification_url"])
