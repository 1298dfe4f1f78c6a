"""The console's pathway form holds every rule of a step: a pathway defined through the API with two rules
in a step, saved unchanged in the console, keeps both (it used to keep one); another rule is added in the
form's empty fieldset, a rule is removed by emptying its fields; a bad value in a rule is shown against that
step and rule with the form kept as sent. The public pathway pages say who runs each pathway."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.services import services_of
from network.trust import TrustConfig
from tests.conftest import ADMIN_TOKEN
from tests.issuers.conftest import COURSE, auth, create_achievement, create_provider
from tests.issuers.staff.conftest import Browser, accept, invite_provider_staff

MINE = "/api/v1/pathways"
ADMIN = "/api/v1/admin/pathways"
LEVEL_2 = {"code": "ST0123", "framework": "IfATE", "min_level": "RQF 2"}
ENERGY = {"sector": "Energy", "min_credits": 12.5}


class FormFields(HTMLParser):
    """What a browser sends for the page's pathway form as it stands: every named input and textarea
    with its value, and each select's selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and "pathway-form" in found.get("class", ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and "name" in found:
            self.fields.append((found["name"], found.get("value", "")))
        elif tag == "select":
            self._select = found.get("name")
        elif tag == "option" and self._select is not None and "selected" in found:
            self.fields.append((self._select, found.get("value", "")))
        elif tag == "textarea":
            self._textarea = found.get("name")
            self.fields.append((self._textarea or "", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_of(html: str) -> dict[str, Any]:
    """The pathway form's fields as a browser would send them unchanged (repeated names as lists)."""
    parser = FormFields()
    parser.feed(html)
    sent: dict[str, Any] = {}
    for name, value in parser.fields:
        if name in sent:
            sent[name] = [*sent[name], value] if isinstance(sent[name], list) else [sent[name], value]
        else:
            sent[name] = value
    return sent


@pytest.fixture
def world(client: TestClient) -> dict[str, Any]:
    """A college with two courses and a partnership whose pathways officer is signed in to the console."""
    college = create_provider(client, "Midlands College")
    heat = create_achievement(client, college["api_key"])
    retrofit = create_achievement(client, college["api_key"], {**COURSE, "name": "Domestic Retrofit"})
    response = client.post(
        "/api/v1/admin/issuers",
        json={
            "name": "Northern Skills Partnership",
            "url": "https://north.example.org.uk",
            "kind": "partnership",
        },
        headers=auth(ADMIN_TOKEN),
    )
    assert response.status_code == 201, response.text
    partnership = response.json()
    return {"heat": heat, "retrofit": retrofit, "partnership": partnership}


@pytest.fixture
def ian(app: FastAPI, client: TestClient, world: dict[str, Any]) -> Browser:
    invite_provider_staff(client, world["partnership"]["id"], "ian@north.example", "issuer")
    return accept(app, "ian@north.example")


def create(client: TestClient, world: dict[str, Any], *first_rules: dict[str, Any]) -> dict[str, Any]:
    """A pathway defined through the API: a step of two courses (two of them to meet) and the given
    rules, then a step of one rule after it."""
    body = {
        "title": "Heat pumps to retrofit",
        "region": "North East",
        "steps": [
            {
                "key": "start",
                "title": "Start",
                "choose": 2,
                "options": [
                    {"achievement": world["heat"]},
                    {"achievement": world["retrofit"]},
                    *({"rule": rule} for rule in first_rules),
                ],
            },
            {
                "key": "then",
                "title": "Then",
                "after": ["start"],
                "options": [{"rule": {"min_level": "SCQF 7"}}],
            },
        ],
    }
    response = client.post(MINE, json=body, headers=auth(world["partnership"]["api_key"]))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def fetched(client: TestClient, world: dict[str, Any], pathway_id: str) -> dict[str, Any]:
    found: dict[str, Any] = client.get(
        f"{MINE}/{pathway_id}", headers=auth(world["partnership"]["api_key"])
    ).json()
    return found


def test_saving_a_pathway_unchanged_in_the_console_keeps_every_rule_of_a_step(
    client: TestClient, world: dict[str, Any], ian: Browser
) -> None:
    created = create(client, world, LEVEL_2, ENERGY)
    edit = ian.get(f"/console/pathways/{created['id']}/edit")
    assert edit.status_code == 200
    sent = form_of(edit.text)
    assert sent["step-0-rule-0-code"] == "ST0123"
    assert sent["step-0-rule-1-sector"] == "Energy"
    assert sent["step-0-rule-2-sector"] == ""  # the empty fieldset to add another

    saved = ian.http.post(f"/console/pathways/{created['id']}", data=sent)
    assert saved.status_code == 303, saved.text
    after = fetched(client, world, created["id"])
    assert after["version"] == 2
    assert after["steps"] == created["steps"]
    assert [o["rule"] for o in after["steps"][0]["options"][2:]] == [LEVEL_2, ENERGY]


def test_the_operator_saves_a_partnership_pathway_unchanged_keeping_every_rule(
    app: FastAPI, client: TestClient, world: dict[str, Any]
) -> None:
    created = create(client, world, LEVEL_2, ENERGY)
    response = client.post(
        "/api/v1/admin/staff",
        json={"email": "olu@operator.example", "name": "Olu", "role": "operator_admin"},
        headers=auth(ADMIN_TOKEN),
    )
    assert response.status_code == 201, response.text
    olu = accept(app, "olu@operator.example", "operator")
    sent = form_of(olu.get(f"/operator/pathways/{created['id']}/edit").text)
    assert olu.http.post(f"/operator/pathways/{created['id']}", data=sent).status_code == 303
    assert fetched(client, world, created["id"])["steps"] == created["steps"]


def test_another_rule_is_added_in_the_empty_fieldset_and_an_emptied_one_is_left_out(
    client: TestClient, world: dict[str, Any], ian: Browser
) -> None:
    created = create(client, world, LEVEL_2)
    sent = form_of(ian.get(f"/console/pathways/{created['id']}/edit").text)
    assert "step-0-rule-2-code" not in sent  # one rule, one empty fieldset
    sent.update({"step-0-rule-1-sector": "Energy", "step-0-rule-1-credits": "12.5"})
    assert ian.http.post(f"/console/pathways/{created['id']}", data=sent).status_code == 303
    after = fetched(client, world, created["id"])
    assert [o["rule"] for o in after["steps"][0]["options"][2:]] == [LEVEL_2, ENERGY]
    assert after["steps"][1] == created["steps"][1]

    # The edit page now shows both rules and an empty third; emptying the first leaves it out.
    sent = form_of(ian.get(f"/console/pathways/{created['id']}/edit").text)
    assert sent["step-0-rule-1-credits"] == "12.5"
    assert sent["step-0-rule-2-code"] == ""
    sent.update({f"step-0-rule-0-{name}": "" for name in ("code", "framework", "level", "sector", "credits")})
    assert ian.http.post(f"/console/pathways/{created['id']}", data=sent).status_code == 303
    assert [o["rule"] for o in fetched(client, world, created["id"])["steps"][0]["options"][2:]] == [ENERGY]


def test_a_new_pathway_takes_two_rules_in_a_step(
    client: TestClient, world: dict[str, Any], ian: Browser
) -> None:
    sent = form_of(ian.get("/console/pathways/new").text)
    assert "step-0-rule-0-code" in sent
    assert "step-0-rule-1-code" not in sent
    sent.update(
        {
            "title": "Energy",
            "region": "North East",
            "step-0-title": "Energy",
            "step-0-rule-0-level": "RQF 2",
            "step-0-rule-1-sector": "Energy",  # no such fieldset on the page yet: taken all the same
        }
    )
    created = ian.http.post("/console/pathways", data=sent)
    assert created.status_code == 303, created.text
    pathway_id = created.headers["location"].split("/")[-1].split("?")[0]
    [step] = fetched(client, world, pathway_id)["steps"]
    assert [o["rule"] for o in step["options"]] == [{"min_level": "RQF 2"}, {"sector": "Energy"}]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("credits", "lots", "Step 1, rule 2: credits must be a number."),
        ("credits", "0", "Step 1, rule 2: this could never be met (min_credits must be above 0"),
        ("level", "RQF 9", "Step 1, rule 2: this could never be met (RQF has no level above 8"),
        (
            "framework",
            "IfATE",
            "Step 1, rule 2: this could never be met (framework is the framework of a code",
        ),
    ],
)
def test_a_bad_value_in_the_second_rule_is_shown_against_that_step_and_rule(
    client: TestClient, world: dict[str, Any], ian: Browser, field: str, value: str, message: str
) -> None:
    created = create(client, world, LEVEL_2, {"sector": "Energy"})
    sent = form_of(ian.get(f"/console/pathways/{created['id']}/edit").text)
    sent[f"step-0-rule-1-{field}"] = value
    refused = ian.http.post(f"/console/pathways/{created['id']}", data=sent)
    assert refused.status_code == 422
    page = refused.text.replace("&#39;", "'")
    assert message in page
    assert f'href="#step-0-rule-1-{field}"' in page  # the summary links the field
    assert f'id="step-0-rule-1-{field}-error"' in page  # and the message stands by it
    kept = form_of(refused.text)
    assert kept["title"] == "Heat pumps to retrofit"
    assert kept["step-0-rule-0-code"] == "ST0123"
    assert kept["step-0-rule-1-sector"] == "Energy"
    assert kept[f"step-0-rule-1-{field}"] == value
    assert kept["step-0-rule-2-code"] == ""  # still a fieldset to add another
    assert fetched(client, world, created["id"])["version"] == 1  # nothing saved


def test_the_public_pages_say_who_runs_each_pathway(
    app: FastAPI, client: TestClient, world: dict[str, Any]
) -> None:
    partnerships = create(client, world, LEVEL_2)
    client.patch(
        f"{MINE}/{partnerships['id']}",
        json={"state": "published"},
        headers=auth(world["partnership"]["api_key"]),
    )
    body = {**{k: partnerships[k] for k in ("region",)}, "title": "The operator's own"}
    body["steps"] = [{"title": "Any", "options": [{"achievement": world["heat"]}]}]
    response = client.post(ADMIN, json=body, headers=auth(ADMIN_TOKEN))
    assert response.status_code == 201, response.text
    operators = response.json()
    operator_name = services_of(app).get(TrustConfig).operator_name
    expected = {partnerships["id"]: "Northern Skills Partnership", operators["id"]: operator_name}

    listed = client.get("/pathways", headers={"Accept": "application/json"}).json()
    assert {p["id"]: p["owner_name"] for p in listed} == expected
    page = client.get("/pathways").text.replace("&#39;", "'")
    for pathway_id, name in expected.items():
        assert f"Run by {name}" in page
        one = client.get(f"/pathways/{pathway_id}", headers={"Accept": "application/json"}).json()
        assert one["owner_name"] == name
        assert f"Run by {name}" in client.get(f"/pathways/{pathway_id}").text.replace("&#39;", "'")
    welsh = client.get(f"/pathways/{partnerships['id']}?lang=cy").text
    assert "Yn cael ei redeg gan Northern Skills Partnership" in welsh
