"""The network operator's identity and its signed, versioned trust list.

The operator is ``did:web:<host>:operator`` (its DID document at ``/operator/did.json``) with an Ed25519
key encrypted at rest like a provider's (`core.keystore`). The trust list is a credential signed with
Data Integrity eddsa-rdfc-2022 (see `network.trust_list` for its shape and vocabulary). It is
re-signed only when the registry's version has moved, or once a day so that a fetched copy always has
days of validity left; a cached copy older than `LIFETIME` vouches for nobody.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.changes import record_change
from core.db import new_id
from issuers import identity
from vc import data_integrity
from vc.keys import KeyType, PrivateKey
from vc.ports import KeyResolver, StaticResolver

from .models import Accreditation, OperatorKey
from .trust import TrustConfig, entry_of, registry_state
from .trust import operator_did as operator_did  # defined beside the trust policy that names it
from .trust_list import build_trust_list

#: How long a signed trust list is valid; a verifier with an older copy must fetch a fresh one.
LIFETIME = timedelta(days=7)
#: Re-sign when the cached list is older than this, so a fetched copy has at least six days left.
RESIGN_AFTER = timedelta(days=1)


def trust_list_url(base_url: str) -> str:
    return f"{base_url}/trust-list"


def operator_keys(session: Session) -> list[OperatorKey]:
    return list(session.scalars(select(OperatorKey).order_by(OperatorKey.created_at, OperatorKey.id)))


def _active_key(session: Session) -> OperatorKey | None:
    return session.scalar(
        select(OperatorKey)
        .where(OperatorKey.key_type == KeyType.ED25519.value, OperatorKey.retired_at.is_(None))
        .order_by(OperatorKey.created_at.desc(), OperatorKey.id)
        .limit(1)
    )


def operator_key(session: Session, config: TrustConfig, now: datetime) -> OperatorKey:
    """The active signing key, made on first use (under the registry lock, so only once)."""
    key = _active_key(session)
    if key is not None:
        return key
    registry_state(session, lock=True)
    key = _active_key(session)
    if key is not None:
        return key
    private = PrivateKey.generate(KeyType.ED25519)
    key_id = new_id()
    key = OperatorKey(
        id=key_id,
        key_type=KeyType.ED25519.value,
        public_jwk=private.public_key.to_jwk(),
        encrypted_private_key=config.keystore.seal(private, key_id),
        created_at=now,
    )
    session.add(key)
    record_change(session)  # a cached operator DID document without a key is read again
    session.flush()
    return key


def did_document(session: Session, config: TrustConfig, now: datetime) -> dict[str, Any]:
    operator_key(session, config, now)
    return identity.did_document(operator_did(config.base_url), operator_keys(session))


def operator_resolver(session: Session, config: TrustConfig) -> KeyResolver:
    """The operator's published keys, for checking a trust list without a round trip through did:web."""
    did = operator_did(config.base_url)
    return StaticResolver(identity.verification_method(did, key) for key in operator_keys(session))


def _fresh(
    document: str | None,
    signed_version: int | None,
    signed_until: datetime | None,
    version: int,
    now: datetime,
) -> bool:
    return (
        document is not None
        and signed_version == version
        and signed_until is not None
        and signed_until - now > LIFETIME - RESIGN_AFTER
    )


def signed_trust_list(session: Session, config: TrustConfig, now: datetime) -> tuple[str, int]:
    """The signed trust list (JSON text) and the registry version it states."""
    state = registry_state(session)
    if _fresh(state.signed_document, state.signed_version, state.signed_until, state.version, now):
        assert state.signed_document is not None
        return state.signed_document, state.version
    # Re-sign under the lock every change takes: the list then states exactly one version.
    state = registry_state(session, lock=True)
    if _fresh(state.signed_document, state.signed_version, state.signed_until, state.version, now):
        assert state.signed_document is not None
        return state.signed_document, state.version
    key = operator_key(session, config, now)
    did = operator_did(config.base_url)
    rows = session.scalars(select(Accreditation).order_by(Accreditation.issuer_id, Accreditation.created_at))
    valid_from = now.replace(microsecond=0)
    unsigned = build_trust_list(
        trust_list_url(config.base_url),
        did,
        config.operator_name,
        state.version,
        state.updated_at,
        [entry_of(row) for row in rows],
        valid_from,
        valid_from + LIFETIME,
    )
    private = config.keystore.open(key.encrypted_private_key, key.id)
    signed = data_integrity.sign(unsigned, private, identity.verification_method_id(did, key), now)
    state.signed_document = json.dumps(signed)
    state.signed_version = state.version
    state.signed_until = valid_from + LIFETIME
    session.flush()
    return state.signed_document, state.version
