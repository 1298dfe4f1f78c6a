"""The network operator's own signed documents (the trust list, the CLR exports it signs for learners) are
the scheme's own: "issued by the network operator, <name>", never "outside the scheme" (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from network.trust_list import SnapshotTrustRegistry
from network.trust_policy import Operator, SchemeRegistry, with_operator
from tests.issuers.conftest import BASE_URL
from tests.network.test_trust_verify import OPERATOR_DID, fetch_trust_list
from tests.verification.conftest import check, verify
from vc.report import Trust
from vc.verify import TrustDecision

OPERATOR_NAME = "National Skills Network"  # PASSPORT_OPERATOR_NAME's default


def test_the_trust_list_verifies_as_the_operators_own(client: TestClient) -> None:
    trust_list = client.get("/trust-list").json()
    report = verify(client, trust_list)
    trust = check(report, "issuer_trust")
    assert report["trust"] == "accredited", report
    assert trust["outcome"] == "passed"
    assert trust["message"] == (
        f"Issued by the network operator, {OPERATOR_NAME}: the quality-assurance scheme's own document."
    )
    assert trust["details"]["issuerName"] == OPERATOR_NAME


def test_the_check_page_names_the_operator(client: TestClient) -> None:
    page = client.post("/verify", data={"credential": client.get("/trust-list").text})
    assert page.status_code == 200
    assert f"<dt>Issued by</dt><dd>{OPERATOR_NAME}</dd>" in page.text
    assert "Outside the quality-assurance scheme" not in page.text


def test_a_cached_trust_list_vouches_for_the_operators_own_documents_too(client: TestClient) -> None:
    listed = fetch_trust_list(client)
    registry = SnapshotTrustRegistry(listed)
    decision = registry.decide(OPERATOR_DID, {}, datetime.now(UTC))
    assert decision.trust is Trust.ACCREDITED
    assert decision.issuer_name == OPERATOR_NAME
    assert registry.decide("did:web:elsewhere.example", {}, datetime.now(UTC)).trust is Trust.OUTSIDE_SCHEME


class Register:
    """A register that knows nobody, and counts who was asked about."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def decide(self, issuer_id: str, credential: Any, now: datetime) -> TrustDecision:
        self.asked.append(issuer_id)
        return TrustDecision(Trust.OUTSIDE_SCHEME, "not on the register")


def test_the_scheme_registry_answers_for_the_operator_and_asks_the_register_about_anyone_else() -> None:
    register = Register()
    operator = Operator(f"did:web:{BASE_URL.removeprefix('https://')}:operator", OPERATOR_NAME)
    registry = SchemeRegistry(register, operator)
    now = datetime.now(UTC)
    assert registry.decide(operator.did, {}, now).trust is Trust.ACCREDITED
    assert registry.decide(operator.did + ":other", {}, now).trust is Trust.OUTSIDE_SCHEME
    assert register.asked == [operator.did + ":other"]
    assert with_operator(lambda session: None, operator)(object()) is None  # no registry stays none
