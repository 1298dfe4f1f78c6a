"""Outgoing email: the outbox by default, SMTP delivery after commit when configured, and the
development outbox page only outside production. SMTP is a real server on loopback (aiosmtpd)."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher, profiles
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import transaction
from core.services import Database, services_of
from passport.accounts import mail
from passport.accounts.security import Passwords
from passport.config import PassportConfig
from passport.models import OutboxMessage
from server.app import create_app
from server.settings import Environment, Settings
from tests.passport.conftest import BASE_URL, PASSWORD, Browser, on_this_machine, outbox


class Inbox:
    """An SMTP server's handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_the_smtp_sender_delivers_a_message(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    sender = mail.SmtpSender(
        host="127.0.0.1", port=port, from_address="Passport <no-reply@passport.test>", security="none"
    )
    row = OutboxMessage(id="m1", to_email="sam@example.com", subject="Hello", body="A link: https://x.test/a")
    sender.send(mail.as_email(row, sender.from_address))
    [received] = inbox.messages
    assert received["To"] == "sam@example.com"
    assert received["From"] == "Passport <no-reply@passport.test>"
    assert received["Subject"] == "Hello"
    body = received.get_body()
    assert body is not None
    assert "https://x.test/a" in body.get_content()


def test_with_smtp_mail_leaves_after_commit_and_keeps_no_link(
    smtp: tuple[Inbox, int], settings: Settings
) -> None:
    inbox, port = smtp
    configured = settings.model_copy(
        update={"mail_sender": "smtp", "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}
    )
    app = create_app(configured)
    cheap = Passwords(PasswordHasher.from_parameters(profiles.CHEAPEST))
    services_of(app).replace(replace(services_of(app).get(PassportConfig), passwords=cheap))
    with TestClient(app, base_url=BASE_URL):
        browser = Browser.open(app)
        signed_up = browser.submit(
            "/passport/sign-up",
            "/passport/sign-up",
            email="sam@example.com",
            password=PASSWORD,
            password_confirmation=PASSWORD,
        )
        assert signed_up.status_code == 200
        deadline = time.monotonic() + 20
        while not inbox.messages:
            assert time.monotonic() < deadline, "no mail was delivered"
            time.sleep(0.05)
        [received] = inbox.messages
        body = received.get_body()
        assert body is not None
        link = re.search(re.escape(BASE_URL) + r"(/passport/confirm/[A-Za-z0-9_-]+)", body.get_content())
        assert link is not None
        # The link works from the delivered email; the outbox row no longer holds it.
        assert browser.submit(link.group(1), link.group(1), password=PASSWORD).status_code == 303
        with transaction(services_of(app).get(Database).sessions) as session:
            row = session.scalars(select(OutboxMessage)).one()
            assert (row.state, row.body, row.attempts) == ("sent", "", 1)
    services_of(app).get(Database).engine.dispose()


def test_failed_delivery_is_retried_then_given_up(settings: Settings) -> None:
    app = create_app(settings)
    config = replace(services_of(app).get(PassportConfig), deliver_mail=True)
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    with transaction(services_of(app).get(Database).sessions) as session:
        mail.queue(session, config, "sam@example.com", "Hello", "body", now)
    nowhere = mail.SmtpSender(
        host="127.0.0.1", port=_free_port(), from_address="a@b.test", security="none", timeout=2
    )
    for attempt in range(1, mail.MAX_ATTEMPTS + 1):
        assert mail.deliver_pending(services_of(app).get(Database).sessions, nowhere, "a@b.test", now) == 0
        with transaction(services_of(app).get(Database).sessions) as session:
            row = session.scalars(select(OutboxMessage)).one()
            assert row.attempts == attempt
            assert row.last_error is not None
            assert row.last_error.startswith("ConnectionRefusedError")
    assert row.state == "failed"
    assert row.body == "body"
    services_of(app).get(Database).engine.dispose()


def test_the_development_outbox(client: TestClient) -> None:
    Browser.open(client.app).submit(  # type: ignore[arg-type]
        "/passport/sign-up",
        "/passport/sign-up",
        email="sam@example.com",
        password=PASSWORD,
        password_confirmation=PASSWORD,
    )
    [message] = outbox(client)
    assert message["state"] == "kept"
    page = on_this_machine(client).get("/dev/outbox")
    assert page.status_code == 200
    assert "Confirm your address to create your Skills Passport" in page.text
    assert '<a href="https://passport.test/passport/confirm/' in page.text


@pytest.mark.parametrize("address", ["203.0.113.9", "10.0.0.8", "testclient"])
def test_the_development_outbox_answers_loopback_clients_only(app: FastAPI, address: str) -> None:
    """Attack run: /dev/outbox answered any client in development, and it holds every sign-up and claim
    link. Any other client gets the 404 of a route that does not exist, whatever it claims to be."""
    with TestClient(app, base_url=BASE_URL, client=(address, 50000)) as elsewhere:
        for path in ("/dev/outbox", "/dev/outbox.json"):
            assert elsewhere.get(path).status_code == 404
            assert elsewhere.get(path, headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 404
    assert on_this_machine(TestClient(app)).get("/dev/outbox.json").status_code == 200
    ipv6 = TestClient(app, base_url=BASE_URL, client=("::1", 50000))
    assert ipv6.get("/dev/outbox.json").status_code == 200


def test_no_outbox_page_in_production(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": Environment.PRODUCTION})
    app = create_app(production)
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/dev/outbox").status_code == 404
        assert client.get("/dev/outbox.json").status_code == 404
    services_of(app).get(Database).engine.dispose()
