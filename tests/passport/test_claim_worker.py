"""The claim worker (`passport.claim_codes.issuing`): confirmed claims are issued in batches, each exactly
once, to its address; a code whose batch fails is left aside while the others go on; two workers at once
(two processes of the service) share the claims without issuing any twice."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from core.db import transaction
from core.services import Database, services_of
from issuers.models import IssuedCredential
from issuers.service import IssuerConfig
from passport.claim_codes import issuing
from passport.claim_codes.issuing import ClaimIssuedElsewhere, ClaimWorker
from passport.claim_codes.models import ClaimCode, CodeClaim
from tests.issuers.staff.conftest import provider_staff
from tests.passport.conftest import Browser, Clock, auth, create_achievement, create_provider
from tests.passport.test_claim_codes import ask, confirm, confirmation_link, open_code


def _confirmed(app: FastAPI, client: TestClient, code: str, emails: list[str]) -> None:
    for email in emails:
        assert ask(client, code, email).status_code == 202
        assert confirm(app, confirmation_link(client, email, code)).status_code == 303


def _claims(app: FastAPI) -> list[tuple[str, str | None]]:
    with transaction(services_of(app).get(Database).sessions) as session:
        return [
            (c.email, c.credential_id) for c in session.scalars(select(CodeClaim).order_by(CodeClaim.email))
        ]


def _credentials(app: FastAPI) -> dict[str, str]:
    """Each credential's recipient, by id."""
    with transaction(services_of(app).get(Database).sessions) as session:
        rows = session.execute(select(IssuedCredential.id, IssuedCredential.recipient_email))
        return {row.id: row.recipient_email for row in rows}


def _event(client: TestClient, clock: Clock, name: str) -> tuple[str, dict[str, Any]]:
    provider = create_provider(client, name)
    achievement = create_achievement(client, provider["api_key"])
    return provider["api_key"], open_code(client, provider["api_key"], achievement, clock)


def test_each_confirmed_claim_is_issued_once_to_its_address(
    app: FastAPI, client: TestClient, clock: Clock, issue_claims: Callable[[], int], monkeypatch: Any
) -> None:
    monkeypatch.setattr(issuing, "BATCH", 2)  # three batches for five claims
    key, code = _event(client, clock, "Midlands College")
    emails = [f"p{n}@example.com" for n in range(5)]
    _confirmed(app, client, code["code"], emails)
    assert [credential for _, credential in _claims(app)] == [None] * 5
    assert issue_claims() == 5
    claims = _claims(app)
    credentials = _credentials(app)
    assert sorted(credentials.values()) == emails
    assert {email: credentials[credential] for email, credential in claims if credential} == {
        email: email for email in emails
    }
    assert issue_claims() == 0
    assert len(_credentials(app)) == 5
    body = client.get("/api/v1/credentials", headers=auth(key)).json()
    items = body["items"] if isinstance(body, dict) else body
    assert {item["status"] for item in items} == {"valid"}  # each with its own status entry


def test_a_batch_that_lost_a_claim_to_another_worker_rolls_back_whole(
    app: FastAPI, client: TestClient, clock: Clock, issue_claims: Callable[[], int]
) -> None:
    _, code = _event(client, clock, "Midlands College")
    _confirmed(app, client, code["code"], ["a@example.com", "b@example.com"])
    sessions = services_of(app).get(Database).sessions
    config = services_of(app).get(IssuerConfig)

    def batch_losing_b() -> None:
        with transaction(sessions) as session:
            claims = list(session.scalars(select(CodeClaim).order_by(CodeClaim.email)))
            # Meanwhile another worker issued b's claim (as if its transaction had committed first).
            lost = update(CodeClaim).where(CodeClaim.email == "b@example.com").values(credential_id="x")
            session.execute(lost)
            code_row = session.get_one(ClaimCode, code["id"])
            issuing._issue(session, config, issuing.signing.BulkSigner(), code_row, claims, clock())

    with pytest.raises(ClaimIssuedElsewhere):
        batch_losing_b()
    assert _claims(app) == [("a@example.com", None), ("b@example.com", None)]
    assert _credentials(app) == {}  # a's credential went with the batch
    assert issue_claims() == 2


def test_a_failing_code_is_left_aside_while_the_others_are_issued(
    app: FastAPI, client: TestClient, clock: Clock, issue_claims: Callable[[], int], monkeypatch: Any
) -> None:
    broken_provider = create_provider(client, "Midlands College")
    broken = open_code(
        client, broken_provider["api_key"], create_achievement(client, broken_provider["api_key"]), clock
    )
    _, working = _event(client, clock, "Northern Training")
    _confirmed(app, client, broken["code"], ["a@example.com"])
    _confirmed(app, client, working["code"], ["b@example.com"])
    real = issuing.batches.issue_batch

    def failing(
        session: Any, config: Any, signer: Any, issuer: Any, achievement: Any, *rest: Any, **kw: Any
    ) -> Any:
        if achievement.id == broken["achievement_id"]:
            raise RuntimeError("no signing key")
        return real(session, config, signer, issuer, achievement, *rest, **kw)

    monkeypatch.setattr(issuing.batches, "issue_batch", failing)
    assert issue_claims() == 1
    assert sorted(_credentials(app).values()) == ["b@example.com"]
    # The provider's console says so, and the attendee's page that it is taking longer than usual.
    issuer = provider_staff(app, client, broken_provider["id"], "ivy@college.example", "issuer")
    page = issuer.get(f"/console/claim-codes/{broken['id']}").text
    assert "Some claims could not be issued yet" in page
    assert "RuntimeError: no signing key" in page
    link = confirmation_link(client, "a@example.com", broken["code"])
    assert "taking longer than usual" in Browser.open(app).get(link).text
    # Left aside 5 s after the first failure, then 10 s, doubling, whatever was fixed meanwhile.
    clock.advance(seconds=4)
    assert issue_claims() == 0
    clock.advance(seconds=1)
    assert issue_claims() == 0  # tried again, failed again: now 10 s
    monkeypatch.setattr(issuing.batches, "issue_batch", real)
    clock.advance(seconds=9)
    assert issue_claims() == 0
    clock.advance(seconds=1)
    assert issue_claims() == 1
    assert sorted(_credentials(app).values()) == ["a@example.com", "b@example.com"]
    assert (
        "Some claims could not be issued yet" not in issuer.get(f"/console/claim-codes/{broken['id']}").text
    )


def test_two_workers_at_once_issue_each_claim_once(
    app: FastAPI,
    client: TestClient,
    clock: Clock,
    issue_claims: Callable[[], int],
    monkeypatch: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(issuing, "BATCH", 5)
    _, code = _event(client, clock, "Midlands College")
    emails = [f"p{n:02d}@example.com" for n in range(30)]
    _confirmed(app, client, code["code"], emails)
    sessions = services_of(app).get(Database).sessions
    config = services_of(app).get(IssuerConfig)
    start = threading.Barrier(2)
    counts = [0, 0]

    def run(index: int) -> None:
        start.wait()
        counts[index] = ClaimWorker(sessions, config, clock=clock).run_once()

    caplog.set_level(logging.INFO, logger=issuing.__name__)
    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(counts) == 30
    # They took turns (the write lock on SQLite, SKIP LOCKED on PostgreSQL): no batch was signed in vain.
    assert [r.getMessage() for r in caplog.records if r.name == issuing.__name__] == []
    assert sorted(_credentials(app).values()) == emails
    assert {credential for _, credential in _claims(app)} == set(_credentials(app))
    with transaction(sessions) as session:
        assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 30


def test_the_console_shows_which_claims_have_been_issued(
    app: FastAPI, client: TestClient, clock: Clock, issue_claims: Callable[[], int]
) -> None:
    provider = create_provider(client)
    achievement = create_achievement(client, provider["api_key"])
    code = open_code(client, provider["api_key"], achievement, clock)
    _confirmed(app, client, code["code"], ["sam@example.com"])
    issuer = provider_staff(app, client, provider["id"], "ivy@college.example", "issuer")
    page = f"/console/claim-codes/{code['id']}"
    assert "Being issued" in issuer.get(page).text
    clock.advance(seconds=1)
    assert issue_claims() == 1
    [(_, credential)] = _claims(app)
    assert f'href="/console/credentials/{credential}">Issued</a>' in issuer.get(page).text
    history = issuer.get(f"/console/credentials/{credential}").text
    assert f'<a href="/console/claim-codes/{code["id"]}">through an event claim code</a>' in history
