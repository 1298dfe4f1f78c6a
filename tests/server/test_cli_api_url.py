"""`passport issue bulk` sends the provider's key only to a server it was pointed at: ``--api-url`` (or
PASSPORT_API_URL), PASSPORT_BASE_URL or a profile; no default port, https unless on this machine."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from server.cli import UnusableInput, app, resolve_api

runner = CliRunner()
NO_PROFILES = Path("/nonexistent/profiles.toml")


def test_no_url_anywhere_is_a_clear_error_and_nothing_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[httpx.Request] = []
    monkeypatch.setattr(httpx.Client, "send", lambda self, request, **kw: sent.append(request))
    for name in ("PASSPORT_API_URL", "PASSPORT_BASE_URL", "PASSPORT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PASSPORT_PROFILES_FILE", str(tmp_path / "none.toml"))
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("email\na@example.com\n")
    result = runner.invoke(
        app, ["issue", "bulk", str(cohort), "--achievement", "a1", "--api-key", "sk_secret"]
    )
    assert result.exit_code == 2
    assert "no API URL" in result.output
    assert "PASSPORT_BASE_URL" in result.output
    assert sent == []


def test_the_flag_then_the_environment_then_the_profile(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles.toml"
    profiles.write_text(
        '[default]\napi_url = "https://default.example"\napi_key = "sk_default"\n\n'
        '[college]\napi_url = "https://college.example/"\napi_key = "sk_college"\n'
    )
    assert resolve_api("https://flag.example", "sk_x", None, {}, profiles) == ("https://flag.example", "sk_x")
    env = {"PASSPORT_BASE_URL": "https://env.example"}
    assert resolve_api(None, "sk_x", None, env, profiles) == ("https://env.example", "sk_x")
    assert resolve_api(None, None, None, {}, profiles) == ("https://default.example", "sk_default")
    assert resolve_api(None, None, "college", {}, profiles) == ("https://college.example", "sk_college")
    assert resolve_api(None, "sk_mine", "college", {}, profiles) == ("https://college.example", "sk_mine")


def test_a_profiles_key_goes_only_to_its_own_url(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles.toml"
    profiles.write_text('[default]\napi_url = "https://default.example"\napi_key = "sk_default"\n')
    with pytest.raises(UnusableInput, match="no API key"):
        resolve_api("https://elsewhere.example", None, None, {}, profiles)
    with pytest.raises(UnusableInput, match="no API key"):
        resolve_api(None, None, None, {"PASSPORT_BASE_URL": "https://elsewhere.example"}, profiles)
    with pytest.raises(UnusableInput, match="no API key"):
        resolve_api("https://elsewhere.example", None, "default", {}, profiles)


@pytest.mark.parametrize(
    "url", ["http://college.example", "ftp://college.example", "college.example", "http://10.0.0.8:8000"]
)
def test_a_key_never_goes_over_plain_http_to_another_machine(url: str) -> None:
    with pytest.raises(UnusableInput, match="refusing to send"):
        resolve_api(url, "sk_x", None, {}, NO_PROFILES)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:9000/", "https://c.example"])
def test_https_anywhere_and_http_on_this_machine(url: str) -> None:
    assert resolve_api(url, "sk_x", None, {}, NO_PROFILES) == (url.rstrip("/"), "sk_x")


def test_a_missing_or_broken_profile_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UnusableInput, match="no profiles file"):
        resolve_api(None, None, "college", {}, tmp_path / "absent.toml")
    profiles = tmp_path / "profiles.toml"
    profiles.write_text("[default\n")
    with pytest.raises(UnusableInput, match="cannot read"):
        resolve_api(None, None, None, {}, profiles)
    profiles.write_text('[default]\napi_url = "https://d.example"\n')
    with pytest.raises(UnusableInput, match="no profile 'college'"):
        resolve_api(None, None, "college", {}, profiles)
    profiles.write_text('[default]\napi_url = "https://d.example"\npassword = "x"\n')
    with pytest.raises(UnusableInput, match="api_url and api_key"):
        resolve_api(None, None, None, {}, profiles)


def test_the_command_reads_the_profile_named_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end as far as the network: the request goes to the profile's URL with its key."""
    profiles = tmp_path / "profiles.toml"
    profiles.write_text('[college]\napi_url = "https://college.example"\napi_key = "sk_college"\n')
    for name in ("PASSPORT_API_URL", "PASSPORT_BASE_URL", "PASSPORT_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PASSPORT_PROFILES_FILE", str(profiles))
    monkeypatch.setenv("PASSPORT_PROFILE", "college")
    seen: list[httpx.Request] = []

    def answer(self: httpx.Client, request: httpx.Request, **kwargs: object) -> httpx.Response:
        seen.append(request)
        return httpx.Response(422, json={"title": "Bad", "detail": "no"}, request=request)

    monkeypatch.setattr(httpx.Client, "send", answer)
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("email\na@example.com\n")
    result = runner.invoke(app, ["issue", "bulk", str(cohort), "--achievement", "a1"])
    assert result.exit_code == 2
    assert [str(request.url) for request in seen] == ["https://college.example/api/v1/credentials/bulk"]
    assert seen[0].headers["authorization"] == "Bearer sk_college"
