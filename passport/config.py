"""What the passport needs from the composition root (``server.app`` builds it from the settings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from core.keystore import Keystore
from passport.accounts.ratelimit import SignInLimiter
from passport.accounts.security import Passwords


@dataclass(frozen=True)
class PassportConfig:
    base_url: str
    passwords: Passwords = field(default_factory=Passwords)
    limiter: SignInLimiter = field(default_factory=SignInLimiter)
    #: True: messages wait in the outbox for SMTP delivery; False: the outbox is where they stay.
    deliver_mail: bool = False
    session_ttl: timedelta = timedelta(hours=12)
    link_ttl: timedelta = timedelta(hours=24)
    claim_ttl: timedelta = timedelta(days=30)
    token_ttl: timedelta = timedelta(days=90)
    #: Encrypts learners' holder keys at rest (the same master key as the providers' signing keys).
    keystore: Keystore | None = None

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")
