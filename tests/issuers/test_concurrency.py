"""Concurrent issuance never assigns one status index twice (run on PostgreSQL by .ci/run)."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from issuers import issuing, service
from issuers import status as status_module
from issuers.models import IssuedCredential
from issuers.schemas import CredentialCreate
from server.db import transaction
from tests.issuers.conftest import create_achievement, create_provider


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
                with transaction(app.state.sessions) as session:  # type: ignore[attr-defined]
                    issuer = service.get_issuer(session, provider["id"])
                    request = CredentialCreate.model_validate(
                        {
                            "achievement_id": achievement_id,
                            "recipient": {"email": f"p{number}-{item}@example.com"},
                        }
                    )
                    issuing.issue(session, app.state.issuer_config, issuer, request, datetime.now(UTC))  # type: ignore[attr-defined]
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with transaction(app.state.sessions) as session:  # type: ignore[attr-defined]
        indexes = list(
            session.execute(select(IssuedCredential.revocation_list_id, IssuedCredential.revocation_index))
        )
    assert len(indexes) == 12
    assert len(set(indexes)) == 12
