"""Two-step sign-in's way back: recovery codes (shown once, each works once), turning it off with the
password, and an administrator's reset for someone who lost phone and codes."""

from __future__ import annotations

import re

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.issuers.conftest import create_provider
from tests.issuers.staff.conftest import PASSWORD, Browser, Clock, operator_auth, provider_staff

EMAIL = "ada@college.example"


def turn_on(admin: Browser, clock: Clock) -> tuple[pyotp.TOTP, list[str]]:
    setup = admin.submit("/console/account", "/console/account/two-step")
    secret = setup.text.split("Or enter this key by hand:")[1].split("<code>")[1].split("</code>")[0]
    totp = pyotp.TOTP(secret)
    csrf = admin.csrf("/console/account")
    on = admin.http.post(
        "/console/account/two-step/confirm", data={"csrf_token": csrf, "code": totp.at(clock.now)}
    )
    assert on.status_code == 200, on.text
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", on.text)
    return totp, codes


def half_signed_in(app: FastAPI) -> Browser:
    browser = Browser.open(app)
    assert browser.sign_in("console", EMAIL).headers["location"] == "/console/sign-in/code"
    return browser


def test_ten_recovery_codes_are_shown_once_and_each_signs_in_once(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    provider = create_provider(client)
    admin = provider_staff(app, client, provider["id"], EMAIL, "admin")
    _, codes = turn_on(admin, clock)
    assert len(codes) == len(set(codes)) == 10
    account = admin.get("/console/account").text
    assert not any(code in account for code in codes)  # never shown again
    assert "You have 10 unused recovery codes." in account

    browser = half_signed_in(app)
    typed = codes[0].upper().replace("-", " ")  # as someone types it off paper
    assert browser.submit("/console/sign-in/code", "/console/sign-in/code", code=typed).status_code == 303
    assert browser.get("/console/staff").status_code == 200

    again = half_signed_in(app)
    reused = again.submit("/console/sign-in/code", "/console/sign-in/code", code=codes[0])
    assert reused.status_code == 401
    assert "used already" in reused.text
    assert "You have 9 unused recovery codes." in admin.get("/console/account").text
    trail = admin.get("/console/audit").text
    assert "Signed in with a recovery code" in trail


def test_new_codes_replace_the_old_and_need_the_password(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    provider = create_provider(client)
    admin = provider_staff(app, client, provider["id"], EMAIL, "admin")
    _, old = turn_on(admin, clock)
    wrong = admin.submit("/console/account", "/console/account/two-step/recovery-codes", password="nope")
    assert wrong.status_code == 422
    assert "Your password is not right." in wrong.text
    renewed = admin.submit("/console/account", "/console/account/two-step/recovery-codes", password=PASSWORD)
    new = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", renewed.text)
    assert len(new) == 10
    assert not set(new) & set(old)
    browser = half_signed_in(app)
    assert browser.submit("/console/sign-in/code", "/console/sign-in/code", code=old[1]).status_code == 401
    assert browser.submit("/console/sign-in/code", "/console/sign-in/code", code=new[1]).status_code == 303


def test_turning_it_off_needs_the_password(app: FastAPI, client: TestClient, clock: Clock) -> None:
    provider = create_provider(client)
    admin = provider_staff(app, client, provider["id"], EMAIL, "admin")
    turn_on(admin, clock)
    wrong = admin.submit("/console/account", "/console/account/two-step/off", password="nope")
    assert wrong.status_code == 422
    assert half_signed_in(app)  # still on
    off = admin.submit("/console/account", "/console/account/two-step/off", password=PASSWORD)
    assert off.headers["location"] == "/console/account?done=two-step-off"
    assert Browser.open(app).sign_in("console", EMAIL).headers["location"] == "/console"
    assert "Two-step sign-in turned off" in admin.get("/console/audit").text


def test_an_admin_resets_it_for_a_colleague_and_their_sessions_end(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    provider = create_provider(client)
    admin = provider_staff(app, client, provider["id"], "boss@college.example", "admin")
    colleague = provider_staff(app, client, provider["id"], EMAIL, "issuer")
    turn_on(colleague, clock)
    staff = client.get(f"/api/v1/admin/issuers/{provider['id']}/staff", headers=operator_auth()).json()
    ada = next(member for member in staff if member["email"] == EMAIL)
    # An issuer cannot reset anyone's; another provider's admin cannot find them.
    refused = colleague.http.post(
        f"/console/staff/{ada['id']}/two-step/reset", data={"csrf_token": colleague.csrf("/console/account")}
    )
    assert refused.status_code == 403
    other = create_provider(client, name="Elsewhere College")
    outsider = provider_staff(app, client, other["id"], "eve@elsewhere.example", "admin")
    assert outsider.submit("/console/staff", f"/console/staff/{ada['id']}/two-step/reset").status_code == 404

    reset = admin.submit("/console/staff", f"/console/staff/{ada['id']}/two-step/reset")
    assert reset.headers["location"] == "/console/staff?done=two-step-reset"
    assert colleague.get("/console").headers["location"].startswith("/console/sign-in")
    assert Browser.open(app).sign_in("console", EMAIL).headers["location"] == "/console"
    assert "Two-step sign-in reset by an administrator" in admin.get("/console/audit").text
