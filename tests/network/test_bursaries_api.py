"""Bursaries over the API: a fund, an award taken through its states, the dissemination the fund's
criteria require before the credential, the host's signed co-endorsement (or a named, unsigned host),
and the credential verified by this service's verifier."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from network.bursaries.credential import HOST_GENRE, REPORT_GENRE, SESSION_GENRE, VISIT_GENRE
from schemas.models import EndorsementCredential, EndorsementSubject, Profile
from tests.conftest import assert_problem
from tests.issuers.conftest import create_provider
from tests.network.bursaries_helpers import (
    OPERATOR,
    REPORT,
    SESSION,
    SIGNED_AT,
    Host,
    create_award,
    create_fund,
    step,
    visited,
)
from vc import data_integrity
from vc.keys import KeyType, PrivateKey
from vc.status_list import status_entry


def _verify(client: TestClient, credential: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def _genres(credential: dict[str, Any]) -> list[str]:
    return [entry["genre"] for entry in credential["evidence"]]


def test_signed_host_endorsement_is_embedded_inside_the_operators_signature(client: TestClient) -> None:
    provider = create_provider(client)
    fund = create_fund(client)
    award = create_award(client, fund["id"], provider["id"])
    assert award["state"] == "offered"
    assert award["credential"] is None
    host = Host()
    award = visited(client, award["id"], host_did=host.did)
    assert award["state"] == "visit_recorded"
    assert award["host_endorsement"] == "named"

    response = step(client, award["id"], "dissemination", REPORT)
    assert response.status_code == 200
    assert response.json()["state"] == "dissemination_recorded"
    # The fund requires a session for peers too: no credential yet, and nothing written.
    response = step(client, award["id"], "issue")
    assert_problem(response, 409, "dissemination-required")
    assert response.json()["missing"] == ["session"]
    assert "session delivered to peers" in response.json()["detail"]
    assert step(client, award["id"], "dissemination", {**REPORT, **SESSION}).status_code == 200

    response = step(client, award["id"], "host-endorsement", host.endorse(award["credential_id"]))
    assert response.status_code == 200, response.text
    assert response.json()["host_endorsement"] == "signed"
    response = step(client, award["id"], "issue")
    assert response.status_code == 200, response.text
    issued = response.json()
    assert issued["state"] == "credential_issued"
    credential = issued["credential"]
    assert credential["id"] == award["credential_id"]
    assert credential["issuer"]["id"] == "did:web:passport.test:operator"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "ext:InternationalSkillsExchange"
    assert _genres(credential) == [VISIT_GENRE, REPORT_GENRE, SESSION_GENRE]  # no "named" host: it signed
    session_entry = credential["evidence"][2]
    assert session_entry["audience"] == "24 peers"
    assert "5 October 2026" in session_entry["narrative"]
    assert credential["evidence"][1]["id"] == REPORT["report_url"]
    assert [e["issuer"]["id"] for e in credential["endorsement"]] == [host.did]

    report = _verify(client, credential)
    assert report["proof"]["state"] == "verified"
    assert report["issuer"] == "did:web:passport.test:operator"
    [endorsement] = report["endorsements"]
    assert endorsement["state"] == "verified"
    assert endorsement["endorser"] == host.did
    assert endorsement["where"] == "credential"
    assert endorsement["endorsesThis"] is True

    # The endorsement is inside what the operator signed: removing it breaks the operator's proof.
    stripped = {key: value for key, value in credential.items() if key != "endorsement"}
    assert _verify(client, stripped)["proof"]["state"] != "verified"
    # Issuing again gives the same credential.
    assert step(client, award["id"], "issue").json()["credential"] == credential


def test_host_without_a_did_is_named_not_signed(client: TestClient) -> None:
    provider = create_provider(client)
    fund = create_fund(client, requires_session=False)
    award = create_award(client, fund["id"], provider["id"])
    visited(client, award["id"])
    response = step(client, award["id"], "host-endorsement", Host().endorse(award["credential_id"]))
    assert_problem(response, 409, "bursary-award-state")
    assert step(client, award["id"], "dissemination", REPORT).status_code == 200
    issued = step(client, award["id"], "issue").json()
    credential = issued["credential"]
    assert issued["host_endorsement"] == "named"
    assert "endorsement" not in credential
    host = next(entry for entry in credential["evidence"] if entry["genre"] == HOST_GENRE)
    assert host["name"] == "Berufsschule Stuttgart"
    assert "not an endorsement signed by the host" in host["narrative"]
    report = _verify(client, credential)
    assert report["proof"]["state"] == "verified"
    assert report["endorsements"] == []


def test_host_endorsement_is_refused_unless_the_host_signed_this_visit(client: TestClient) -> None:
    provider = create_provider(client)
    award = create_award(client, create_fund(client)["id"], provider["id"])
    host, stranger = Host(), Host("Someone Else")
    visited(client, award["id"], host_did=host.did)

    cases = {
        "another credential": host.endorse("https://passport.test/exchange-visits/" + "0" * 32),
        "another signer": stranger.endorse(award["credential_id"]),
        "the host's DID, a stranger's key": host.endorse(
            award["credential_id"], signer=PrivateKey.generate(KeyType.ED25519)
        ),
    }
    for name, document in cases.items():
        response = step(client, award["id"], "host-endorsement", document)
        assert_problem(response, 422, "host-endorsement-invalid")
        assert response.json()["problems"], name
    altered = host.endorse(award["credential_id"])
    altered["name"] = "Changed after signing"
    assert_problem(step(client, award["id"], "host-endorsement", altered), 422, "host-endorsement-invalid")
    got = client.get(f"/api/v1/bursaries/awards/{award['id']}", headers=OPERATOR).json()
    assert got["host_endorsement"] == "named"  # nothing was kept


def test_states_are_enforced(client: TestClient) -> None:
    provider = create_provider(client)
    fund = create_fund(client)
    award = create_award(client, fund["id"], provider["id"])
    assert_problem(step(client, award["id"], "dissemination", REPORT), 409, "bursary-award-state")
    assert_problem(step(client, award["id"], "issue"), 409, "bursary-award-state")
    assert_problem(step(client, award["id"], "visit", {}), 422, "validation-error")
    visited(client, award["id"])
    assert_problem(step(client, award["id"], "accept"), 409, "bursary-award-state")
    assert_problem(step(client, award["id"], "issue"), 409, "dissemination-required")
    assert_problem(
        step(client, award["id"], "dissemination", {"session_date": "2026-10-01"}), 422, "validation-error"
    )
    response = step(client, award["id"], "withdraw", {"reason": "Could not travel"})
    assert response.json()["state"] == "withdrawn"
    assert_problem(step(client, award["id"], "withdraw", {"reason": "again"}), 409, "bursary-award-state")

    response = client.patch(
        f"/api/v1/bursaries/funds/{fund['id']}", json={"state": "closed"}, headers=OPERATOR
    )
    assert response.json()["state"] == "closed"
    response = client.post(
        f"/api/v1/bursaries/funds/{fund['id']}/awards",
        json={
            "educator_name": "B",
            "educator_email": "b@college.example",
            "provider_id": provider["id"],
            "amount": 1,
        },
        headers=OPERATOR,
    )
    assert_problem(response, 409, "bursary-fund-closed")


def test_unknown_things_are_404(client: TestClient) -> None:
    fund = create_fund(client)
    response = client.post(
        f"/api/v1/bursaries/funds/{fund['id']}/awards",
        json={
            "educator_name": "B",
            "educator_email": "b@college.example",
            "provider_id": "0" * 32,
            "amount": 1,
        },
        headers=OPERATOR,
    )
    assert_problem(response, 404, "not-found")
    assert_problem(client.get("/api/v1/bursaries/funds/nope", headers=OPERATOR), 404, "not-found")
    assert_problem(step(client, "0" * 32, "accept"), 404, "not-found")


def test_idempotency_key_replays_and_refuses_another_request(client: TestClient) -> None:
    provider = create_provider(client)
    headers = {**OPERATOR, "Idempotency-Key": "fund-1"}
    from tests.network.bursaries_helpers import FUND

    first = client.post("/api/v1/bursaries/funds", json=FUND, headers=headers)
    again = client.post("/api/v1/bursaries/funds", json=FUND, headers=headers)
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert len(client.get("/api/v1/bursaries/funds", headers=OPERATOR).json()) == 1
    other = client.post("/api/v1/bursaries/funds", json={**FUND, "name": "Other"}, headers=headers)
    assert_problem(other, 409, "conflict")

    body = {
        "educator_name": "A",
        "educator_email": "a@college.example",
        "provider_id": provider["id"],
        "amount": 5,
    }
    path = f"/api/v1/bursaries/funds/{first.json()['id']}/awards"
    award_headers = {**OPERATOR, "Idempotency-Key": "award-1"}
    one = client.post(path, json=body, headers=award_headers)
    two = client.post(path, json=body, headers=award_headers)
    assert one.json()["id"] == two.json()["id"]
    assert len(client.get(path, headers=OPERATOR).json()) == 1
    assert_problem(client.post(path, json={**body, "amount": 6}, headers=award_headers), 409, "conflict")


def _web_host_endorsement(college: Any, subject_id: str, status_index: int | None = None) -> dict[str, Any]:
    unsigned = EndorsementCredential(
        id="urn:uuid:6f1c2a54-3b7e-4d0e-9a55-0d5f1c2b7e11",
        name="College hosted this visit",
        issuer=Profile(id=college.did, name="College Example"),
        valid_from=SIGNED_AT,
        credential_subject=EndorsementSubject(id=subject_id, endorsement_comment="Hosted."),
    ).to_json()
    if status_index is not None:
        unsigned["credentialStatus"] = status_entry(college.list_url, status_index)
    return data_integrity.sign(unsigned, college.key, college.method_id, SIGNED_AT)


def test_a_did_web_host_is_checked_through_the_services_verifier(client: TestClient, college: Any) -> None:
    """The wired `HostEndorsements` resolves a did:web host through the bounded fetcher, and reads its
    status list: a revoked endorsement is refused."""
    provider = create_provider(client)
    award = create_award(client, create_fund(client)["id"], provider["id"])
    visited(client, award["id"], host_did=college.did)
    college.status[9] = True
    college.publish_status()
    revoked = step(
        client, award["id"], "host-endorsement", _web_host_endorsement(college, award["credential_id"], 9)
    )
    assert_problem(revoked, 422, "host-endorsement-invalid")
    assert any("revoked" in problem for problem in revoked.json()["problems"])
    genuine = step(
        client, award["id"], "host-endorsement", _web_host_endorsement(college, award["credential_id"], 8)
    )
    assert genuine.status_code == 200, genuine.text
    assert genuine.json()["host_endorsement"] == "signed"
