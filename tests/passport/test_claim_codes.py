"""Event claim codes (`passport.claim_codes`): the provider's API and the attendee's claim, by email or
signed in: window, capacity, one per person, a link used twice, closing early, the abuse limits; and the
claim worker that issues confirmed claims (driven by each test through the ``issue_claims`` fixture)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import zxingcpp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from core.db import transaction
from core.services import Database, services_of
from core.throttle import RequestLimiter
from issuers.service import IssuerConfig
from passport.claim_codes.codes import ClaimConfig
from passport.models import EmailLink
from server.seed import seed_demo
from server.seed_claims import demo_claim_link
from tests.conftest import assert_page_problem, assert_problem
from tests.passport.conftest import (
    BASE_URL,
    PASSWORD,
    Browser,
    Clock,
    auth,
    create_achievement,
    create_provider,
    csrf_of,
    outbox,
)


def _provider(client: TestClient, name: str = "Midlands College") -> tuple[str, str]:
    provider = create_provider(client, name)
    return provider["api_key"], create_achievement(client, provider["api_key"])


def open_code(client: TestClient, key: str, achievement: str, clock: Clock, **extra: Any) -> dict[str, Any]:
    body = {
        "achievement_id": achievement,
        "event_name": "Heat pump open day",
        "opens_at": (clock() - timedelta(hours=1)).isoformat(),
        "closes_at": (clock() + timedelta(hours=8)).isoformat(),
        **extra,
    }
    response = client.post("/api/v1/claim-codes", json=body, headers=auth(key))
    assert response.status_code == 201, response.text
    code: dict[str, Any] = response.json()
    return code


def ask(client: TestClient, code: str, email: str) -> Any:
    return client.post(f"/api/v1/claims/{code}", json={"email": email})


def confirmation_link(client: TestClient, email: str, code: str) -> str:
    pattern = re.escape(f"{BASE_URL}/c/{code}/confirm/") + r"[A-Za-z0-9_-]+"
    found = [
        m.group(0)
        for msg in outbox(client)
        if msg["to"] == email
        for m in [re.search(pattern, msg["body"])]
        if m
    ]
    assert found, f"no confirmation link was emailed to {email}"
    return found[0].removeprefix(BASE_URL)


def confirm(app: FastAPI, link: str) -> Any:
    return Browser.open(app).submit(link, link)


def claim(app: FastAPI, client: TestClient, code: str, email: str) -> Any:
    response = ask(client, code, email)
    assert response.status_code == 202, response.text
    return confirm(app, confirmation_link(client, email, code))


def credentials_to(client: TestClient, key: str) -> list[str]:
    response = client.get("/api/v1/credentials", headers=auth(key))
    assert response.status_code == 200, response.text
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return sorted(
        item["recipient"]["email"] if "recipient" in item else item["recipient_email"] for item in items
    )


def test_a_provider_opens_lists_gets_and_closes_its_code(client: TestClient, clock: Clock) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock, capacity=40)
    assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{10}", code["code"])
    assert code["short_url"] == f"{BASE_URL}/c/{code['code']}"
    assert (code["state"], code["claimed"], code["capacity"]) == ("open", 0, 40)
    listed = client.get("/api/v1/claim-codes", headers=auth(key)).json()
    assert [c["id"] for c in listed] == [code["id"]]
    assert client.get(f"/api/v1/claim-codes/{code['id']}", headers=auth(key)).json()["code"] == code["code"]
    closed = client.post(f"/api/v1/claim-codes/{code['id']}/close", headers=auth(key))
    assert closed.status_code == 200
    assert closed.json()["state"] == "closed"
    assert_problem(client.post(f"/api/v1/claim-codes/{code['id']}/close", headers=auth(key)), 409, "conflict")
    assert_problem(ask(client, code["code"], "sam@example.com"), 410, "claim-code-closed")
    trail = client.get("/api/v1/audit?limit=200", headers=auth(key))
    assert trail.status_code == 200, trail.text
    actions = [event["action"] for event in trail.json() if event["subject_id"] == code["id"]]
    assert sorted(actions) == ["claim_code.close", "claim_code.open"]


def test_a_provider_reaches_only_its_own_codes_and_achievements(client: TestClient, clock: Clock) -> None:
    key, achievement = _provider(client)
    other_key, other_achievement = _provider(client, "Northern Training")
    code = open_code(client, key, achievement, clock)
    for response in (
        client.get(f"/api/v1/claim-codes/{code['id']}", headers=auth(other_key)),
        client.post(f"/api/v1/claim-codes/{code['id']}/close", headers=auth(other_key)),
    ):
        assert_problem(response, 404, "claim-code-not-found")
    assert client.get("/api/v1/claim-codes", headers=auth(other_key)).json() == []
    body = {
        "achievement_id": other_achievement,
        "event_name": "Not ours",
        "opens_at": clock().isoformat(),
        "closes_at": (clock() + timedelta(hours=1)).isoformat(),
    }
    assert_problem(client.post("/api/v1/claim-codes", json=body, headers=auth(key)), 404, "not-found")
    assert_problem(client.get("/api/v1/claim-codes"), 401, "unauthorized")
    assert_problem(client.post("/api/v1/claim-codes", json=body), 401, "unauthorized")


def test_a_window_that_closes_before_it_opens_is_refused(client: TestClient, clock: Clock) -> None:
    key, achievement = _provider(client)
    body = {
        "achievement_id": achievement,
        "event_name": "Backwards",
        "opens_at": clock().isoformat(),
        "closes_at": (clock() - timedelta(hours=1)).isoformat(),
    }
    assert_problem(client.post("/api/v1/claim-codes", json=body, headers=auth(key)), 422, "validation-error")


def test_claiming_by_email_issues_the_credential_once(
    app: FastAPI, client: TestClient, clock: Clock, issue_claims: Callable[[], int]
) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock, capacity=5)
    asked = ask(client, code["code"], "Sam@Example.com")
    assert asked.status_code == 202, asked.text
    assert asked.json()["email"] == "sam@example.com"
    link = confirmation_link(client, "sam@example.com", code["code"])
    assert credentials_to(client, key) == []  # nothing before the address is confirmed
    attendee = Browser.open(app)
    confirmed = attendee.submit(link, link)
    assert confirmed.status_code == 303, confirmed.text
    assert confirmed.headers["location"] == link  # the link now shows how the claim is going
    assert client.get(f"/api/v1/claim-codes/{code['id']}", headers=auth(key)).json()["claimed"] == 1
    waiting = attendee.get(link)
    assert waiting.status_code == 200
    assert "Your credential is on its way" in waiting.text
    assert '<script src="/static/live-page.js" defer></script>' in waiting.text  # asks again
    assert f'href="{link}">Check again</a>' in waiting.text  # or the attendee does
    assert credentials_to(client, key) == []  # the worker has not run yet

    assert issue_claims() == 1
    assert credentials_to(client, key) == ["sam@example.com"]
    issued = attendee.get(link)
    assert "Your credential has been issued" in issued.text
    assert "live-page.js" not in issued.text
    kept = attendee.submit(link, f"{link}/keep")  # no passport yet: keep it in one, now
    assert kept.status_code == 303, kept.text
    assert kept.headers["location"].startswith("/passport/claim/")
    claim_emails = [
        m for m in outbox(client) if m["to"] == "sam@example.com" and "/passport/claim/" in m["body"]
    ]
    assert len(claim_emails) == 1  # and the same, by email, for later
    # Once only: the link shows the claim, but takes nobody on to a passport again.
    assert "/keep" not in attendee.get(link).text
    assert "open the link we emailed to <strong>sam@example.com</strong>" in attendee.get(link).text
    token = csrf_of(attendee.get(f"/c/{code['code']}").text)  # the link's page has no form any more
    refused = attendee.http.post(f"{link}/keep", data={"csrf_token": token})
    assert (refused.status_code, refused.headers["location"]) == (303, link)
    # Claimed once: opening the link again shows it, asking again is refused, and nothing more is issued.
    assert "Your credential has been issued" in Browser.open(app).get(link).text
    repeated = attendee.http.post(link, data={"csrf_token": token})  # confirming again: shown
    assert (repeated.status_code, repeated.headers["location"]) == (303, link)
    assert_problem(ask(client, code["code"], "sam@example.com"), 409, "already-claimed")
    assert issue_claims() == 0
    assert credentials_to(client, key) == ["sam@example.com"]


def test_a_full_code_says_so(
    app: FastAPI, client: TestClient, clock: Clock, issue_claims: Callable[[], int]
) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock, capacity=2)
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        assert ask(client, code["code"], email).status_code == 202
    links = {
        email: confirmation_link(client, email, code["code"])
        for email in ("a@example.com", "b@example.com", "c@example.com")
    }
    assert confirm(app, links["a@example.com"]).status_code == 303
    assert confirm(app, links["b@example.com"]).status_code == 303
    # c asked while places were left; confirming after they are gone is refused, and nothing is issued.
    late = Browser.open(app)
    page = late.get(links["c@example.com"])
    assert_page_problem(page, 409, "claim-code-full")
    assert_problem(ask(client, code["code"], "d@example.com"), 409, "claim-code-full")
    assert issue_claims() == 2
    assert credentials_to(client, key) == ["a@example.com", "b@example.com"]
    assert client.get(f"/api/v1/claim-codes/{code['id']}", headers=auth(key)).json()["state"] == "full"


def test_the_window_gives_clear_answers(app: FastAPI, client: TestClient, clock: Clock) -> None:
    key, achievement = _provider(client)
    code = open_code(
        client,
        key,
        achievement,
        clock,
        opens_at=(clock() + timedelta(hours=1)).isoformat(),
        closes_at=(clock() + timedelta(hours=2)).isoformat(),
    )
    assert_problem(ask(client, code["code"], "sam@example.com"), 409, "claim-code-not-open")
    assert_page_problem(Browser.open(app).get(f"/c/{code['code']}"), 409, "claim-code-not-open")
    clock.advance(hours=1)
    assert ask(client, code["code"], "sam@example.com").status_code == 202
    link = confirmation_link(client, "sam@example.com", code["code"])
    clock.advance(hours=1)
    assert_problem(ask(client, code["code"], "kim@example.com"), 410, "claim-code-expired")
    assert_page_problem(Browser.open(app).get(link), 410, "claim-code-expired")
    assert credentials_to(client, key) == []


def test_an_unknown_code_and_a_made_up_link_are_not_found(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock)
    assert_problem(ask(client, "ABCDEFGHJK", "sam@example.com"), 404, "claim-code-not-found")
    assert_page_problem(Browser.open(app).get("/c/ABCDEFGHJK"), 404, "claim-code-not-found")
    made_up = f"/c/{code['code']}/confirm/not-a-real-secret-at-all"
    assert_page_problem(Browser.open(app).get(made_up), 404, "claim-link-not-found")


def test_confirmation_emails_per_address_are_limited(client: TestClient, clock: Clock) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock)
    for _ in range(3):
        assert ask(client, code["code"], "sam@example.com").status_code == 202
    refused = ask(client, code["code"], "sam@example.com")
    assert_problem(refused, 429, "too-many-claims")
    assert int(refused.headers["retry-after"]) > 0
    assert len([m for m in outbox(client) if m["to"] == "sam@example.com"]) == 3


def test_one_client_address_is_throttled(app: FastAPI, client: TestClient, clock: Clock) -> None:
    services_of(app).replace(ClaimConfig(per_client=RequestLimiter(5, timedelta(minutes=10))))
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock)
    venue = TestClient(app, base_url=BASE_URL, client=("203.0.113.9", 50000))
    answers = [
        venue.post(f"/api/v1/claims/{code['code']}", json={"email": f"p{n}@example.com"}) for n in range(6)
    ]
    assert [a.status_code for a in answers[:5]] == [202] * 5
    assert_problem(answers[5], 429, "too-many-claims")
    assert int(answers[5].headers["retry-after"]) > 0
    # Another client address is not affected; ten minutes later this one may ask again.
    assert ask(client, code["code"], "other@example.com").status_code == 202
    clock.advance(minutes=10)
    assert venue.post(f"/api/v1/claims/{code['code']}", json={"email": "late@example.com"}).status_code == 202


def test_guessing_codes_is_throttled(app: FastAPI, client: TestClient, clock: Clock) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock)
    guesser = Browser.open(app, "198.51.100.7")
    for n in range(20):
        assert_page_problem(guesser.get(f"/c/ABCDEFG{n:03d}"), 404, "claim-code-not-found")
    assert_page_problem(guesser.get("/c/ABCDEFGHJK"), 429, "too-many-claims")
    shot = guesser.http.post("/api/v1/claims/ABCDEFGHJK", json={"email": "x@example.com"})
    assert_problem(shot, 429, "too-many-claims")
    # A real code still opens for them, and for everyone else.
    assert guesser.get(f"/c/{code['code']}").status_code == 200
    assert_page_problem(Browser.open(app).get("/c/ABCDEFGHJK"), 404, "claim-code-not-found")


def test_a_signed_in_learner_claims_at_once_into_their_passport(
    app: FastAPI, client: TestClient, clock: Clock, issue_claims: Callable[[], int]
) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock)
    learner = Browser.open(app)
    learner.sign_up("kim@example.com")
    page = learner.get(f"/c/{code['code']}")
    assert page.status_code == 200
    assert "Claim into my passport" in page.text
    claimed = learner.submit(f"/c/{code['code']}", f"/c/{code['code']}", as_learner="yes")
    assert claimed.status_code == 303, claimed.text
    progress = claimed.headers["location"]
    assert progress.startswith(f"/c/{code['code']}/confirm/")
    assert "Your credential is on its way" in learner.get(progress).text
    assert issue_claims() == 1
    shown = learner.get(progress)
    [credential] = re.findall(r'href="/passport/credentials/([^"]+)"', shown.text)
    assert "See it in your passport" in shown.text
    assert "Heat Pump Installation" in learner.get(f"/passport/credentials/{credential}").text
    # Another visitor with the link sees that it was issued, not where it is.
    assert "See it in your passport" not in Browser.open(app).get(progress).text
    again = learner.submit(f"/c/{code['code']}", f"/c/{code['code']}", as_learner="yes")
    assert_page_problem(again, 409, "already-claimed")
    assert issue_claims() == 0
    assert credentials_to(client, key) == ["kim@example.com"]


def test_signing_in_from_a_claim_page_comes_back(app: FastAPI, client: TestClient, clock: Clock) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock)
    Browser.open(app).sign_up("kim@example.com")
    visitor = Browser.open(app)
    page = visitor.get(f"/c/{code['code']}")
    assert f'href="/passport/sign-in?next=/c/{code["code"]}"' in page.text
    signed_in = visitor.submit(
        f"/passport/sign-in?next=/c/{code['code']}",
        "/passport/sign-in",
        email="kim@example.com",
        password=PASSWORD,
        next=f"/c/{code['code']}",
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == f"/c/{code['code']}"
    assert "Claim into my passport" in visitor.get(f"/c/{code['code']}").text


def test_a_confirmed_claim_into_an_existing_passport_lands_there(
    app: FastAPI, client: TestClient, clock: Clock, issue_claims: Callable[[], int]
) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock)
    learner = Browser.open(app)
    learner.sign_up("kim@example.com")
    sent = learner.submit(f"/c/{code['code']}", f"/c/{code['code']}", email="kim@example.com")
    assert sent.status_code == 200
    assert "Check your email" in sent.text
    link = confirmation_link(client, "kim@example.com", code["code"])
    confirmed = learner.submit(link, link)
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == link
    assert issue_claims() == 1
    assert "See it in your passport" in learner.get(link).text
    assert "Heat Pump Installation" in learner.get("/passport").text
    # Signed out, the same link says which passport holds it (not a way to take it elsewhere).
    elsewhere = Browser.open(app).get(link)
    assert "It is in the passport that holds this address" in elsewhere.text
    assert "/keep" not in elsewhere.text


def test_the_qr_code_holds_the_short_link(client: TestClient, clock: Clock) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock)
    png = client.get(f"/c/{code['code']}/qr.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert decoded.text == code["short_url"]
    svg = client.get(f"/c/{code['code']}/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<?xml") or "<svg" in svg.text


def test_a_code_typed_in_lower_case_goes_to_its_page(app: FastAPI, client: TestClient, clock: Clock) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock)
    typed = Browser.open(app).get(f"/c/{code['code'].lower()}")
    assert typed.status_code == 303
    assert typed.headers["location"] == f"/c/{code['code']}"


def test_the_demo_has_an_open_claim_code(app: FastAPI, client: TestClient, clock: Clock) -> None:
    now = clock()
    with transaction(services_of(app).get(Database).sessions) as session:
        assert seed_demo(session, services_of(app).get(IssuerConfig), now) is not None
        link = demo_claim_link(session, BASE_URL)
    assert link is not None
    page = Browser.open(app).get(link.removeprefix(BASE_URL))
    assert page.status_code == 200
    assert "Heat pump open day" in page.text


def test_an_app_confirms_with_the_token_of_the_link(
    client: TestClient, clock: Clock, issue_claims: Callable[[], int]
) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock)
    assert ask(client, code["code"], "sam@example.com").status_code == 202
    token = confirmation_link(client, "sam@example.com", code["code"]).rsplit("/", 1)[1]
    confirmed = client.post(f"/api/v1/claims/{code['code']}/confirm", json={"token": token})
    assert confirmed.status_code == 202, confirmed.text
    assert confirmed.json() == {"email": "sam@example.com", "state": "issuing", "credential_id": None}
    waiting = client.post(f"/api/v1/claims/{code['code']}/confirm", json={"token": token})
    assert (waiting.status_code, waiting.json()["state"]) == (200, "issuing")  # a retry is safe
    assert issue_claims() == 1
    again = client.post(f"/api/v1/claims/{code['code']}/confirm", json={"token": token})
    assert again.status_code == 200, again.text
    assert again.json()["state"] == "issued"
    credential = client.get(f"/api/v1/credentials/{again.json()['credential_id']}", headers=auth(key))
    assert credential.status_code == 200
    assert client.get(f"/api/v1/claim-codes/{code['id']}", headers=auth(key)).json()["claimed"] == 1
    wrong = client.post(f"/api/v1/claims/{code['code']}/confirm", json={"token": "x" * 43})
    assert_problem(wrong, 404, "claim-link-not-found")


def test_the_link_takes_the_credential_on_to_a_passport_only_within_a_day(
    app: FastAPI, client: TestClient, clock: Clock, issue_claims: Callable[[], int]
) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock)
    assert ask(client, code["code"], "sam@example.com").status_code == 202
    link = confirmation_link(client, "sam@example.com", code["code"])
    assert confirm(app, link).status_code == 303
    assert issue_claims() == 1
    clock.advance(hours=24)  # found later by someone else: it shows how the claim went, nothing more
    later = Browser.open(app)
    page = later.get(link)
    assert "Your credential has been issued" in page.text
    assert "/keep" not in page.text
    token = csrf_of(later.get("/passport/sign-in").text)  # the code has closed: its page has no form
    refused = later.http.post(f"{link}/keep", data={"csrf_token": token})
    assert (refused.status_code, refused.headers["location"]) == (303, link)
    with transaction(services_of(app).get(Database).sessions) as session:
        links = session.scalar(
            select(func.count()).select_from(EmailLink).where(EmailLink.purpose == "claim")
        )
    assert links == 1  # the one emailed when it was issued


def test_a_claim_for_an_archived_achievement_is_refused_at_once(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    key, achievement = _provider(client)
    code = open_code(client, key, achievement, clock)
    assert ask(client, code["code"], "sam@example.com").status_code == 202
    link = confirmation_link(client, "sam@example.com", code["code"])
    archived = client.post(f"/api/v1/achievements/{achievement}/archive", headers=auth(key))
    assert archived.status_code == 200, archived.text
    refused = Browser.open(app).submit(link, link)
    assert_page_problem(refused, 409, "conflict")
    assert client.get(f"/api/v1/claim-codes/{code['id']}", headers=auth(key)).json()["claimed"] == 0
