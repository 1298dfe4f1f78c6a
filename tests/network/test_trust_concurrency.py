"""Concurrent changes to the registry are serialised: every change gets its own registry version, and an
issuer never gets two current accreditations (run on PostgreSQL by .ci/run)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import transaction
from core.problems import Conflict
from core.services import Database, services_of
from network import operator, trust
from network.api_models import AccreditationCreate
from network.models import AccreditationEvent
from network.trust import TrustConfig

PERIOD = {"valid_from": "2025-09-01T00:00:00Z", "valid_until": "2027-08-31T23:59:59Z"}


def test_parallel_changes_get_distinct_versions_and_one_accreditation_per_issuer(client: TestClient) -> None:
    app: Any = client.app
    config: trust.TrustConfig = services_of(app).get(TrustConfig)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            for issuer in (f"did:web:provider-{number}.example", "did:web:contested.example"):
                data = AccreditationCreate.model_validate({**PERIOD, "issuer": issuer, "name": issuer})
                try:
                    with transaction(services_of(app).get(Database).sessions) as session:
                        row = trust.accredit(session, config.base_url, data, datetime.now(UTC))
                        trust.suspend(session, row.id, "parallel check", None, datetime.now(UTC))
                        operator.signed_trust_list(session, config, datetime.now(UTC))
                    outcomes.append("accredited")
                except Conflict:
                    outcomes.append("conflict")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(outcomes) == ["accredited"] * 7 + ["conflict"] * 5
    with transaction(services_of(app).get(Database).sessions) as session:
        versions = list(session.scalars(select(AccreditationEvent.registry_version)))
        listed, version = operator.signed_trust_list(session, config, datetime.now(UTC))
    # Seven accreditations, each accredited then suspended in its own transaction: versions 1..14.
    assert sorted(versions) == list(range(1, 15))
    assert version == 14
    assert listed.count('"suspended"') == 7
