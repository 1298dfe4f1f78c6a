"""Issue 10, "names and people the network never vouched for": the two attacks on share links, reproduced,
and what every passport page and answer now says about who issued a credential and to whom."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from core.services import Database, services_of
from passport.api_models import SharedOut
from passport.models import ShareLink
from schemas.models import IdentityObject
from tests.conftest import assert_problem
from tests.network.test_trust_registry import COURSES, accredit
from tests.passport.conftest import BASE_URL, Browser, auth, bearer, create_achievement, create_provider
from tests.passport.test_sharing import Learner, path_of
from tests.verification.conftest import SAMPLE
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.keys import KeyType, PrivateKey

IMPORTS = "/api/v1/passport/imports"
CREDENTIALS = "/api/v1/passport/credentials"
SHARES = "/api/v1/passport/shares"
JSON = {"Accept": "application/json"}


def self_signed(issuer_name: str, recipient: str | None = None) -> dict[str, Any]:
    """A credential anybody can make: signed with a fresh did:key, naming its issuer as it pleases."""
    key = PrivateKey.generate(KeyType.ED25519)
    credential = copy.deepcopy(json.loads(SAMPLE.read_text(encoding="utf-8")))
    credential["issuer"] = {"id": did_key_for(key.public_key), "type": ["Profile"], "name": issuer_name}
    credential["id"] = "urn:uuid:0b1c9a52-7f3e-4c21-9d55-2a9f8e6b1c70"
    credential["validFrom"] = "2026-01-05T00:00:00Z"
    del credential["credentialStatus"]  # nobody to ask: it cannot be revoked
    if recipient is not None:
        credential["credentialSubject"]["identifier"] = [IdentityObject.hashed_email(recipient).to_json()]
    method = did_key_verification_method_id(key.public_key)
    return data_integrity.sign(credential, key, method, datetime.now(UTC))


def imported(client: TestClient, token: str, credential: dict[str, Any] | str) -> dict[str, Any]:
    response = client.post(IMPORTS, json={"credential": credential}, headers=bearer(token))
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def issued_by(card: str) -> str:
    found = re.search(r"<dt>Issued by</dt><dd[^>]*>(.*?)</dd>", card, re.DOTALL)
    assert found is not None, card
    return found.group(1)


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="card shared-credential".*?</li>', html, re.DOTALL)


def test_a_self_signed_credential_named_after_an_accredited_college_is_not_shown_as_its(
    client: TestClient, app: FastAPI
) -> None:
    """Attack (a): before, the share page said "Issued by Midlands College" for a credential the learner
    signed themselves with a did:key."""
    sam = Learner(client, app)  # Midlands College is a provider here, accredited by the network
    forged = imported(client, sam.token, self_signed("Midlands College", recipient=sam.email))
    assert forged["report"]["verified"] is True  # genuinely signed, by somebody
    assert forged["item"]["issuer"]["name_source"] == "self_asserted"
    assert forged["item"]["issuer"]["logo_url"] is None
    share = sam.share(client, [forged["item"]["id"], sam.ids[0]])

    page = TestClient(app, base_url=BASE_URL).get(path_of(share["url"]))
    assert page.status_code == 200, page.text
    fake, real = cards(page.text)
    assert issued_by(fake) != "Midlands College"
    assert (
        "Names itself &ldquo;Midlands College&rdquo; &mdash; not confirmed" in fake
        or "Names itself \u201cMidlands College\u201d \u2014 not confirmed" in fake
    )
    assert "signed with a key no organisation has published" in fake
    assert issued_by(real) == "Midlands College"  # the registry's name, confirmed

    data = TestClient(app, base_url=BASE_URL).get(path_of(share["url"]), headers=JSON).json()
    assert [entry["issuer"]["name_source"] for entry in data["credentials"]] == ["self_asserted", "registry"]
    listed = client.get(CREDENTIALS, headers=bearer(sam.token)).json()
    assert {item["issuer"]["name_source"] for item in listed if item["source"] == "imported"} == {
        "self_asserted"
    }
    home = sam.browser.get("/passport").text
    assert "Names itself \u201cMidlands College\u201d \u2014 not confirmed" in home
    shares_form = sam.browser.get("/passport/shares").text
    assert "Names itself \u201cMidlands College\u201d" in shares_form


def test_someone_elses_credential_shared_says_so_before_anything_else(
    client: TestClient, app: FastAPI
) -> None:
    """Attack (b): before, the employer saw "Verified" under "Someone has shared…", with no recipient."""
    sam = Learner(client, app)
    alexs = imported(client, sam.token, issue_to_alex(client, sam.provider))  # genuine, and Alex's
    assert alexs["report"]["verified"] is True
    assert alexs["item"]["recipient"] == "not_holder"
    share = sam.share(client, [alexs["item"]["id"], sam.ids[0]])

    page = TestClient(app, base_url=BASE_URL).get(path_of(share["url"]))
    assert '<strong class="shared-by">Sam Jones</strong> has shared 2 credentials' in page.text
    assert "Someone has shared" not in page.text
    theirs, own = cards(page.text)
    assert 'data-recipient="not_holder"' in theirs
    first_statement = re.search(r'<div class="verdict (\w+)[^"]*">\s*<p>(.*?)</p>', theirs, re.DOTALL)
    assert first_statement is not None
    assert first_statement.group(1) == "bad"
    assert first_statement.group(2).startswith('<strong class="recipient">Issued to someone else</strong>')
    assert "Verified" not in theirs
    assert "genuine and current, but it is another person" in theirs
    assert 'data-recipient="holder"' in own
    assert "<strong>Verified</strong>" in own
    assert "Issued to this person" in own

    data = TestClient(app, base_url=BASE_URL).get(path_of(share["url"]), headers=JSON).json()
    assert data["shared_by"] == "Sam Jones"
    assert [(entry["recipient"], entry["status"]) for entry in data["credentials"]] == [
        ("not_holder", "valid"),
        ("holder", "valid"),
    ]
    assert "@" not in json.dumps(data)


def test_the_share_pages_json_form_gives_the_three_recipient_answers(
    client: TestClient, app: FastAPI
) -> None:
    sam = Learner(client, app)
    not_holder = imported(client, sam.token, issue_to_alex(client, sam.provider))["item"]["id"]
    unknown = imported(client, sam.token, self_signed_without_recipient())["item"]["id"]
    share = sam.share(client, [sam.ids[0], not_holder, unknown])
    viewer = TestClient(app, base_url=BASE_URL)
    response = viewer.get(path_of(share["url"]), headers=JSON)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["referrer-policy"] == "no-referrer"
    data = SharedOut.model_validate(response.json())
    assert [entry.recipient for entry in data.credentials] == ["holder", "not_holder", "unknown"]
    assert data.credentials[0].issuer.name == "Midlands College"
    assert data.credentials[1].issuer.name_source == "registry"  # Alex's is genuinely the college's
    assert data.credentials[2].issuer.name_source == "self_asserted"
    assert all(entry.report["verified"] for entry in data.credentials)
    html = viewer.get(path_of(share["url"])).text
    assert [re.search(r'data-recipient="(\w+)"', card).group(1) for card in cards(html)] == [  # type: ignore[union-attr]
        "holder",
        "not_holder",
        "unknown",
    ]
    assert "Recipient cannot be confirmed" in html
    # Problems are JSON for a JSON client, pages for a browser.
    assert_problem(viewer.get("/shared/not-a-real-secret", headers=JSON), 404, "share-link-not-found")
    client.post(f"{SHARES}/{share['id']}/revoke", headers=bearer(sam.token))
    assert_problem(viewer.get(path_of(share["url"]), headers=JSON), 410, "share-link-revoked")
    assert viewer.get(path_of(share["url"])).headers["content-type"].startswith("text/html")
    assert "/shared/{secret}" in client.get("/openapi.json").json()["paths"]


def self_signed_without_recipient() -> dict[str, Any]:
    key = PrivateKey.generate(KeyType.ED25519)
    credential = copy.deepcopy(json.loads(SAMPLE.read_text(encoding="utf-8")))
    credential["issuer"] = {"id": did_key_for(key.public_key), "type": ["Profile"], "name": "Trainer"}
    credential["validFrom"] = "2026-01-05T00:00:00Z"
    del credential["credentialStatus"]
    credential["credentialSubject"]["id"] = "did:example:somebody"  # a DID that is not Sam's holder DID
    del credential["credentialSubject"]["identifier"]
    return data_integrity.sign(
        credential, key, did_key_verification_method_id(key.public_key), datetime.now(UTC)
    )


def test_the_name_shown_with_a_link_is_asked_for_and_kept_to_itself(client: TestClient, app: FastAPI) -> None:
    sam = Learner(client, app)
    refused = client.post(SHARES, json={"credential_ids": sam.ids[:1]}, headers=bearer(sam.token))
    assert_problem(refused, 422, "validation-error")
    created = sam.share(client, sam.ids[:1], shared_by="  Sam   Jones ")
    assert created["shared_by"] == "Sam Jones"
    form = sam.browser.get("/passport/shares").text
    assert 'value="Sam Jones"' in form  # offered again for the next link
    unnamed = sam.browser.http.post(
        "/passport/shares",
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form).group(1),  # type: ignore[union-attr]
            "credential_id": sam.ids[1:2],
        },
    )
    assert unnamed.status_code == 422
    assert 'aria-invalid="true"' in unnamed.text
    assert "Enter your name as the link should show it." in unnamed.text


def issue_to_alex(client: TestClient, provider: dict[str, Any]) -> dict[str, Any]:
    """A genuine credential of `provider`, issued to somebody else: Alex."""
    response = client.post(
        "/api/v1/credentials",
        json={
            "achievement_id": create_achievement(client, provider["api_key"]),
            "recipient": {"email": "alex@example.com", "name": "Alex"},
        },
        headers=auth(provider["api_key"]),
    )
    assert response.status_code == 201, response.text
    credential: dict[str, Any] = response.json()["credential"]
    return credential


def test_the_import_answer_names_the_issuer_by_the_registry_and_says_whose_it_is(
    client: TestClient, app: FastAPI
) -> None:
    provider = create_provider(client, "Midlands College")
    accredit(client, provider_id=provider["id"], scope=COURSES)
    outsider = create_provider(client, "Unlisted Training Ltd")
    sam = Browser.open(app)
    sam.sign_up("sam@example.com")
    token = sam.token("sam@example.com")
    accredited, unlisted = (
        imported(client, token, issue_to_alex(client, p))["item"] for p in (provider, outsider)
    )
    assert accredited["issuer"]["name"] == "Midlands College"
    assert accredited["issuer"]["name_source"] == "registry"
    assert unlisted["issuer"]["name"] == "Unlisted Training Ltd"
    assert unlisted["issuer"]["name_source"] == "provider"  # one of ours, though not accredited
    assert accredited["recipient"] == unlisted["recipient"] == "not_holder"
    # Once Sam proves the address is theirs, the same credentials are Sam's: issued to it, and imported.
    sam.add_address("alex@example.com")
    sam.verify_address("alex@example.com")
    listed = client.get(CREDENTIALS, headers=bearer(token)).json()
    assert [(item["source"], item["recipient"]) for item in listed] == [("issued", "holder")] * 2 + [
        ("imported", "holder")
    ] * 2


@pytest.mark.parametrize("held", ["issued", "imported"])
def test_the_operator_signs_a_record_of_the_learners_own_credentials_only(
    client: TestClient, app: FastAPI, held: str
) -> None:
    sam = Learner(client, app)
    alexs = imported(client, sam.token, issue_to_alex(client, sam.provider))["item"]["id"]
    whole = client.get("/api/v1/passport/clr", headers=bearer(sam.token))
    assert whole.status_code == 200, whole.text
    embedded = whole.json()["credentialSubject"]["verifiableCredential"]
    assert len(embedded) == 3  # Sam's three; Alex's is left out
    assert whole.json()["partial"] is True
    # The record is the operator's own document: the scheme vouches for it (before: "outside the scheme").
    report = client.post("/credentials/verify", json={"verifiableCredential": whole.json()}).json()
    assert report["trust"] == "accredited", report
    trust = next(check for check in report["checks"] if check["id"] == "issuer_trust")
    assert trust["message"].startswith("Issued by the network operator, National Skills Network")
    chosen = [alexs] if held == "imported" else [sam.ids[0], alexs]
    refused = client.post("/api/v1/passport/clr", json={"credential_ids": chosen}, headers=bearer(sam.token))
    assert_problem(refused, 422, "validation-error")
    assert "issued to you only" in refused.json()["detail"]


def test_a_link_made_before_names_were_asked_for_says_so(client: TestClient, app: FastAPI) -> None:
    sam = Learner(client, app)
    share = sam.share(client, sam.ids[:1])
    with services_of(app).get(Database).sessions.begin() as session:
        session.execute(update(ShareLink).values(shared_by=None))
    viewer = TestClient(app, base_url=BASE_URL)
    page = viewer.get(path_of(share["url"])).text
    assert "Someone has shared 1 credential with you." in page
    assert "They gave no name with this link." in page
    assert "issued to this person" in page.lower()
    assert viewer.get(path_of(share["url"]), headers=JSON).json()["shared_by"] is None
