"""The console's achievements pages: viewers read, issuers change; create and edit through the same
services as the API (an edit is the next version, issued credentials keep theirs, a stale form never
overwrites); archive and restore; the preview; badge images designed or uploaded, refused when hostile,
and used by credentials, their baked badges and the public page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import assert_page_problem
from tests.issuers.conftest import COURSE, auth, create_achievement, create_provider
from tests.issuers.staff.conftest import Browser, csrf_of, provider_staff
from tests.issuers.test_api import assert_problem, issue
from vc.baking import unbake

P = "/console/achievements"
NEW = {
    "kind": "course",
    "name": "First Aid at Work",
    "description": "Three days of first aid training.",
    "criteria_narrative": "Practical assessment.",
    "level": "RQF 3",
    "credits": "2",
    "tags": "health, safety",
    "alignment_0_name": "Emergency first aid",
    "alignment_0_url": "https://example.org/standards/efa",
}


@pytest.fixture
def provider(client: TestClient) -> dict[str, Any]:
    return create_provider(client)


@pytest.fixture
def issuer(app: FastAPI, client: TestClient, provider: dict[str, Any]) -> Browser:
    return provider_staff(app, client, provider["id"], "issuer@college.example", "issuer")


@pytest.fixture
def viewer(app: FastAPI, client: TestClient, provider: dict[str, Any]) -> Browser:
    return provider_staff(app, client, provider["id"], "viewer@college.example", "viewer")


def create(browser: Browser, **fields: str) -> str:
    response = browser.submit(f"{P}/new", f"{P}/new", **{**NEW, **fields})
    assert response.status_code == 303, response.text
    found = re.fullmatch(rf"{P}/([A-Za-z0-9_-]+)\?done=created", response.headers["location"])
    assert found
    return found.group(1)


def api_achievement(client: TestClient, provider: dict[str, Any], achievement_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/achievements/{achievement_id}", headers=auth(provider["api_key"]))
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def edit_fields(browser: Browser, achievement_id: str) -> dict[str, str]:
    """The edit form's fields as the page fills them in."""
    html = browser.get(f"{P}/{achievement_id}/edit").text
    fields = dict(re.findall(r'<input id="[^"]*" name="([^"]+)" type="[^"]*" value="([^"]*)"', html))
    fields |= dict(re.findall(r'<textarea id="[^"]*" name="([^"]+)"[^>]*>([^<]*)</textarea>', html))
    fields["version"] = re.search(r'name="version" value="(\d+)"', html).group(1)  # type: ignore[union-attr]
    fields["csrf_token"] = csrf_of(html)
    return fields


# --- roles -------------------------------------------------------------------------------------------------


def test_a_viewer_reads_but_cannot_change(
    client: TestClient, provider: dict[str, Any], viewer: Browser
) -> None:
    achievement_id = create_achievement(client, provider["api_key"])
    listed = viewer.get(P)
    assert listed.status_code == 200
    assert COURSE["name"] in listed.text
    assert "New achievement" not in listed.text
    assert viewer.get(f"{P}/{achievement_id}").status_code == 200
    assert viewer.get(f"{P}/{achievement_id}/preview").status_code == 200
    for path in (f"{P}/new", f"{P}/{achievement_id}/edit", f"{P}/{achievement_id}/image"):
        assert_page_problem(viewer.get(path), 403, "role-not-allowed")
    token = viewer.csrf(P)
    for path in (
        f"{P}/new",
        f"{P}/{achievement_id}/edit",
        f"{P}/{achievement_id}/archive",
        f"{P}/{achievement_id}/image/design",
        f"{P}/{achievement_id}/image/default",
    ):
        refused = viewer.http.post(path, data={"csrf_token": token, **NEW, "version": "1", "action": "use"})
        assert_page_problem(refused, 403, "role-not-allowed")
    upload = viewer.http.post(
        f"{P}/image-upload?achievement={achievement_id}",
        data={"csrf_token": token},
        files={"image": ("b.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"/>')},
    )
    assert_page_problem(upload, 403, "role-not-allowed")
    assert api_achievement(client, provider, achievement_id)["version"] == 1


def test_another_providers_achievement_is_not_found(client: TestClient, issuer: Browser) -> None:
    other = create_provider(client, "Other College")
    theirs = create_achievement(client, other["api_key"])
    assert_page_problem(issuer.get(f"{P}/{theirs}"), 404, "not-found")
    assert_page_problem(issuer.get(f"{P}/{theirs}/edit"), 404, "not-found")
    response = issuer.http.post(f"{P}/{theirs}/archive", data={"csrf_token": issuer.csrf(P)})
    assert_page_problem(response, 404, "not-found")


def test_a_form_without_its_csrf_token_is_refused(issuer: Browser) -> None:
    response = issuer.http.post(f"{P}/new", data=NEW)
    assert_page_problem(response, 403, "csrf-token-invalid")


# --- create, edit, archive --------------------------------------------------------------------------------


def test_an_issuer_creates_an_achievement_the_api_sees(
    client: TestClient, provider: dict[str, Any], issuer: Browser
) -> None:
    achievement_id = create(issuer)
    made = api_achievement(client, provider, achievement_id)
    assert made["kind"] == "course"
    assert made["definition"]["name"] == "First Aid at Work"
    assert made["definition"]["tags"] == ["health", "safety"]
    assert made["definition"]["credits"] == 2
    assert made["definition"]["alignments"][0]["target_url"] == "https://example.org/standards/efa"
    page = issuer.get(f"{P}/{achievement_id}?done=created")
    assert "Achievement created." in page.text


def test_a_wrong_form_is_shown_again_with_its_values_and_what_is_wrong(issuer: Browser) -> None:
    response = issuer.submit(
        f"{P}/new",
        f"{P}/new",
        **{**NEW, "level": "Level three", "criteria_narrative": "", "exchange_host": "Lycée Voltaire"},
    )
    assert response.status_code == 422
    assert 'value="Level three"' in response.text
    assert 'value="First Aid at Work"' in response.text
    assert "Give a level such as RQF 3" in response.text
    bad_kind = issuer.submit(f"{P}/new", f"{P}/new", **{**NEW, "kind": "party"})
    assert bad_kind.status_code == 422
    assert "Choose what kind of achievement this is." in bad_kind.text
    no_criteria = issuer.submit(f"{P}/new", f"{P}/new", **{**NEW, "criteria_narrative": ""})
    assert no_criteria.status_code == 422
    assert "Say how the achievement is earned" in no_criteria.text


def test_an_edit_after_issuing_is_a_new_version_and_the_credential_keeps_its_own(
    client: TestClient, provider: dict[str, Any], issuer: Browser
) -> None:
    achievement_id = create(issuer)
    fields = edit_fields(issuer, achievement_id)  # the form is opened...
    before = issue(client, provider["api_key"], achievement_id)  # ...a credential is issued meanwhile...
    saved = issuer.http.post(f"{P}/{achievement_id}/edit", data={**fields, "name": "First Aid (2027)"})
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("?done=saved")
    after = issue(client, provider["api_key"], achievement_id)
    old = before["credential"]["credentialSubject"]["achievement"]
    new = after["credential"]["credentialSubject"]["achievement"]
    assert (old["name"], old.get("version")) == ("First Aid at Work", None)
    assert (new["name"], new["version"]) == ("First Aid (2027)", "2")
    kept = client.get(f"/api/v1/credentials/{before['id']}", headers=auth(provider["api_key"])).json()
    assert kept["credential"] == before["credential"]  # exactly as signed, version 1
    # Saving the same form again changes nothing: it is stale now.
    stale = issuer.http.post(f"{P}/{achievement_id}/edit", data={**fields, "name": "Overwrite"})
    assert stale.status_code == 409
    assert "Someone changed this achievement while you were editing it" in stale.text
    assert 'value="First Aid (2027)"' in stale.text  # the current version, to edit again
    assert api_achievement(client, provider, achievement_id)["definition"]["name"] == "First Aid (2027)"


def test_an_edit_racing_an_api_edit_is_refused_whole(
    client: TestClient, provider: dict[str, Any], issuer: Browser
) -> None:
    achievement_id = create(issuer)
    fields = edit_fields(issuer, achievement_id)
    patched = client.patch(
        f"/api/v1/achievements/{achievement_id}", json={"sector": "Health"}, headers=auth(provider["api_key"])
    )
    assert patched.status_code == 200
    raced = issuer.http.post(
        f"{P}/{achievement_id}/edit", data={**fields, "name": "Renamed", "description": "New text."}
    )
    assert raced.status_code == 409
    definition = api_achievement(client, provider, achievement_id)["definition"]
    assert (definition["name"], definition["description"], definition["sector"]) == (
        "First Aid at Work",
        "Three days of first aid training.",
        "Health",
    )  # nothing of the refused edit applied


def test_an_unchanged_form_makes_no_version(
    client: TestClient, provider: dict[str, Any], issuer: Browser
) -> None:
    achievement_id = create(issuer)
    response = issuer.http.post(f"{P}/{achievement_id}/edit", data=edit_fields(issuer, achievement_id))
    assert response.headers["location"].endswith("?done=unchanged")
    assert api_achievement(client, provider, achievement_id)["version"] == 1


def test_archive_stops_issuing_and_restore_allows_it_again(
    client: TestClient, provider: dict[str, Any], issuer: Browser
) -> None:
    achievement_id = create(issuer)
    token = issuer.csrf(f"{P}/{achievement_id}")
    archived = issuer.http.post(f"{P}/{achievement_id}/archive", data={"csrf_token": token})
    assert archived.headers["location"].endswith("?done=archived")
    body = {"achievement_id": achievement_id, "recipient": {"email": "sam@example.com"}}
    refused = client.post("/api/v1/credentials", json=body, headers=auth(provider["api_key"]))
    assert_problem(refused, 409, "conflict")
    listed = issuer.get(P).text
    assert listed.index("First Aid at Work") > listed.index('id="archived-heading"')
    again = issuer.http.post(f"{P}/{achievement_id}/archive", data={"csrf_token": token})
    assert_page_problem(again, 409, "conflict")
    restored = issuer.http.post(f"{P}/{achievement_id}/restore", data={"csrf_token": token})
    assert restored.headers["location"].endswith("?done=restored")
    issue(client, provider["api_key"], achievement_id)


def test_the_preview_shows_both_views_and_says_it_is_a_preview(issuer: Browser) -> None:
    achievement_id = create(issuer)
    page = issuer.get(f"{P}/{achievement_id}/preview").text
    assert "nothing here is issued or signed" in page
    assert "as an employer checking it sees it" in page
    assert "Practical assessment." in page
    assert "RQF Level 3" in page
    assert "Emergency first aid" in page


# --- badge images -----------------------------------------------------------------------------------------

DESIGN = {"shape": "shield", "colours": "navy", "icon": "book", "text": "First Aid"}


def design(browser: Browser, achievement_id: str, action: str, **fields: str) -> Any:
    token = browser.csrf(f"{P}/{achievement_id}/image")
    data = {"csrf_token": token, **DESIGN, **fields, "action": action}
    return browser.http.post(f"{P}/{achievement_id}/image/design", data=data)


def upload(browser: Browser, achievement_id: str, name: str, content: bytes) -> Any:
    token = browser.csrf(f"{P}/{achievement_id}/image")
    return browser.http.post(
        f"{P}/image-upload?achievement={achievement_id}",
        data={"csrf_token": token},
        files={"image": (name, content, "application/octet-stream")},
    )


def test_a_designed_badge_is_previewed_then_used_by_new_credentials(
    client: TestClient, provider: dict[str, Any], issuer: Browser
) -> None:
    achievement_id = create(issuer)
    before = issue(client, provider["api_key"], achievement_id)
    preview = design(issuer, achievement_id, "preview")
    assert preview.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in preview.text
    assert "First Aid" in preview.text
    assert api_achievement(client, provider, achievement_id)["version"] == 1  # a preview stores nothing
    used = design(issuer, achievement_id, "use")
    assert used.headers["location"].endswith("?done=image")
    definition = api_achievement(client, provider, achievement_id)["definition"]
    image_path = f"/achievements/{achievement_id}/images/{definition['image']}"
    after = issue(client, provider["api_key"], achievement_id)
    assert after["credential"]["credentialSubject"]["achievement"]["image"]["id"].endswith(image_path)
    assert "image" not in before["credential"]["credentialSubject"]["achievement"]
    served = client.get(image_path)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/svg+xml"
    assert "sandbox" in served.headers["content-security-policy"]
    assert "immutable" in served.headers["cache-control"]
    assert b"First Aid" in served.content
    public = client.get(f"/achievements/{achievement_id}").text
    assert f'src="{image_path}"' in public


def test_an_uploaded_svg_baked_into_a_credential_verifies(
    client: TestClient, provider: dict[str, Any], issuer: Browser
) -> None:
    achievement_id = create(issuer)
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><title>Ours</title>'
        b'<circle cx="100" cy="100" r="90" fill="#123456"/></svg>'
    )
    response = upload(issuer, achievement_id, "badge.svg", svg)
    assert response.status_code == 303, response.text
    issued = issue(client, provider["api_key"], achievement_id)
    achievement = issued["credential"]["credentialSubject"]["achievement"]
    sha256 = api_achievement(client, provider, achievement_id)["definition"]["image"]
    assert achievement["image"] == {
        "id": f"https://passport.test/achievements/{achievement_id}/images/{sha256}",
        "type": "Image",
        "caption": "First Aid at Work",
    }
    baked = client.get(f"/api/v1/credentials/{issued['id']}/baked.svg", headers=auth(provider["api_key"]))
    assert baked.status_code == 200
    assert b'fill="#123456"' in baked.content
    assert b"Ours" in baked.content
    assert unbake(baked.content) == issued["credential"]
    checked = client.post(
        "/credentials/verify/upload", files={"file": ("badge.svg", baked.content, "image/svg+xml")}
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["verified"] is True
    # A PNG download bakes the SVG's rendering (tests/issuers/staff/test_badgepng_designed_png.py).
    png = client.get(f"/api/v1/credentials/{issued['id']}/baked.png", headers=auth(provider["api_key"]))
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG")
    assert png.content != baked.content
    assert unbake(png.content) == issued["credential"]


HOSTILE_UPLOADS = {
    "script": (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><script>alert(1)</script></svg>',
        422,
        "image-unsafe",
    ),
    "onload": (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" onload="alert(1)"/>',
        422,
        "image-unsafe",
    ),
    "external-href": (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><use href="https://evil.example/x.svg#a"/></svg>',
        422,
        "image-unsafe",
    ),
    "xlink-http": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" '
        b'height="64"><use xlink:href="http://evil.example/x.svg#a"/></svg>',
        422,
        "image-unsafe",
    ),
    "entity": (
        b'<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
        b"<text>&a;</text></svg>",
        422,
        "image-unsafe",
    ),
    "foreign-object": (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><foreignObject/></svg>',
        422,
        "image-unsafe",
    ),
    "huge-dimensions": (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="9000" height="9000"/>',
        413,
        "image-too-large",
    ),
    "over-a-megabyte": (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><desc>'
        + b"x" * 1_100_000
        + b"</desc></svg>",
        413,
        "image-too-large",
    ),
    "gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", 415, "image-type-unsupported"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_UPLOADS))
def test_a_hostile_or_wrong_upload_is_shown_on_the_form_and_changes_nothing(
    client: TestClient, provider: dict[str, Any], issuer: Browser, name: str
) -> None:
    achievement_id = create(issuer)
    content, status, slug = HOSTILE_UPLOADS[name]
    response = upload(issuer, achievement_id, "badge.svg", content)
    assert_page_problem(response, status, slug)
    assert 'role="alert"' in response.text
    assert 'id="image-error"' in response.text
    assert api_achievement(client, provider, achievement_id)["version"] == 1


def test_a_20_mb_upload_is_refused_with_a_page_before_it_is_read(issuer: Browser) -> None:
    achievement_id = create(issuer)
    token = issuer.csrf(f"{P}/{achievement_id}/image")
    response = issuer.http.post(
        f"{P}/image-upload?achievement={achievement_id}",
        data={"csrf_token": token},
        files={"image": ("huge.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (20 * 1024 * 1024))},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "This file is too large" in response.text
    assert f'href="{P}/{achievement_id}/image"' in response.text


def test_the_api_refuses_an_image_that_is_not_the_providers(
    client: TestClient, provider: dict[str, Any], issuer: Browser
) -> None:
    achievement_id = create(issuer)
    design(issuer, achievement_id, "use")
    sha256 = api_achievement(client, provider, achievement_id)["definition"]["image"]
    other = create_provider(client, "Other College")
    theirs = client.post(
        "/api/v1/achievements", json={**COURSE, "image": sha256}, headers=auth(other["api_key"])
    )
    assert_problem(theirs, 422, "validation-error")
    unknown = client.patch(
        f"/api/v1/achievements/{achievement_id}", json={"image": "0" * 64}, headers=auth(provider["api_key"])
    )
    assert_problem(unknown, 422, "validation-error")
    assert_problem(
        client.get(
            f"/achievements/{achievement_id}/images/{'0' * 64}", headers={"Accept": "application/json"}
        ),
        404,
        "not-found",
    )


def test_going_back_to_the_default_badge_is_a_new_version(
    client: TestClient, provider: dict[str, Any], issuer: Browser
) -> None:
    achievement_id = create(issuer)
    design(issuer, achievement_id, "use")
    token = issuer.csrf(f"{P}/{achievement_id}/image")
    response = issuer.http.post(f"{P}/{achievement_id}/image/default", data={"csrf_token": token})
    assert response.headers["location"].endswith("?done=default-image")
    made = api_achievement(client, provider, achievement_id)
    assert made["version"] == 3
    assert "image" not in made["definition"]
