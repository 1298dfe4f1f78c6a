"""The demo data's bursary: a fund with an award taken all the way (WorldSkills abroad), its dissemination
recorded and its credential issued with the host named by the operator, unsigned; the demo learner's
passport shows it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from core.db import transaction
from core.services import Database, services_of
from issuers.service import IssuerConfig
from network.bursaries.credential import HOST_GENRE, REPORT_GENRE, SESSION_GENRE, VISIT_GENRE
from network.trust import TrustConfig
from server.seed import seed_demo
from tests.network.bursaries_helpers import OPERATOR


def test_the_demo_has_a_completed_exchange_visit(client: TestClient) -> None:
    services = services_of(client.app)  # type: ignore[arg-type]
    with transaction(services.get(Database).sessions) as session:
        seed_demo(session, services.get(IssuerConfig), datetime.now(UTC), services.get(TrustConfig))
    [fund] = client.get("/api/v1/bursaries/funds", headers=OPERATOR).json()
    [award] = client.get(f"/api/v1/bursaries/funds/{fund['id']}/awards", headers=OPERATOR).json()
    assert award["state"] == "credential_issued"
    assert award["host_endorsement"] == "named"
    assert "WorldSkills national final abroad" in award["visit"]["focus"]
    genres = [entry["genre"] for entry in award["credential"]["evidence"]]
    assert genres == [VISIT_GENRE, HOST_GENRE, REPORT_GENRE, SESSION_GENRE]
    page = client.get(f"/exchange-visits/{award['id']}")
    assert page.status_code == 200
    assert 'data-verdict="valid"' in page.text
    assert 'data-endorsement="named"' in page.text
