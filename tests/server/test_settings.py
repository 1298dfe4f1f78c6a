"""Settings that are only for development refuse to start in production; secrets' files are private."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from core.services import Database, services_of
from server.app import create_app
from server.settings import ConfigurationError, Environment, Settings


def test_production_refuses_to_start_with_fetch_allow_private(settings: Settings) -> None:
    """Attack run: production started with PASSPORT_FETCH_ALLOW_PRIVATE=true (an SSRF switch)."""
    unsafe = settings.model_copy(update={"environment": Environment.PRODUCTION, "fetch_allow_private": True})
    with pytest.raises(
        ConfigurationError, match=r"PASSPORT_FETCH_ALLOW_PRIVATE=true .* Unset it in production"
    ):
        create_app(unsafe)
    development = settings.model_copy(update={"fetch_allow_private": True})
    services_of(create_app(development)).get(Database).engine.dispose()  # development may use it


def test_passport_serve_says_why_it_will_not_start(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "PASSPORT_ENVIRONMENT": "production",
        "PASSPORT_FETCH_ALLOW_PRIVATE": "true",
        "PASSPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
        "PASSPORT_MASTER_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        "PASSPORT_ADMIN_TOKEN": "op_x",
        "PASSPORT_BASE_URL": "https://passport.example",
    }
    passport = str(Path(sys.executable).parent / "passport")
    ran = subprocess.run(
        [passport, "serve", "--port", "0"], env=environment, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 2
    assert "PASSPORT_FETCH_ALLOW_PRIVATE=true" in ran.stderr


def test_trusted_proxies_are_read_comma_separated_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")
    assert Settings().trusted_proxies == ["10.0.0.0/8", "192.0.2.7"]
    monkeypatch.setenv("PASSPORT_TRUSTED_PROXIES", "proxy.example")
    with pytest.raises(ValueError, match="proxy"):
        Settings()
    monkeypatch.delenv("PASSPORT_TRUSTED_PROXIES")
    assert Settings().trusted_proxies == []


def test_generated_secrets_are_0600_in_a_0700_folder(tmp_path: Path) -> None:
    folder = tmp_path / "var"
    settings = Settings(master_key_file=folder / "master.key", admin_token_file=folder / "admin.token")
    settings.resolved_master_key()
    settings.resolved_admin_token()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("master.key", "admin.token"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600


def test_a_secret_file_others_can_read_is_made_private(tmp_path: Path) -> None:
    token = tmp_path / "admin.token"
    token.write_text("op_copied-in-by-hand\n")
    token.chmod(0o644)
    assert Settings(admin_token_file=token).resolved_admin_token() == "op_copied-in-by-hand"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
