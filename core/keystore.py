"""Private signing keys, and other secrets kept for later use (staff members' TOTP seeds), encrypted at
rest: AES-256-GCM under the master key.

The key's own id (a secret's context, e.g. ``totp:<member id>``) is bound in as associated data, so a
ciphertext copied onto another row does not decrypt. Private keys are never logged and never returned by
the API.
"""

from __future__ import annotations

import json
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vc.keys import PrivateKey

_NONCE_BYTES = 12


class KeystoreError(RuntimeError):
    """A stored key cannot be decrypted: wrong master key, or the row was tampered with."""


class Keystore:
    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the master key is 32 bytes")
        self._aead = AESGCM(master_key)
        # Loading an RSA key validates it (tens of ms); keep opened keys for this process's lifetime.
        self._opened: dict[tuple[str, bytes], PrivateKey] = {}

    def seal(self, key: PrivateKey, key_id: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        plaintext = json.dumps(key.to_jwk()).encode()
        return nonce + self._aead.encrypt(nonce, plaintext, key_id.encode())

    def open(self, sealed: bytes, key_id: str) -> PrivateKey:
        cached = self._opened.get((key_id, sealed))
        if cached is not None:
            return cached
        key = self._open(sealed, key_id)
        if len(self._opened) < 1024:
            self._opened[(key_id, sealed)] = key
        return key

    def seal_secret(self, secret: bytes, context: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, secret, context.encode())

    def open_secret(self, sealed: bytes, context: str) -> bytes:
        try:
            return self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], context.encode())
        except InvalidTag:
            raise KeystoreError(f"the secret of {context} cannot be decrypted with this master key") from None

    def _open(self, sealed: bytes, key_id: str) -> PrivateKey:
        try:
            plaintext = self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], key_id.encode())
        except InvalidTag:
            raise KeystoreError(f"signing key {key_id} cannot be decrypted with this master key") from None
        return PrivateKey.from_jwk(json.loads(plaintext))
