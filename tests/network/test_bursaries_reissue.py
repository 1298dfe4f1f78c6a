"""A host's endorsement that arrives after the exchange-visit credential is issued: the credential is
re-issued with it embedded (OB 3.0 re-issue: the same id and status entry, ``awardedDate`` kept,
``validFrom`` moved, a new proof), the public verifier reports the host's endorsement as verified, and
the version issued before still verifies. A bad endorsement changes nothing; a revoked credential is 409."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.deps import get_now
from core.services import Database, services_of
from issuers.staff.accounts import StaffConfig
from issuers.staff.models import AuditEvent
from network.bursaries.credential import HOST_GENRE
from passport.config import PassportConfig
from server.app import create_app
from server.settings import Settings
from tests.conftest import BASE_URL, CHEAP_PASSWORDS, Clock, assert_problem
from tests.issuers.conftest import create_provider
from tests.issuers.staff.conftest import operator_staff
from tests.network.bursaries_helpers import (
    OPERATOR,
    REPORT,
    SESSION,
    Host,
    create_award,
    create_fund,
    step,
    visited,
)
from tests.passport.conftest import Browser as LearnerBrowser

#: Before the wall clock: the VC API verifies at the real time (a status list signed later is not valid yet).
ISSUED_AT = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(ISSUED_AT)


@pytest.fixture
def app(settings: Settings, clock: Clock) -> Iterator[FastAPI]:
    application = create_app(settings)
    application.dependency_overrides[get_now] = clock
    services = services_of(application)
    services.replace(replace(services.get(StaffConfig), passwords=CHEAP_PASSWORDS))
    services.replace(replace(services.get(PassportConfig), passwords=CHEAP_PASSWORDS))
    yield application
    services.get(Database).engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


def _verify(client: TestClient, credential: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def _issued_without_the_host(client: TestClient, host: Host, email: str = "ada@college.example") -> Any:
    """An award whose host has a DID but had not signed when the credential was issued."""
    provider = create_provider(client)
    award = create_award(client, create_fund(client)["id"], provider["id"], email)
    visited(client, award["id"], host_did=host.did)
    assert step(client, award["id"], "dissemination", {**REPORT, **SESSION}).status_code == 200
    issued = step(client, award["id"], "issue")
    assert issued.status_code == 200, issued.text
    assert issued.json()["host_endorsement"] == "named"
    return issued.json()


def _award(client: TestClient, award_id: str) -> Any:
    return client.get(f"/api/v1/bursaries/awards/{award_id}", headers=OPERATOR).json()


def test_an_endorsement_after_issue_reissues_the_credential(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    host = Host()
    award = _issued_without_the_host(client, host)
    first = award["credential"]
    assert first["awardedDate"] == first["validFrom"] == "2026-11-10T09:00:00Z"
    assert HOST_GENRE in [entry["genre"] for entry in first["evidence"]]
    assert _verify(client, first)["endorsements"] == []

    clock.advance(days=3)
    endorsement = host.endorse(award["credential_id"])
    response = step(client, award["id"], "host-endorsement", endorsement)
    assert response.status_code == 200, response.text
    reissued = response.json()
    assert reissued["state"] == "credential_issued"
    assert reissued["host_endorsement"] == "signed"
    assert reissued["issued_at"] == award["issued_at"]  # the award's issue date stays the first one
    second = reissued["credential"]
    assert second["id"] == first["id"] == award["credential_id"]
    assert second["credentialStatus"] == first["credentialStatus"]
    assert second["awardedDate"] == first["awardedDate"]
    assert second["validFrom"] == "2026-11-13T09:00:00Z"
    assert second["proof"] != first["proof"]
    assert [e["issuer"]["id"] for e in second["endorsement"]] == [host.did]
    assert HOST_GENRE not in [entry["genre"] for entry in second["evidence"]]  # signed now, not named

    report = _verify(client, second)
    assert report["proof"]["state"] == "verified"
    [result] = report["endorsements"]
    assert result["state"] == "verified"
    assert result["endorser"] == host.did
    assert result["endorsesThis"] is True
    # The version issued first (perhaps downloaded already) still verifies: its own proof, same id.
    old = _verify(client, first)
    assert old["proof"]["state"] == "verified"
    assert old["status"]["state"] == report["status"]["state"]
    assert old["endorsements"] == []
    # The employer's page verifies the stored document: the re-issued one.
    page = client.get(f"/exchange-visits/{award['id']}", headers={"Accept": "application/json"})
    assert [e["endorser"] for e in page.json()["endorsements"]] == [host.did]

    with services_of(app).get(Database).sessions() as session:
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject_id == award["id"]).order_by(AuditEvent.at)
        ).all()
    assert events[-2:] == ["bursary.award.host_endorsement", "bursary.award.reissue"]

    # The same endorsement again re-signs nothing.
    clock.advance(days=1)
    again = step(client, award["id"], "host-endorsement", endorsement)
    assert again.status_code == 200
    assert again.json()["credential"] == second

    # Revoking revokes both versions: they share the status entry.
    assert step(client, award["id"], "revoke", {"reason": "Visit did not happen"}).status_code == 200
    assert _verify(client, second)["status"]["state"] == "revoked"
    assert _verify(client, first)["status"]["state"] == "revoked"


def test_the_learner_downloads_the_reissued_credential(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    host = Host()
    award = _issued_without_the_host(client, host)
    ada = LearnerBrowser.open(app)
    ada.sign_up("ada@college.example")
    assert json.loads(ada.get(f"/passport/exchange-visits/{award['id']}.json").text) == award["credential"]
    clock.advance(hours=2)
    reissued = step(client, award["id"], "host-endorsement", host.endorse(award["credential_id"])).json()
    download = ada.get(f"/passport/exchange-visits/{award['id']}.json")
    assert json.loads(download.text) == reissued["credential"]
    assert "endorsement" in json.loads(download.text)
    assert "named by the issuer, not signed by the host" not in ada.get("/passport").text


def test_a_bad_endorsement_after_issue_changes_nothing(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    host = Host()
    award = _issued_without_the_host(client, host)
    clock.advance(days=1)
    cases = {
        "another signer": Host("Someone Else").endorse(award["credential_id"]),
        "another credential": host.endorse(f"{BASE_URL}/exchange-visits/" + "0" * 32),
    }
    for name, document in cases.items():
        response = step(client, award["id"], "host-endorsement", document)
        assert_problem(response, 422, "host-endorsement-invalid")
        assert response.json()["problems"], name
    after = _award(client, award["id"])
    assert after["credential"] == award["credential"]
    assert after["host_endorsement"] == "named"
    assert after["updated_at"] == award["updated_at"]


def test_a_revoked_credential_is_not_reissued(app: FastAPI, client: TestClient, clock: Clock) -> None:
    host = Host()
    award = _issued_without_the_host(client, host)
    assert step(client, award["id"], "revoke", {"reason": "Issued in error"}).status_code == 200
    clock.advance(days=1)
    response = step(client, award["id"], "host-endorsement", host.endorse(award["credential_id"]))
    assert_problem(response, 409, "credential-already-revoked")
    assert "revoked" in response.json()["detail"]
    after = _award(client, award["id"])
    assert after["credential"] == award["credential"]
    assert after["host_endorsement"] == "named"


def test_the_award_page_reissues_with_a_late_endorsement(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    host = Host()
    award = _issued_without_the_host(client, host)
    olu = operator_staff(app, client, "olu@network.example")
    page = f"/operator/bursaries/awards/{award['id']}"
    shown = olu.get(page).text
    assert "Check and re-issue the credential" in shown
    assert "Issue the credential" not in shown
    clock.advance(minutes=5)  # a new validFrom, within the staff session
    wrong = olu.submit(
        page, f"{page}/host-endorsement", endorsement=json.dumps(Host().endorse(award["credential_id"]))
    )
    assert wrong.status_code == 422
    assert _award(client, award["id"])["credential"] == award["credential"]
    right = olu.submit(
        page, f"{page}/host-endorsement", endorsement=json.dumps(host.endorse(award["credential_id"]))
    )
    assert right.status_code == 303
    assert right.headers["location"].endswith("?done=host-endorsement-reissue")
    done = olu.get(right.headers["location"]).text
    assert "re-issued with it inside" in done
    assert 'data-host="signed"' in done
    assert "Check and re-issue the credential" not in done  # the host has signed: nothing more to paste
    assert _award(client, award["id"])["credential"]["endorsement"]
