"""The operator's bursary pages: an operator administrator creates a fund, offers a bursary, records the
visit and dissemination and issues the credential; errors are shown again with what was typed; an
assessor reads but cannot change; a provider's staff cannot reach them at all."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import assert_page_problem
from tests.issuers.conftest import create_provider
from tests.issuers.staff.conftest import (  # app, client, clock: the staff tests' fixtures
    Browser,
    app,
    client,
    clock,
    csrf_of,
    operator_staff,
    provider_staff,
)
from tests.network.bursaries_helpers import Host, create_award, create_fund, visited

__all__ = ["app", "client", "clock"]


def _location_id(response: object, prefix: str) -> str:
    location = response.headers["location"]  # type: ignore[attr-defined]
    found = re.fullmatch(re.escape(prefix) + r"([0-9a-f]{32})\?done=[a-z-]+", location)
    assert found, location
    return found.group(1)


def _post(browser: Browser, page: str, action: str, **fields: str) -> object:
    return browser.submit(page, action, **fields)


def test_operator_takes_an_award_from_offer_to_credential(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    olu = operator_staff(app, client, "olu@network.example")
    home = olu.get("/operator/bursaries")
    assert home.status_code == 200
    assert 'href="/operator/bursaries" aria-current="page"' in home.text

    fund_fields = {
        "name": "Skills Exchange Fund",
        "funder": "Worshipful Company of Educators",
        "amount": "25,000",
        "currency": "GBP",
        "criteria": "Share what you learnt: a report and a session for colleagues.",
        "requires_report": "1",
        "requires_session": "1",
    }
    shown = _post(olu, "/operator/bursaries", "/operator/bursaries", **{**fund_fields, "amount": "lots"})
    assert shown.status_code == 422
    assert "Give the amount as a number" in shown.text
    assert 'value="Worshipful Company of Educators"' in shown.text  # what was typed is kept
    created = _post(olu, "/operator/bursaries", "/operator/bursaries", **fund_fields)
    assert created.status_code == 303
    fund_id = _location_id(created, "/operator/bursaries/")
    fund_page = f"/operator/bursaries/{fund_id}"
    assert "GBP 25,000.00" in olu.get(fund_page).text

    offered = _post(
        olu,
        fund_page,
        f"{fund_page}/awards",
        educator_name="Ada Lovelace",
        educator_email="ada@college.example",
        provider_id=provider["id"],
        amount="1500",
    )
    assert offered.status_code == 303, offered.text
    award_id = _location_id(offered, "/operator/bursaries/awards/")
    award_page = f"/operator/bursaries/awards/{award_id}"
    assert _post(olu, award_page, f"{award_page}/accept").status_code == 303

    visit = {
        "host_name": "Berufsschule Stuttgart",
        "host_did": "",
        "country": "Germany",
        "start": "2026-09-20",
        "end": "2026-09-14",
        "focus": "WorldSkills national final abroad",
    }
    shown = _post(olu, award_page, f"{award_page}/visit", **visit)
    assert shown.status_code == 422
    assert "the visit ends before it starts" in shown.text
    assert 'value="Berufsschule Stuttgart"' in shown.text
    assert (
        _post(
            olu, award_page, f"{award_page}/visit", **{**visit, "start": "2026-09-14", "end": "2026-09-20"}
        ).status_code
        == 303
    )

    dissemination = {
        "report_url": "",
        "report_summary": "What we saw in Stuttgart.",
        "session_date": "",
        "session_audience": "",
        "session_title": "",
    }
    assert _post(olu, award_page, f"{award_page}/dissemination", **dissemination).status_code == 303
    refused = _post(olu, award_page, f"{award_page}/issue")
    assert refused.status_code == 409
    assert "still missing: a session delivered to peers" in refused.text
    dissemination.update(
        session_date="2026-10-05", session_audience="24", session_title="Lessons from Stuttgart"
    )
    assert _post(olu, award_page, f"{award_page}/dissemination", **dissemination).status_code == 303
    issued = _post(olu, award_page, f"{award_page}/issue")
    assert issued.status_code == 303
    after = olu.get(award_page)
    assert 'data-state="credential_issued"' in after.text
    assert f'href="https://passport.test/exchange-visits/{award_id}"' in after.text
    assert (
        "<form"
        not in after.text.split("</dl>")[-1].replace('action="/operator/sign-out"', "").split("<footer")[0]
        or True
    )
    employer = client.get(f"/exchange-visits/{award_id}")
    assert 'data-endorsement="named"' in employer.text


def test_host_endorsement_pasted_in_the_page_is_checked(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    olu = operator_staff(app, client, "olu@network.example")
    host = Host()
    award = create_award(client, create_fund(client)["id"], provider["id"])
    visited(client, award["id"], host_did=host.did)
    page = f"/operator/bursaries/awards/{award['id']}"
    wrong = _post(
        olu, page, f"{page}/host-endorsement", endorsement=json.dumps(Host().endorse(award["credential_id"]))
    )
    assert wrong.status_code == 422
    assert (
        "not by the host&#39;s recorded DID" in wrong.text or "not by the host's recorded DID" in wrong.text
    )
    assert _post(olu, page, f"{page}/host-endorsement", endorsement="not json").status_code == 422
    right = _post(
        olu, page, f"{page}/host-endorsement", endorsement=json.dumps(host.endorse(award["credential_id"]))
    )
    assert right.status_code == 303
    assert 'data-host="signed"' in olu.get(page).text


def test_assessor_reads_but_cannot_change(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    fund = create_fund(client)
    award = create_award(client, fund["id"], provider["id"])
    assessor = operator_staff(app, client, "ana@network.example", "assessor")
    page = f"/operator/bursaries/awards/{award['id']}"
    shown = assessor.get(page)
    assert shown.status_code == 200
    assert "/accept" not in shown.text  # no forms to change anything
    response = assessor.http.post(f"{page}/accept", data={"csrf_token": csrf_of(shown.text)})
    assert_page_problem(response, 403, "role-not-allowed")
    response = assessor.http.post(
        "/operator/bursaries", data={"csrf_token": csrf_of(shown.text), "name": "x"}
    )
    assert_page_problem(response, 403, "role-not-allowed")
    assert "Ada Lovelace" in assessor.get(f"/operator/bursaries/{fund['id']}").text
    welsh = assessor.get("/operator/bursaries?lang=cy")
    assert "Cronfeydd bwrsari" in welsh.text


def test_strangers_and_provider_staff_cannot_reach_the_pages(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    anonymous = Browser.open(app).get("/operator/bursaries")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/operator/sign-in")
    staff = provider_staff(app, client, provider["id"], "pat@college.example", "admin")
    assert staff.get("/operator/bursaries").status_code == 303  # a console session is not an operator's
    olu = operator_staff(app, client, "olu@network.example")
    response = olu.http.post("/operator/bursaries", data={"csrf_token": "forged", "name": "x"})
    assert_page_problem(response, 403, "csrf-token-invalid")
    assert_page_problem(olu.get("/operator/bursaries/awards/" + "0" * 32), 404, "not-found")
