"""The operator console end to end through its pages: onboard a provider, accredit it, suspend,
reinstate and withdraw the accreditation with reasons (its history and the trust list follow), the
approval queue with assignment to an assessor, decisions, and the network's figures."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.db import transaction
from core.services import Database, services_of
from issuers.service import API_KEY_PREFIX, IssuerConfig
from issuers.staff.accounts import StaffConfig
from network.trust import TrustConfig
from server.seed import seed_demo, seed_demo_staff
from tests.conftest import assert_page_problem
from tests.issuers.staff.conftest import Browser
from tests.network.console.conftest import member_id, staff

P = "/operator"


def _location_id(response: Any, prefix: str) -> str:
    assert response.status_code == 303, response.text
    found = re.match(re.escape(prefix) + r"([A-Za-z0-9]+)", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def test_onboard_accredit_suspend_reinstate_withdraw(app: FastAPI, client: TestClient) -> None:
    admin = staff(app, client, "olu@operator.example", "operator_admin")
    created = admin.submit(
        f"{P}/providers/new",
        f"{P}/providers",
        name="Tyneside Training",
        url="https://tyneside.example.ac.uk",
        contact_email="quality@tyneside.example.ac.uk",
        ukprn="10012345",
    )
    assert created.status_code == 201, created.text
    assert re.search(re.escape(API_KEY_PREFIX) + r"[A-Za-z0-9_-]{20,}", created.text)
    assert created.headers["cache-control"] == "no-store"
    found = re.search(r"/operator/providers/([A-Za-z0-9]+)/accredit", created.text)
    assert found
    provider_id = found.group(1)
    listed = admin.get(f"{P}/providers?q=tyneside")
    assert "Tyneside Training" in listed.text
    assert "Not accredited" in listed.text
    assert "Tyneside Training" not in admin.get(f"{P}/providers?q=nowhere").text

    granted = admin.submit(
        f"{P}/providers/{provider_id}/accredit",
        f"{P}/providers/{provider_id}/accredit",
        sectors="Digital, Construction",
        levels="RQF 3, RQF 4",
        kinds="course",
        valid_from="2026-01-01",
        valid_until="2028-01-01",
        reason="Panel of 3 December",
    )
    accreditation_id = _location_id(granted, f"{P}/accreditations/")
    shown = admin.get(f"{P}/accreditations/{accreditation_id}?done=accredited")
    assert "Accreditation granted" in shown.text
    assert "Digital, Construction" in shown.text

    for action, reason, state in (
        ("suspend", "Complaint under investigation", "suspended"),
        ("reinstate", "", "active"),
        ("withdraw", "Stopped trading", "withdrawn"),
    ):
        done = admin.submit(
            f"{P}/accreditations/{accreditation_id}/{action}",
            f"{P}/accreditations/{accreditation_id}/{action}",
            reason=reason,
        )
        assert done.status_code == 303, done.text
        assert (
            client.get(f"/api/v1/admin/accreditations/{accreditation_id}", headers=_operator()).json()[
                "state"
            ]
            == state
        )
    history = admin.get(f"{P}/accreditations/{accreditation_id}").text
    for word in ("Accredited", "Suspended", "Reinstated", "Withdrawn", "Complaint under investigation"):
        assert word in history
    assert "<td>Olu</td>" in history  # who, as the history names them
    trust_list = admin.get(f"{P}/trust-list").text
    assert "Tyneside Training" in trust_list
    assert "Stopped trading" in trust_list


def _operator() -> dict[str, str]:
    from tests.issuers.staff.conftest import operator_auth

    return operator_auth()


def test_a_suspension_needs_a_reason_and_a_withdrawn_one_cannot_change(
    app: FastAPI, client: TestClient
) -> None:
    admin = staff(app, client, "olu@operator.example", "operator_admin")
    provider = client.post(
        "/api/v1/admin/issuers", json={"name": "A College", "url": "https://a.example"}, headers=_operator()
    ).json()
    row = client.post(
        "/api/v1/admin/accreditations",
        json={
            "provider_id": provider["id"],
            "valid_from": "2026-01-01T00:00:00Z",
            "valid_until": "2027-01-01T00:00:00Z",
        },
        headers=_operator(),
    ).json()
    page = f"{P}/accreditations/{row['id']}/suspend"
    missing = admin.submit(page, page, reason="  ")
    assert missing.status_code == 422
    assert "Give a reason" in missing.text
    assert (
        client.get(f"/api/v1/admin/accreditations/{row['id']}", headers=_operator()).json()["state"]
        == "active"
    )
    withdraw = f"{P}/accreditations/{row['id']}/withdraw"
    assert admin.submit(withdraw, withdraw, reason="Gone").status_code == 303
    again = admin.submit(withdraw, withdraw, reason="Again")
    assert again.status_code == 409
    assert "final" in again.text
    assert_page_problem(admin.get(f"{P}/accreditations/{row['id']}/delete"), 404, "not-found")


def test_accrediting_with_a_bad_level_or_period_shows_the_form_again(
    app: FastAPI, client: TestClient
) -> None:
    admin = staff(app, client, "olu@operator.example", "operator_admin")
    provider = client.post(
        "/api/v1/admin/issuers", json={"name": "B College", "url": "https://b.example"}, headers=_operator()
    ).json()
    form = f"{P}/providers/{provider['id']}/accredit"
    bad = admin.submit(form, form, levels="Level 9", valid_from="2026-01-01", valid_until="2025-01-01")
    assert bad.status_code == 422
    assert 'value="Level 9"' in bad.text  # kept
    assert "There is a problem" in bad.text
    assert client.get("/api/v1/admin/accreditations", headers=_operator()).json() == []


def test_edit_a_provider(app: FastAPI, client: TestClient) -> None:
    admin = staff(app, client, "olu@operator.example", "operator_admin")
    provider = client.post(
        "/api/v1/admin/issuers", json={"name": "C College", "url": "https://c.example"}, headers=_operator()
    ).json()
    edit = f"{P}/providers/{provider['id']}/edit"
    wrong = admin.submit(edit, edit, name="C College", url="not a url")
    assert wrong.status_code == 422
    assert "There is a problem" in wrong.text
    saved = admin.submit(
        edit, edit, name="C College of FE", url="https://c.example", contact_email="hi@c.example"
    )
    assert saved.status_code == 303
    got = client.get(f"/api/v1/admin/issuers/{provider['id']}", headers=_operator()).json()
    assert got["name"] == "C College of FE"


def test_assessors_see_and_decide_only_what_is_assigned_to_them(
    app: FastAPI, client: TestClient, submitted: dict[str, Any]
) -> None:
    admin = staff(app, client, "olu@operator.example", "operator_admin")
    ada = staff(app, client, "ada@operator.example", "assessor")
    bea = staff(app, client, "bea@operator.example", "assessor")
    approval_id = submitted["approval"]["id"]
    page = f"{P}/approvals/{approval_id}"
    assert "Heat Pump Installation" in admin.get(f"{P}/approvals").text
    assert "Heat Pump Installation" not in ada.get(f"{P}/approvals").text
    assert_page_problem(ada.get(page), 404, "not-found")

    ada_id = member_id(app, "ada@operator.example")
    admin_id = member_id(app, "olu@operator.example")
    not_assessor = admin.submit(page, f"{page}/assign", assessor_id=admin_id)
    assert not_assessor.status_code == 422
    assert admin.submit(page, f"{page}/assign", assessor_id=ada_id).status_code == 303
    assert "<td>Ada</td>" in admin.get(f"{P}/approvals").text

    assert "Heat Pump Installation" in ada.get(f"{P}/approvals").text
    assert_page_problem(bea.get(page), 404, "not-found")
    assert_page_problem(
        bea.http.post(f"{page}/approve", data={"csrf_token": bea.csrf(f"{P}/approvals")}), 404, "not-found"
    )
    assert "Assign to an assessor" not in ada.get(page).text  # assessors do not assign

    approved = ada.submit(page, f"{page}/approve", comment="Strong employer involvement.")
    assert approved.status_code == 303
    got = client.get(f"/api/v1/admin/approvals/{approval_id}", headers=_operator()).json()
    assert got["state"] == "approved"
    assert got["decided_by"] == f"assessor:{ada_id}"
    assert client.get(f"/approvals/{approval_id}").status_code == 200  # the endorsement is published
    # withdrawing is the operator administrators': the assessor has no form and is refused
    assert "Withdraw the approval" not in ada.get(page).text
    refused = ada.http.post(f"{page}/withdraw", data={"csrf_token": ada.csrf(page), "reason": "x"})
    assert_page_problem(refused, 403, "role-not-allowed")
    withdrawn = admin.submit(page, f"{page}/withdraw", reason="Provider withdrew the course")
    assert withdrawn.status_code == 303
    assert (
        client.get(f"/api/v1/admin/approvals/{approval_id}", headers=_operator()).json()["state"]
        == "withdrawn"
    )


def test_a_refusal_needs_a_reason_under_a_criterion(
    app: FastAPI, client: TestClient, submitted: dict[str, Any]
) -> None:
    admin = staff(app, client, "olu@operator.example", "operator_admin")
    page = f"{P}/approvals/{submitted['approval']['id']}"
    empty = admin.submit(page, f"{page}/refuse")
    assert empty.status_code == 422
    assert "Give at least one reason" in empty.text
    refused = admin.submit(page, f"{page}/refuse", reason_credits="Credits do not match the hours.")
    assert refused.status_code == 303
    got = client.get(f"/api/v1/admin/approvals/{submitted['approval']['id']}", headers=_operator()).json()
    assert got["state"] == "refused"
    assert got["reasons"] == [{"criterion": "credits", "reason": "Credits do not match the hours."}]
    again = admin.submit(page, f"{page}/approve")
    assert again.status_code == 409  # decided already: shown again with why
    assert "refused" in again.text


def test_network_figures_show_counts_and_no_learner(
    app: FastAPI, client: TestClient, submitted: dict[str, Any]
) -> None:
    key = submitted["provider"]["api_key"]
    response = client.post(
        "/api/v1/credentials",
        json={
            "achievement_id": submitted["achievement_id"],
            "recipient": {"name": "Priya Learner", "email": "priya@learner.example"},
        },
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.text
    assessor = staff(app, client, "ada@operator.example", "assessor")
    shown = assessor.get(f"{P}/figures")
    assert shown.status_code == 200
    assert "Building services" in shown.text
    assert "Course" in shown.text
    assert "Priya" not in shown.text
    assert "priya@learner.example" not in shown.text
    assert_page_problem(assessor.get(f"{P}/figures?since=June"), 404, "not-found")


def test_accredit_an_issuer_that_issues_elsewhere(app: FastAPI, client: TestClient) -> None:
    admin = staff(app, client, "olu@operator.example", "operator_admin")
    form = f"{P}/accreditations/new"
    bad = admin.submit(form, f"{P}/accreditations", issuer="college", name="", valid_from="2026-01-01")
    assert bad.status_code == 422
    assert 'value="college"' in bad.text
    assert client.get("/api/v1/admin/accreditations", headers=_operator()).json() == []
    granted = admin.submit(
        form,
        f"{P}/accreditations",
        issuer="did:web:northern.example.ac.uk",
        name="Northern College",
        levels="SCQF 6",
        valid_from="2026-01-01",
        valid_until="2027-01-01",
    )
    accreditation_id = _location_id(granted, f"{P}/accreditations/")
    got = client.get(f"/api/v1/admin/accreditations/{accreditation_id}", headers=_operator()).json()
    assert got["issuer"] == "did:web:northern.example.ac.uk"
    assert got["scope"]["levels"] == ["SCQF 6"]
    listed = admin.get(f"{P}/providers").text
    assert "Issuers accredited elsewhere" in listed
    assert "did:web:northern.example.ac.uk" in listed
    again = admin.submit(
        form,
        f"{P}/accreditations",
        issuer="did:web:northern.example.ac.uk",
        name="Northern College",
        valid_from="2026-01-01",
        valid_until="2027-01-01",
    )
    assert again.status_code == 409  # one current accreditation per issuer
    assert "already has accreditation" in again.text


def test_the_demo_assessor_finds_the_pending_submission_assigned(app: FastAPI, client: TestClient) -> None:
    now = datetime.now(UTC)
    services = services_of(app)
    with transaction(services.get(Database).sessions) as session:
        keys = seed_demo(session, services.get(IssuerConfig), now, services.get(TrustConfig))
        assert keys is not None
        college = keys["Midlands Further Education College"]["id"]
        staff_made = seed_demo_staff(session, services.get(StaffConfig), college, now)
    email, password = next((e, p) for realm, role, e, p in staff_made if role == "assessor")
    assessor = Browser.open(app)
    assert assessor.sign_in("operator", email, password).status_code == 303
    queue = assessor.get(f"{P}/approvals")
    assert queue.status_code == 200
    rows = re.findall(r'href="/operator/approvals/([a-z0-9]+)"', queue.text)
    assert len(rows) == 1  # the university's exchange visit, waiting; nothing else is theirs
    assert assessor.get(f"{P}/approvals/{rows[0]}").status_code == 200


def test_the_console_speaks_welsh(app: FastAPI, client: TestClient, submitted: dict[str, Any]) -> None:
    admin = staff(app, client, "olu@operator.example", "operator_admin")
    approval = admin.get(f"{P}/approvals/{submitted['approval']['id']}?lang=cy").text
    assert "Meini prawf y cynllun" in approval  # "The scheme's criteria"
    assert "Neilltuo i asesydd" in approval  # "Assign to an assessor"
    for path in ("/providers", "/trust-list", "/figures", "/approvals", "/accreditations/new"):
        shown = admin.get(f"{P}{path}")  # the language cookie remembers the choice
        assert shown.status_code == 200
        assert 'lang="cy"' in shown.text


def test_change_an_accreditations_scope_and_period(app: FastAPI, client: TestClient) -> None:
    admin = staff(app, client, "olu@operator.example", "operator_admin")
    provider = client.post(
        "/api/v1/admin/issuers", json={"name": "D College", "url": "https://d.example"}, headers=_operator()
    ).json()
    row = client.post(
        "/api/v1/admin/accreditations",
        json={
            "provider_id": provider["id"],
            "scope": {"levels": ["RQF 3"]},
            "valid_from": "2026-01-01T00:00:00Z",
            "valid_until": "2027-01-01T00:00:00Z",
        },
        headers=_operator(),
    ).json()
    edit = f"{P}/accreditations/{row['id']}/edit"
    form = admin.get(edit).text
    assert 'value="RQF 3"' in form  # today's scope, to change
    assert 'value="2027-01-01"' in form
    bad = admin.submit(
        edit, edit, name="D College", levels="Level 3", valid_from="2026-01-01", valid_until="2027-01-01"
    )
    assert bad.status_code == 422
    assert 'value="Level 3"' in bad.text
    saved = admin.submit(
        edit,
        edit,
        name="D College",
        url=row["url"],
        levels="RQF 3, RQF 4",
        valid_from="2026-01-01",
        valid_until="2028-01-01",
        reason="Panel extended the scope",
    )
    assert saved.status_code == 303
    got = client.get(f"/api/v1/admin/accreditations/{row['id']}", headers=_operator()).json()
    assert got["scope"]["levels"] == ["RQF 3", "RQF 4"]
    assert got["valid_until"].startswith("2028-01-01")
    events = client.get(f"/api/v1/admin/accreditations/{row['id']}/history", headers=_operator()).json()
    assert [event["event"] for event in events] == ["accredited", "scope_changed", "period_changed"]
    assert events[-1]["reason"] == "Panel extended the scope"
    withdraw = f"{P}/accreditations/{row['id']}/withdraw"
    assert admin.submit(withdraw, withdraw, reason="Closed").status_code == 303
    late = admin.submit(edit, edit, name="D College", valid_from="2026-01-01", valid_until="2029-01-01")
    assert late.status_code == 409
    assert "withdrawn" in late.text
