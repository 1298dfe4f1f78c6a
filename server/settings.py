"""Settings from the environment (prefix ``PASSPORT_``), documented in the README.

Secrets are `SecretStr`. In development the master key and the operator token are generated on first
start into ``var/`` (mode 0600); in production they must be given, and the service refuses to start
without them.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.clients import TrustedProxies

log = logging.getLogger("passport")


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class ConfigurationError(RuntimeError):
    """The service cannot start with this configuration; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PASSPORT_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    #: SQLAlchemy URL. SQLite file by default; e.g. postgresql+psycopg://user:pass@host/db in production.
    database_url: str = "sqlite:///var/passport.db"
    #: The public URL every identifier (DIDs, credential ids, status lists) is derived from.
    base_url: str = "http://127.0.0.1:8000"
    #: 32-byte key (base64url) that encrypts signing keys at rest; or a file holding it.
    master_key: SecretStr | None = None
    master_key_file: Path = Path("var/master.key")
    #: Bearer token of the network operator (admin API); or a file holding it.
    admin_token: SecretStr | None = None
    admin_token_file: Path = Path("var/admin.token")
    #: The network operator's name: it signs the trust list and verifiers' messages name it.
    operator_name: str = "National Skills Network"
    #: The operator's scheme achievements are approved under, as approvals' endorsements name it.
    scheme_name: str = "Skills Passport Quality Scheme"
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = 2 * 1024 * 1024
    #: Reverse proxies whose X-Forwarded-For names the client (addresses or CIDR ranges, comma-separated):
    #: none by default, so the client address is the connection's (`core.clients`).
    trusted_proxies: Annotated[list[str], NoDecode] = []
    #: The bounded fetcher (verification of other issuers' DID documents and status lists).
    #: Allow private, loopback and link-local addresses: only for tests and local development.
    fetch_allow_private: bool = False
    fetch_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    fetch_max_bytes: int = Field(default=1024 * 1024, gt=0, le=16 * 1024 * 1024)
    fetch_max_redirects: int = Field(default=3, ge=0, le=10)
    #: How long verification keeps our own issuers' DID documents and signed status lists in memory.
    verify_cache_seconds: float = Field(default=10.0, ge=0, le=300)

    # --- the learner passport ---
    #: "outbox": email stays in the database (readable at /dev/outbox outside production); "smtp": sent.
    mail_sender: Literal["outbox", "smtp"] = "outbox"
    #: The From header of every email.
    mail_from: str = "Skills Passport <no-reply@localhost>"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    #: "starttls" (port 587), "tls" (implicit TLS, port 465) or "none" (a relay on the same host only).
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_timeout_seconds: float = 10.0
    #: How long a browser stays signed in.
    session_hours: int = Field(default=12, ge=1)
    #: How long sign-up and address-verification links work.
    email_link_hours: int = Field(default=24, ge=1)
    #: How long a staff invitation link works (single use).
    staff_invitation_hours: int = Field(default=72, ge=1, le=24 * 14)
    #: How long a claim link (sent when a credential is issued to an address with no passport) works.
    claim_link_days: int = Field(default=30, ge=1)
    #: How long a learner API token works.
    learner_token_days: int = Field(default=90, ge=1)
    #: Sign-in throttling (passport.accounts.ratelimit): failures of one client on one account before each
    #: further attempt waits twice as long as the last; failures per account from anywhere (NIST SP
    #: 800-63B §5.2.2: at most 100), and per client address on any account, within the window.
    sign_in_free_failures_per_client: int = Field(default=3, ge=1)
    sign_in_max_failures_per_account: int = Field(default=100, ge=1, le=100)
    sign_in_max_failures_per_address: int = Field(default=20, ge=1)
    sign_in_window_seconds: int = Field(default=900, ge=1)
    #: Processes that check and sign bulk-issued credentials (1: in the job worker's own thread).
    bulk_signing_processes: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)
    # Event claim codes (passport.claim_codes): claim requests per client address in 10 minutes, and per
    # code in a minute (each process counts its own).
    claim_requests_per_client: int = Field(default=300, ge=1)
    claim_requests_per_code: int = Field(default=2000, ge=1)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: object) -> object:
        return (
            [entry.strip() for entry in value.split(",") if entry.strip()]
            if isinstance(value, str)
            else value
        )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, value: list[str]) -> list[str]:
        TrustedProxies.parse(value)  # ValueError names the entry that is neither an address nor a range
        return value

    @field_validator("base_url")
    @classmethod
    def _absolute_http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("base_url must be an absolute http(s) URL without query or fragment")
        return value.rstrip("/")

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    def refuse_unsafe_production(self) -> None:
        """`ConfigurationError` for a setting that is only for tests and development, in production."""
        if self.is_production and self.fetch_allow_private:
            raise ConfigurationError(
                "PASSPORT_FETCH_ALLOW_PRIVATE=true lets anyone who submits a credential make the service "
                "fetch from private, loopback and link-local addresses (SSRF): it is for tests and local "
                "development only. Unset it in production."
            )

    def resolved_master_key(self) -> bytes:
        value = self._secret(self.master_key, self.master_key_file, "PASSPORT_MASTER_KEY", _new_key)
        try:
            key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except ValueError:
            raise ConfigurationError("PASSPORT_MASTER_KEY must be 32 bytes, base64url-encoded") from None
        if len(key) != 32:
            raise ConfigurationError("PASSPORT_MASTER_KEY must be 32 bytes, base64url-encoded")
        return key

    def resolved_admin_token(self) -> str:
        return self._secret(self.admin_token, self.admin_token_file, "PASSPORT_ADMIN_TOKEN", _new_token)

    def _secret(self, value: SecretStr | None, path: Path, name: str, generate: Callable[[], str]) -> str:
        if value is not None:
            return value.get_secret_value().strip()
        if path.exists():
            _owner_only(path)
            return path.read_text(encoding="utf-8").strip()
        if self.is_production:
            raise ConfigurationError(f"{name} (or {name}_FILE) must be set in production")
        secret = generate()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secret + "\n")
        return secret


def _owner_only(path: Path) -> None:
    """A secret's file readable by its owner alone (0600), as `Settings` creates it; one that others can
    read (copied in by hand) is made so, and said."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        path.chmod(mode & 0o700)
        log.warning("%s was readable by others (mode %o); it is now %o", path, mode, mode & 0o700)


def _new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def _new_token() -> str:
    return "op_" + secrets.token_urlsafe(32)
