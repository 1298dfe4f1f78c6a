"""The provider console's home (figures), its credentials list and search, a credential's page, its
status changes with a reason (two steps, audited, a race shown plainly) and re-sending the claim email."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.services import Database, services_of
from issuers.console import pages as console_pages
from issuers.reports import statistics
from issuers.staff.models import AuditEvent
from passport.models import OutboxMessage
from tests.conftest import ADMIN_TOKEN, assert_page_problem
from tests.issuers.conftest import COURSE, auth, create_achievement
from tests.issuers.staff.conftest import Browser, Clock, csrf_of, operator_staff, provider_staff


def _provider(client: TestClient, name: str = "Alpha College", suspension: bool = False) -> dict[str, Any]:
    response = client.post(
        "/api/v1/admin/issuers",
        json={"name": name, "url": "https://alpha.example.ac.uk", "suspension_enabled": suspension},
        headers=auth(ADMIN_TOKEN),
    )
    assert response.status_code == 201, response.text
    provider: dict[str, Any] = response.json()
    return provider


def _issue(client: TestClient, api_key: str, achievement_id: str, email: str, **recipient: str) -> str:
    body = {"achievement_id": achievement_id, "recipient": {"email": email, **recipient}}
    response = client.post("/api/v1/credentials", json=body, headers=auth(api_key))
    assert response.status_code == 201, response.text
    credential_id: str = response.json()["id"]
    return credential_id


def _figure(html: str, label: str) -> int:
    found = re.search(
        r'<span class="figure-number">([\d,]+)</span> <span class="figure-label">' + re.escape(label), html
    )
    assert found, f"no figure {label!r}"
    return int(found.group(1).replace(",", ""))


def _rows(html: str) -> list[str]:
    """The credential ids the list shows, in order."""
    return re.findall(r'<td data-label="Learner"><a href="/console/credentials/(\w+)">', html)


def _events(app: FastAPI, credential_id: str) -> list[AuditEvent]:
    with services_of(app).get(Database).sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.subject_id == credential_id).order_by(AuditEvent.at)
            )
        )


def _outbox(app: FastAPI, email: str) -> list[str]:
    with services_of(app).get(Database).sessions() as session:
        return list(session.scalars(select(OutboxMessage.body).where(OutboxMessage.to_email == email)))


@pytest.fixture
def alpha(app: FastAPI, client: TestClient) -> dict[str, Any]:
    provider = _provider(client, suspension=True)
    first = create_achievement(client, provider["api_key"])
    second = create_achievement(client, provider["api_key"], {**COURSE, "name": "Solar PV (Level 2)"})
    return {**provider, "first": first, "second": second}


# --- home ---------------------------------------------------------------------------------------------------


def test_the_home_shows_the_providers_figures_overall_by_achievement_and_by_month(
    app: FastAPI, client: TestClient, alpha: dict[str, Any], clock: Clock
) -> None:
    key = alpha["api_key"]
    ids = [_issue(client, key, alpha["first"], f"l{n}@example.com") for n in range(3)]
    _issue(client, key, alpha["second"], "solar@example.com")
    response = client.post(
        f"/api/v1/credentials/{ids[0]}/revoke", json={"reason": "issued in error"}, headers=auth(key)
    )
    assert response.status_code == 200, response.text
    other = _provider(client, "Beta College")
    _issue(client, other["api_key"], create_achievement(client, other["api_key"]), "b@example.com")

    viewer = provider_staff(app, client, alpha["id"], "viewer@alpha.example", "viewer")
    html = viewer.get("/console").text
    assert _figure(html, "Issued") == 4  # not Beta's
    assert _figure(html, "Revoked") == 1
    assert _figure(html, "Claimed") == 0
    # the month's row of the table and the chart's bar say the same
    assert re.search(
        r'<th scope="row">2026-12</th><td>4</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td>', html
    )
    assert re.search(r'<text [^>]*class="chart-value">4</text>', html)
    assert html.count('class="chart-bar"') == 12
    # by achievement, most issued first, each linking to its credentials
    first = html.index("Heat Pump Installation (Level 3)</a>")
    assert first < html.index("Solar PV (Level 2)</a>")
    assert f"/console/credentials?achievement_id={alpha['first']}" in html
    # a viewer is not offered the administrators' pages
    assert 'href="/console/staff"' not in html
    admin = provider_staff(app, client, alpha["id"], "admin@alpha.example", "admin")
    assert 'href="/console/audit"' in admin.get("/console").text


def test_the_operators_home_is_unchanged(app: FastAPI, client: TestClient) -> None:
    browser = operator_staff(app, client, "olu@operator.example")
    html = browser.get("/operator").text
    assert 'href="/operator/staff"' in html
    assert "figure-number" not in html


# --- the list -----------------------------------------------------------------------------------------------


def test_the_list_finds_by_email_name_learner_id_achievement_status_and_dates(
    app: FastAPI, client: TestClient, alpha: dict[str, Any], clock: Clock
) -> None:
    key = alpha["api_key"]
    sam = _issue(client, key, alpha["first"], "Sam.Jones@Example.com", name="Sam Jones", learner_id="L-1")
    clock.advance(days=3)
    ria = _issue(client, key, alpha["second"], "ria@example.com", name="Ria Patel", learner_id="L-2")
    client.post(f"/api/v1/credentials/{ria}/suspend", json={"reason": "appeal"}, headers=auth(key))
    viewer = provider_staff(app, client, alpha["id"], "viewer@alpha.example", "viewer")

    assert _rows(viewer.get("/console/credentials").text) == [ria, sam]  # newest first
    assert _rows(viewer.get("/console/credentials?email=sam.jones@example.COM").text) == [sam]
    assert _rows(viewer.get("/console/credentials?email=sam@example.com").text) == []
    assert _rows(viewer.get("/console/credentials?name=patel").text) == [ria]
    assert _rows(viewer.get("/console/credentials?learner_id=L-1").text) == [sam]
    assert _rows(viewer.get(f"/console/credentials?achievement_id={alpha['second']}").text) == [ria]
    assert _rows(viewer.get("/console/credentials?status=suspended").text) == [ria]
    assert _rows(viewer.get("/console/credentials?status=valid").text) == [sam]
    assert _rows(viewer.get("/console/credentials?issued_from=2026-12-02").text) == [ria]
    assert _rows(viewer.get("/console/credentials?issued_until=2026-12-01").text) == [sam]  # inclusive
    html = viewer.get("/console/credentials?name=patel&status=suspended").text
    assert 'value="patel"' in html  # the form keeps what was asked
    assert '<option value="suspended" selected>' in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("issued_from=31/12/2026", "issued_from"),
        ("issued_from=2026-12-05&issued_until=2026-12-01", "issued_until"),
        ("status=lost", "status"),
        ("achievement_id=someone-elses", "achievement_id"),
        ("email=" + "a" * 300, "email"),
    ],
)
def test_a_search_that_makes_no_sense_is_shown_again_with_the_problem(
    app: FastAPI, client: TestClient, alpha: dict[str, Any], query: str, field: str
) -> None:
    viewer = provider_staff(app, client, alpha["id"], "viewer@alpha.example", "viewer")
    response = viewer.get(f"/console/credentials?{query}")
    assert_page_problem(response, 400, "bad-request")
    assert f'<a href="#{field}">' in response.text  # the error summary links to the field
    assert "All credentials" not in response.text


def test_the_list_pages_with_a_cursor_and_keeps_the_search(
    app: FastAPI, client: TestClient, alpha: dict[str, Any], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console_pages, "PAGE_SIZE", 2)
    ids = []
    for n in range(5):
        ids.append(_issue(client, alpha["api_key"], alpha["first"], f"l{n}@example.com", name=f"Kim {n}"))
        clock.advance(minutes=1)
    viewer = provider_staff(app, client, alpha["id"], "viewer@alpha.example", "viewer")
    seen, url = [], "/console/credentials?name=kim"
    while url:
        html = viewer.get(url).text
        seen.extend(_rows(html))
        found = re.search(r'<a href="([^"]+)" rel="next">', html)
        url = found.group(1).replace("&amp;", "&") if found else ""
        if url:
            assert "name=kim" in url
    assert seen == ids[::-1]
    response = viewer.get("/console/credentials?cursor=not-one-of-ours")
    assert_page_problem(response, 400, "bad-request")


# --- one credential -----------------------------------------------------------------------------------------


def test_a_credential_page_shows_what_was_issued_and_a_viewer_cannot_change_it(
    app: FastAPI, client: TestClient, alpha: dict[str, Any]
) -> None:
    credential = _issue(client, alpha["api_key"], alpha["first"], "sam@example.com", name="Sam Jones")
    viewer = provider_staff(app, client, alpha["id"], "viewer@alpha.example", "viewer")
    html = viewer.get(f"/console/credentials/{credential}").text
    assert "Heat Pump Installation (Level 3)" in html
    assert "sam@example.com" in html
    assert f"https://passport.test/credentials/{credential}" in html
    assert "Issued</strong>" in html  # the history, from the audit trail
    assert "/revoke" not in html
    assert "/resend" not in html
    download = viewer.get(f"/console/credentials/{credential}/download")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == f'attachment; filename="credential-{credential}.json"'
    assert download.json()["proof"]["cryptosuite"]
    refused = viewer.http.post(
        f"/console/credentials/{credential}/revoke",
        data={"csrf_token": csrf_of(html), "reason": "no", "confirmed": "yes"},
    )
    assert_page_problem(refused, 403, "role-not-allowed")


def test_revoking_asks_for_a_reason_then_a_confirmation_and_is_audited(
    app: FastAPI, client: TestClient, alpha: dict[str, Any]
) -> None:
    credential = _issue(client, alpha["api_key"], alpha["first"], "sam@example.com", name="Sam Jones")
    issuer = provider_staff(app, client, alpha["id"], "ivy@alpha.example", "issuer")
    path = f"/console/credentials/{credential}"
    csrf = issuer.csrf(path)

    empty = issuer.http.post(f"{path}/revoke", data={"csrf_token": csrf, "reason": "  "})
    assert_page_problem(empty, 422, "validation-error")
    assert 'aria-invalid="true"' in empty.text

    asked = issuer.http.post(f"{path}/revoke", data={"csrf_token": csrf, "reason": "Assessment withdrawn"})
    assert asked.status_code == 200
    assert "Revoke this credential?" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert (
        client.get(f"/api/v1/credentials/{credential}", headers=auth(alpha["api_key"])).json()["status"][
            "status"
        ]
        == "valid"
    )  # nothing changed before the confirmation

    done = issuer.http.post(
        f"{path}/revoke", data={"csrf_token": csrf, "reason": "Assessment withdrawn", "confirmed": "yes"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{path}?done=revoked"
    html = issuer.get(done.headers["location"]).text
    assert "The credential is revoked." in html
    assert "Reason: Assessment withdrawn" in html
    assert "by ivy@alpha.example" in html or "by Ivy" in html
    status = client.get(f"/api/v1/credentials/{credential}", headers=auth(alpha["api_key"])).json()["status"]
    assert status["status"] == "revoked"
    assert status["revocation_reason"] == "Assessment withdrawn"
    revoked = [event for event in _events(app, credential) if event.action == "credential.revoke"]
    assert len(revoked) == 1
    assert revoked[0].actor_kind == "staff"
    assert revoked[0].actor_label == "ivy@alpha.example"
    assert revoked[0].after == {"status": "revoked", "reason": "Assessment withdrawn"}

    # The same confirmed form again (another tab, or a colleague first): a clear message, no change.
    again = issuer.http.post(
        f"{path}/revoke", data={"csrf_token": csrf, "reason": "twice", "confirmed": "yes"}
    )
    assert_page_problem(again, 409, "conflict")
    assert "this credential is already revoked" in again.text
    assert len([e for e in _events(app, credential) if e.action == "credential.revoke"]) == 1


def test_suspending_and_reinstating(
    app: FastAPI, client: TestClient, alpha: dict[str, Any], clock: Clock
) -> None:
    credential = _issue(client, alpha["api_key"], alpha["first"], "sam@example.com")
    issuer = provider_staff(app, client, alpha["id"], "ivy@alpha.example", "issuer")
    path = f"/console/credentials/{credential}"
    csrf = issuer.csrf(path)
    data = {"csrf_token": csrf, "reason": "Under appeal", "confirmed": "yes"}
    clock.advance(minutes=1)
    assert issuer.http.post(f"{path}/suspend", data=data).headers["location"] == f"{path}?done=suspended"
    clock.advance(minutes=1)
    html = issuer.get(path).text
    assert "/reinstate" in html
    asked = issuer.http.post(f"{path}/reinstate", data={"csrf_token": csrf})
    assert "Reinstate this credential?" in asked.text
    done = issuer.http.post(f"{path}/reinstate", data={"csrf_token": csrf, "confirmed": "yes"})
    assert done.headers["location"] == f"{path}?done=reinstated"
    actions = [event.action for event in _events(app, credential)]
    assert actions == ["credential.issue", "credential.suspend", "credential.reinstate"]
    history = issuer.get(path).text
    assert history.index("Suspended</strong>") < history.index("Reinstated</strong>")


def test_suspending_where_the_provider_has_not_enabled_it_is_refused_plainly(
    app: FastAPI, client: TestClient
) -> None:
    provider = _provider(client, "Gamma College", suspension=False)
    credential = _issue(
        client, provider["api_key"], create_achievement(client, provider["api_key"]), "s@e.com"
    )
    issuer = provider_staff(app, client, provider["id"], "ivy@gamma.example", "issuer")
    path = f"/console/credentials/{credential}"
    assert "/suspend" not in issuer.get(path).text
    response = issuer.http.post(
        f"{path}/suspend", data={"csrf_token": issuer.csrf(path), "reason": "x", "confirmed": "yes"}
    )
    assert_page_problem(response, 409, "conflict")
    assert "suspension is not enabled" in response.text


def test_another_providers_credential_is_not_found(
    app: FastAPI, client: TestClient, alpha: dict[str, Any]
) -> None:
    credential = _issue(client, alpha["api_key"], alpha["first"], "sam@example.com")
    other = _provider(client, "Beta College")
    stranger = provider_staff(app, client, other["id"], "admin@beta.example", "admin")
    for path in (f"/console/credentials/{credential}", f"/console/credentials/{credential}/download"):
        response = stranger.get(path)
        assert_page_problem(response, 404, "not-found")
        assert "sam@example.com" not in response.text


# --- the claim email ----------------------------------------------------------------------------------


def test_the_claim_email_is_sent_again_at_most_every_fifteen_minutes_and_three_times_a_day(
    app: FastAPI, client: TestClient, alpha: dict[str, Any], clock: Clock
) -> None:
    credential = _issue(client, alpha["api_key"], alpha["first"], "sam@example.com")
    assert len(_outbox(app, "sam@example.com")) == 1
    issuer = provider_staff(app, client, alpha["id"], "ivy@alpha.example", "issuer")
    path = f"/console/credentials/{credential}"

    too_soon = issuer.http.post(f"{path}/resend", data={"csrf_token": issuer.csrf(path)})
    assert_page_problem(too_soon, 429, "too-many-requests")
    assert int(too_soon.headers["retry-after"]) == 15 * 60
    assert len(_outbox(app, "sam@example.com")) == 1

    for _ in range(3):
        clock.advance(minutes=15)
        sent = issuer.http.post(f"{path}/resend", data={"csrf_token": issuer.csrf(path)})
        assert sent.headers["location"] == f"{path}?done=resent"
    bodies = _outbox(app, "sam@example.com")
    assert len(bodies) == 4
    assert len({re.search(r"/passport/claim/\S+", body).group(0) for body in bodies}) == 4  # type: ignore[union-attr]
    clock.advance(minutes=15)
    fourth = issuer.http.post(f"{path}/resend", data={"csrf_token": issuer.csrf(path)})
    assert_page_problem(fourth, 429, "too-many-requests")
    assert "can be sent again in" in fourth.text
    resends = [e for e in _events(app, credential) if e.action == "credential.claim_resend"]
    assert len(resends) == 3
    assert {e.actor_label for e in resends} == {"ivy@alpha.example"}
    clock.advance(hours=24)
    issuer.sign_in("console", "ivy@alpha.example")  # the session has ended meanwhile
    assert issuer.http.post(f"{path}/resend", data={"csrf_token": issuer.csrf(path)}).status_code == 303


def test_the_claim_email_is_not_sent_again_once_claimed_or_revoked(
    app: FastAPI, client: TestClient, alpha: dict[str, Any], clock: Clock
) -> None:
    claimed = _issue(client, alpha["api_key"], alpha["first"], "sam@example.com")
    revoked = _issue(client, alpha["api_key"], alpha["first"], "ria@example.com")
    client.post(f"/api/v1/credentials/{revoked}/revoke", json={"reason": "x"}, headers=auth(alpha["api_key"]))
    with services_of(app).get(Database).sessions() as session, session.begin():
        statistics.mark_claimed(session, "sam@example.com", clock.now)
    clock.advance(hours=1)
    issuer = provider_staff(app, client, alpha["id"], "ivy@alpha.example", "issuer")
    for credential, why in ((claimed, "already claimed"), (revoked, "Only a valid credential")):
        path = f"/console/credentials/{credential}"
        page = issuer.get(path).text
        assert f"{path}/resend" not in page
        response = issuer.http.post(f"{path}/resend", data={"csrf_token": csrf_of(page)})
        assert_page_problem(response, 409, "conflict")
        assert why in response.text
    assert "already claimed" in issuer.get(f"/console/credentials/{claimed}").text


def test_a_form_without_the_csrf_token_changes_nothing(
    app: FastAPI, client: TestClient, alpha: dict[str, Any]
) -> None:
    credential = _issue(client, alpha["api_key"], alpha["first"], "sam@example.com")
    issuer = provider_staff(app, client, alpha["id"], "ivy@alpha.example", "issuer")
    response = issuer.http.post(
        f"/console/credentials/{credential}/revoke", data={"reason": "x", "confirmed": "yes"}
    )
    assert_page_problem(response, 403, "csrf-token-invalid")
    assert [e.action for e in _events(app, credential)] == ["credential.issue"]


def test_signed_out_visitors_are_sent_to_sign_in(app: FastAPI) -> None:
    response = Browser.open(app).get("/console/credentials?email=a@b.c")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?next=/console/credentials"
