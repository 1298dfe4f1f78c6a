"""Concurrent issuance never assigns one status index twice, and concurrent revocations in one status
list never overwrite each other's bit (both run on PostgreSQL by .ci/run)."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import transaction
from core.services import Database, services_of
from issuers import issuing, lifecycle, service
from issuers import status as status_module
from issuers.api_models import CredentialCreate
from issuers.models import IssuedCredential
from issuers.service import IssuerConfig
from tests.issuers.conftest import create_achievement, create_provider
from tests.issuers.test_api import issue
from vc.status_list import StatusList


def test_parallel_issuers_draw_distinct_indexes(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    app = client.app
    # Draw from only 12 indexes so that parallel requests really collide and must retry.
    counter = itertools.count()
    lock = threading.Lock()

    def few_indexes(_limit: int) -> int:
        with lock:
            return next(counter) % 12

    monkeypatch.setattr(status_module.secrets, "randbelow", few_indexes)
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            for item in range(2):
                with transaction(services_of(app).get(Database).sessions) as session:
                    issuer = service.get_issuer(session, provider["id"])
                    request = CredentialCreate.model_validate(
                        {
                            "achievement_id": achievement_id,
                            "recipient": {"email": f"p{number}-{item}@example.com"},
                        }
                    )
                    issuing.issue(
                        session, services_of(app).get(IssuerConfig), issuer, request, datetime.now(UTC)
                    )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with transaction(services_of(app).get(Database).sessions) as session:
        indexes = list(
            session.execute(select(IssuedCredential.revocation_list_id, IssuedCredential.revocation_index))
        )
    assert len(indexes) == 12
    assert len(set(indexes)) == 12


def test_parallel_revocations_in_one_list_keep_every_bit(client: TestClient) -> None:
    provider = create_provider(client)
    achievement_id = create_achievement(client, provider["api_key"])
    ids = [issue(client, provider["api_key"], achievement_id)["id"] for _ in range(8)]
    app = client.app
    start = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def worker(credential_id: str) -> None:
        try:
            start.wait(timeout=30)
            with transaction(services_of(app).get(Database).sessions) as session:
                issuer = service.get_issuer(session, provider["id"])
                lifecycle.revoke(session, issuer, credential_id, "parallel check", datetime.now(UTC))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(credential_id,)) for credential_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with transaction(services_of(app).get(Database).sessions) as session:
        rows = [session.get(IssuedCredential, credential_id) for credential_id in ids]
        lists = {row.revocation_list_id for row in rows if row is not None}
        assert len(lists) == 1
        stored = session.get(status_module.StatusListRow, lists.pop())
        assert stored is not None
        bits = StatusList(stored.length, stored.bits, status_size=stored.status_size)
        assert all(row is not None and bits[row.revocation_index] for row in rows)
        assert stored.version == 1 + len(ids)
