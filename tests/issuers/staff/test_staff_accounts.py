"""Staff accounts: invitations (single use, expiring), sign-in and its throttle, CSRF, TOTP, password
change, and the administrators' staff page."""

from __future__ import annotations

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.issuers.conftest import create_provider
from tests.issuers.staff.conftest import (
    PASSWORD,
    Browser,
    Clock,
    accept,
    assert_page_problem,
    emailed_link,
    invite_provider_staff,
    operator_staff,
    provider_staff,
)


def test_an_invited_member_chooses_a_password_and_is_signed_in(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    invited = invite_provider_staff(client, provider["id"], "Ada@College.example", "admin", "Ada Admin")
    assert invited["state"] == "invited"
    assert invited["email"] == "ada@college.example"
    browser = accept(app, "ada@college.example")
    home = browser.get("/console")
    assert home.status_code == 200
    assert "Midlands College" in home.text
    assert "Administrator" in home.text
    # And later with the password chosen, from a fresh browser.
    again = Browser.open(app)
    assert again.sign_in("console", "ada@college.example").headers["location"] == "/console"


def test_an_invitation_works_once(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    invite_provider_staff(client, provider["id"], "ada@college.example", "admin")
    link = emailed_link(app, "ada@college.example", "/console/invitations/")
    accept(app, "ada@college.example")
    other = Browser.open(app)
    assert_page_problem(other.get(link), 410, "invitation-used")
    page = other.get("/console/sign-in")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    reused = other.http.post(
        link, data={"csrf_token": csrf, "password": "x" * 12, "password_confirmation": "x" * 12}
    )
    assert_page_problem(reused, 410, "invitation-used")
    # The password stays the one chosen first.
    assert other.sign_in("console", "ada@college.example", "x" * 12).status_code == 401


def test_an_expired_invitation_says_so_and_sets_nothing(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    provider = create_provider(client)
    invite_provider_staff(client, provider["id"], "ada@college.example", "admin")
    link = emailed_link(app, "ada@college.example", "/console/invitations/")
    clock.advance(hours=72, seconds=1)
    browser = Browser.open(app)
    assert_page_problem(browser.get(link), 410, "invitation-expired")
    assert_page_problem(browser.get("/console/invitations/not-a-real-secret"), 404, "invitation-not-found")
    assert browser.sign_in("console", "ada@college.example").status_code == 401


def test_a_weak_or_mismatched_password_is_asked_again(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    invite_provider_staff(client, provider["id"], "ada@college.example", "admin")
    link = emailed_link(app, "ada@college.example", "/console/invitations/")
    browser = Browser.open(app)
    short = browser.submit(link, link, password="short", password_confirmation="short")
    assert short.status_code == 422
    assert "Use at least 10 characters." in short.text
    mismatch = browser.submit(link, link, password=PASSWORD, password_confirmation=PASSWORD + "!")
    assert mismatch.status_code == 422
    assert browser.get(link).status_code == 200  # still usable


def test_wrong_password_and_unknown_address_get_the_same_answer(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    provider_staff(app, client, provider["id"], "ada@college.example", "admin")
    browser = Browser.open(app)
    wrong = browser.sign_in("console", "ada@college.example", "not the password")
    unknown = Browser.open(app, "10.0.0.9").sign_in("console", "nobody@college.example", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "The email address or password is not right." in wrong.text
    assert "The email address or password is not right." in unknown.text


def test_provider_staff_cannot_sign_in_as_operator_nor_the_reverse(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    provider_staff(app, client, provider["id"], "ada@college.example", "admin")
    operator_staff(app, client, "olu@network.example")
    assert Browser.open(app).sign_in("operator", "ada@college.example").status_code == 401
    assert Browser.open(app).sign_in("console", "olu@network.example").status_code == 401


def test_sign_in_is_throttled_without_locking_the_owner_out(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    provider = create_provider(client)
    provider_staff(app, client, provider["id"], "ada@college.example", "admin")
    guesser = Browser.open(app, "10.0.0.66")
    for _ in range(3):
        assert guesser.sign_in("console", "ada@college.example", "guess guess guess").status_code == 401
    refused = guesser.sign_in("console", "ada@college.example", PASSWORD)
    assert_page_problem_or_form(refused, 429)
    assert refused.headers["Retry-After"] == "1"
    # The owner, from their own address, is not slowed by the guesser.
    assert Browser.open(app, "10.0.0.1").sign_in("console", "ada@college.example").status_code == 303
    clock.advance(seconds=1)
    assert guesser.sign_in("console", "ada@college.example", PASSWORD).status_code == 303


def assert_page_problem_or_form(response: object, status: int) -> None:
    assert getattr(response, "status_code") == status  # noqa: B009
    assert "Too many attempts to sign in." in getattr(response, "text")  # noqa: B009


def test_forms_without_the_csrf_token_are_refused(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    admin = provider_staff(app, client, provider["id"], "ada@college.example", "admin")
    forged = admin.http.post(
        "/console/staff",
        data={"csrf_token": "x" * 43, "name": "Mallory", "email": "m@evil.example", "role": "admin"},
    )
    assert_page_problem(forged, 403, "csrf-token-invalid")
    missing = Browser.open(app).http.post(
        "/console/sign-in", data={"email": "ada@college.example", "password": PASSWORD}
    )
    assert_page_problem(missing, 403, "csrf-token-invalid")
    assert "m@evil.example" not in admin.get("/console/staff").text


def test_two_step_sign_in(app: FastAPI, client: TestClient, clock: Clock) -> None:
    provider = create_provider(client)
    admin = provider_staff(app, client, provider["id"], "ada@college.example", "admin")
    setup = admin.submit("/console/account", "/console/account/two-step")
    assert setup.status_code == 200
    assert 'src="data:image/svg+xml' in setup.text
    secret = setup.text.split("Or enter this key by hand:")[1].split("<code>")[1].split("</code>")[0]
    totp = pyotp.TOTP(secret)
    csrf = admin.csrf("/console/account")
    wrong = admin.http.post("/console/account/two-step/confirm", data={"csrf_token": csrf, "code": "000000"})
    assert wrong.status_code == 422
    on = admin.http.post(
        "/console/account/two-step/confirm", data={"csrf_token": csrf, "code": totp.at(clock.now)}
    )
    assert on.status_code == 200
    assert "Two-step sign-in is on" in on.text

    clock.advance(seconds=30)
    browser = Browser.open(app)
    signed = browser.sign_in("console", "ada@college.example")
    assert signed.headers["location"] == "/console/sign-in/code"
    # Half signed in: nothing but the code page, in the pages and the API.
    assert browser.get("/console/staff").headers["location"] == "/console/sign-in/code"
    assert browser.get("/api/v1/achievements").status_code == 401
    bad = browser.submit("/console/sign-in/code", "/console/sign-in/code", code="123456")
    assert bad.status_code == 401
    good = browser.submit("/console/sign-in/code", "/console/sign-in/code", code=totp.at(clock.now))
    assert good.headers["location"] == "/console"
    assert browser.get("/console/staff").status_code == 200

    # The same code cannot be used again (replay), even within its 30 seconds.
    replay = Browser.open(app)
    replay.sign_in("console", "ada@college.example")
    again = replay.submit("/console/sign-in/code", "/console/sign-in/code", code=totp.at(clock.now))
    assert again.status_code == 401


def test_password_change(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    admin = provider_staff(app, client, provider["id"], "ada@college.example", "admin")
    new = "a different passphrase"
    wrong = admin.submit(
        "/console/account",
        "/console/account/password",
        current_password="nope nope nope",
        password=new,
        password_confirmation=new,
    )
    assert wrong.status_code == 422
    done = admin.submit(
        "/console/account",
        "/console/account/password",
        current_password=PASSWORD,
        password=new,
        password_confirmation=new,
    )
    assert done.headers["location"] == "/console/account?done=password"
    assert Browser.open(app).sign_in("console", "ada@college.example").status_code == 401
    assert Browser.open(app).sign_in("console", "ada@college.example", new).status_code == 303


def test_admins_invite_change_roles_and_remove(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    admin = provider_staff(app, client, provider["id"], "ada@college.example", "admin")
    invited = admin.submit(
        "/console/staff", "/console/staff", name="Ivor Issuer", email="ivor@college.example", role="issuer"
    )
    assert invited.headers["location"] == "/console/staff?done=invited"
    issuer = accept(app, "ivor@college.example")
    assert issuer.get("/console/staff").status_code == 403  # not an admin
    duplicate = admin.submit(
        "/console/staff", "/console/staff", name="Ivor", email="ivor@college.example", role="viewer"
    )
    assert duplicate.status_code == 409
    assert "already has a staff account" in duplicate.text

    member_id = client.get(
        f"/api/v1/admin/issuers/{provider['id']}/staff",
        headers={"Authorization": "Bearer op_test-operator-token"},
    ).json()
    ivor = next(m for m in member_id if m["email"] == "ivor@college.example")
    assert (
        admin.submit("/console/staff", f"/console/staff/{ivor['id']}/role", role="viewer").status_code == 303
    )
    assert issuer.get("/api/v1/achievements").status_code == 200
    csrf = issuer.csrf("/console/account")
    refused = issuer.http.post("/api/v1/achievements", json={}, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403  # a viewer now
    assert admin.submit("/console/staff", f"/console/staff/{ivor['id']}/remove").status_code == 303
    assert issuer.get("/console").headers["location"].startswith("/console/sign-in")  # session ended


def test_the_only_admin_cannot_be_demoted_or_removed(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    admin = provider_staff(app, client, provider["id"], "ada@college.example", "admin")
    operator = operator_staff(app, client, "olu@network.example")
    staff = operator.get(f"/operator/providers/{provider['id']}/staff")
    assert staff.status_code == 200
    assert "ada@college.example" in staff.text
    own_id = client.get(
        f"/api/v1/admin/issuers/{provider['id']}/staff",
        headers={"Authorization": "Bearer op_test-operator-token"},
    ).json()[0]["id"]
    # An admin cannot act on themselves through the form, but the service refuses too: invite another
    # admin's row and try the last-admin rule on it from the second admin.
    admin.submit("/console/staff", "/console/staff", name="Bea", email="bea@college.example", role="admin")
    bea = accept(app, "bea@college.example")
    assert bea.submit("/console/staff", f"/console/staff/{own_id}/remove").status_code == 303
    bea_id = client.get(
        f"/api/v1/admin/issuers/{provider['id']}/staff",
        headers={"Authorization": "Bearer op_test-operator-token"},
    ).json()[0]["id"]
    last = bea.submit("/console/staff", f"/console/staff/{bea_id}/role", role="viewer")
    assert_page_problem(last, 409, "conflict")


def _member_id(client: TestClient, provider_id: str, email: str) -> str:
    listed = client.get(
        f"/api/v1/admin/issuers/{provider_id}/staff",
        headers={"Authorization": "Bearer op_test-operator-token"},
    ).json()
    found: str = next(member["id"] for member in listed if member["email"] == email)
    return found


def test_an_admin_sends_a_new_invitation_and_the_old_link_stops(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    provider = create_provider(client)
    admin = provider_staff(app, client, provider["id"], "ada@college.example", "admin")
    admin.submit("/console/staff", "/console/staff", name="Ivor", email="ivor@college.example", role="issuer")
    old = emailed_link(app, "ivor@college.example", "/console/invitations/")
    clock.advance(hours=1)  # it went astray
    ivor = _member_id(client, provider["id"], "ivor@college.example")
    resent = admin.submit("/console/staff", f"/console/staff/{ivor}/reinvite")
    assert resent.headers["location"] == "/console/staff?done=invited"
    new = emailed_link(app, "ivor@college.example", "/console/invitations/")
    assert new != old
    assert_page_problem(Browser.open(app).get(old), 410, "invitation-expired")
    accept(app, "ivor@college.example")
    again = admin.submit("/console/staff", f"/console/staff/{ivor}/reinvite")
    assert_page_problem(again, 409, "conflict")  # accepted already


def test_a_new_password_ends_the_members_other_sessions(app: FastAPI, client: TestClient) -> None:
    provider = create_provider(client)
    here = provider_staff(app, client, provider["id"], "ada@college.example", "admin")
    elsewhere = Browser.open(app, "10.0.0.2")
    assert elsewhere.sign_in("console", "ada@college.example").status_code == 303
    new = "a different passphrase"
    changed = here.submit(
        "/console/account",
        "/console/account/password",
        current_password=PASSWORD,
        password=new,
        password_confirmation=new,
    )
    assert changed.status_code == 303
    assert here.get("/console").status_code == 200
    assert elsewhere.get("/console").headers["location"].startswith("/console/sign-in")


def test_wrong_codes_are_throttled_too(app: FastAPI, client: TestClient, clock: Clock) -> None:
    provider = create_provider(client)
    admin = provider_staff(app, client, provider["id"], "ada@college.example", "admin")
    setup = admin.submit("/console/account", "/console/account/two-step")
    secret = setup.text.split("Or enter this key by hand:")[1].split("<code>")[1].split("</code>")[0]
    csrf = admin.csrf("/console/account")
    code = pyotp.TOTP(secret).at(clock.now)
    admin.http.post("/console/account/two-step/confirm", data={"csrf_token": csrf, "code": code})
    clock.advance(minutes=2)
    browser = Browser.open(app, "10.0.0.7")
    browser.sign_in("console", "ada@college.example")
    wrong = "000000" if pyotp.TOTP(secret).at(clock.now) != "000000" else "111111"
    for _ in range(3):
        assert browser.submit("/console/sign-in/code", "/console/sign-in/code", code=wrong).status_code == 401
    refused = browser.submit(
        "/console/sign-in/code", "/console/sign-in/code", code=pyotp.TOTP(secret).at(clock.now)
    )
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    clock.advance(seconds=1)
    accepted = browser.submit(
        "/console/sign-in/code", "/console/sign-in/code", code=pyotp.TOTP(secret).at(clock.now)
    )
    assert accepted.headers["location"] == "/console"
