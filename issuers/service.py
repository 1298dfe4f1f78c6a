"""Providers, their API keys and signing keys, and their achievements.

Services take the request's session and only ``flush()``; the caller commits once. A provider reaches
only its own rows: every lookup is scoped by ``issuer_id``, and another provider's row is "not found".
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.changes import record_change
from core.db import new_id
from core.i18n import gettext
from core.keystore import Keystore
from core.problems import Conflict, NotFound, Unauthorized, ValidationFailed
from schemas.vocabulary import ACHIEVEMENT_TYPES, AchievementKind
from vc.keys import KeyType, PrivateKey

from . import identity, images
from .api_models import AchievementCreate, IssuerCreate, IssuerUpdate
from .models import Achievement, ApiKey, Issuer, IssuerKey
from .ports import (
    AchievementEndorsements,
    CommunityRegister,
    IssuanceListener,
    NoCommunities,
    NoEndorsements,
    NoListener,
    NoScheme,
    SchemeScope,
)
from .staff import audit

API_KEY_PREFIX = "sk_"
#: Each provider gets one key of each type: Ed25519 for Data Integrity, RSA (RS256, the OB 3.0 JWT
#: minimum) and P-256 (ES256) for VC-JWT.
KEY_TYPES = (KeyType.ED25519, KeyType.RSA, KeyType.P256)
JWT_ALGORITHMS = {"RS256": KeyType.RSA, "ES256": KeyType.P256, "EdDSA": KeyType.ED25519}


@dataclass(frozen=True)
class IssuerConfig:
    base_url: str
    keystore: Keystore
    #: Told about each newly issued credential, inside the issuing transaction (issuers.ports).
    listener: IssuanceListener = field(default_factory=NoListener)
    #: The network's communities of practice, which a community_of_practice achievement must name.
    communities: CommunityRegister = field(default_factory=NoCommunities)
    #: The network's answer to "will this credential be inside the provider's accreditation?"
    scheme: SchemeScope = field(default_factory=NoScheme)
    #: The network's endorsements of an achievement (scheme approvals), embedded in its credentials.
    endorsements: AchievementEndorsements = field(default_factory=NoEndorsements)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_issuer(
    session: Session, config: IssuerConfig, data: IssuerCreate, now: datetime
) -> tuple[Issuer, str]:
    """Onboard a provider with signing keys and a first API key; returns the key's secret (shown once)."""
    issuer = Issuer(
        id=new_id(),
        name=data.name,
        url=str(data.url),
        ukprn=data.ukprn,
        logo_url=str(data.logo_url) if data.logo_url else None,
        contact_email=data.contact_email,
        description=data.description,
        suspension_enabled=data.suspension_enabled,
        kind=data.kind,
        created_at=now,
    )
    session.add(issuer)
    session.flush()
    audit.record(
        session,
        "provider.create",
        "provider",
        issuer.id,
        now,
        provider_id=issuer.id,
        after={"name": issuer.name},
    )
    for key_type in KEY_TYPES:
        add_signing_key(session, config, issuer, key_type, now)
    _, secret = create_api_key(session, issuer, "initial", now)
    return issuer, secret


def get_issuer(session: Session, issuer_id: str) -> Issuer:
    issuer = session.get(Issuer, issuer_id)
    if issuer is None:
        raise NotFound(gettext("no provider %(id)r", id=issuer_id))
    return issuer


def update_issuer(session: Session, issuer_id: str, data: IssuerUpdate) -> Issuer:
    """Change what the operator sent. Credentials already issued keep what they were signed with; the
    profile and new credentials show the new details. Suspension applies to credentials issued while on."""
    issuer = get_issuer(session, issuer_id)
    changes = data.model_dump(mode="json", exclude_unset=True)
    for name in ("name", "url", "ukprn", "logo_url", "contact_email", "description", "suspension_enabled"):
        if name in changes:
            setattr(issuer, name, changes[name])
    record_change(session)  # rare: verify caches read again rather than reason about what it touches
    session.flush()
    return issuer


def list_issuers(session: Session) -> list[Issuer]:
    return list(session.scalars(select(Issuer).order_by(Issuer.created_at, Issuer.id)))


# --- API keys -----------------------------------------------------------------------------------------------


def create_api_key(session: Session, issuer: Issuer, label: str | None, now: datetime) -> tuple[ApiKey, str]:
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(
        id=new_id(), issuer_id=issuer.id, label=label, secret_sha256=_sha256(secret), created_at=now
    )
    session.add(api_key)
    session.flush()
    audit.record(
        session, "api_key.create", "api_key", api_key.id, now, provider_id=issuer.id, after={"label": label}
    )
    return api_key, secret


def list_api_keys(session: Session, issuer: Issuer) -> list[ApiKey]:
    return list(
        session.scalars(select(ApiKey).where(ApiKey.issuer_id == issuer.id).order_by(ApiKey.created_at))
    )


def revoke_api_key(session: Session, issuer: Issuer, key_id: str, now: datetime) -> ApiKey:
    api_key = session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.issuer_id == issuer.id))
    if api_key is None:
        raise NotFound(gettext("no API key %(id)r", id=key_id))
    if api_key.revoked_at is not None:
        raise Conflict(gettext("this API key is already revoked"))
    api_key.revoked_at = now
    session.flush()
    audit.record(
        session,
        "api_key.revoke",
        "api_key",
        api_key.id,
        now,
        provider_id=issuer.id,
        before={"revoked": False},
        after={"revoked": True},
    )
    return api_key


def authenticate(session: Session, secret: str, now: datetime) -> Issuer:
    """The provider a bearer API key belongs to; unknown and revoked keys are both 401."""
    return authenticate_key(session, secret, now)[0]


def authenticate_key(session: Session, secret: str, now: datetime) -> tuple[Issuer, ApiKey]:
    """The provider a bearer API key belongs to, and the key; unknown and revoked keys are both 401."""
    digest = _sha256(secret)
    api_key = session.scalar(select(ApiKey).where(ApiKey.secret_sha256 == digest))
    # The lookup is by digest; compare again in constant time so timing says nothing about near misses.
    if api_key is None or not hmac.compare_digest(api_key.secret_sha256, digest) or api_key.revoked_at:
        raise Unauthorized(gettext("the API key is missing, unknown or revoked"))
    api_key.last_used_at = now
    return get_issuer(session, api_key.issuer_id), api_key


# --- signing keys -------------------------------------------------------------------------------------------


def add_signing_key(
    session: Session, config: IssuerConfig, issuer: Issuer, key_type: KeyType, now: datetime
) -> IssuerKey:
    private = PrivateKey.generate(key_type)
    key_id = new_id()
    row = IssuerKey(
        id=key_id,
        issuer_id=issuer.id,
        key_type=key_type.value,
        public_jwk=private.public_key.to_jwk(),
        encrypted_private_key=config.keystore.seal(private, key_id),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def signing_keys(session: Session, issuer_id: str) -> list[IssuerKey]:
    return list(
        session.scalars(
            select(IssuerKey)
            .where(IssuerKey.issuer_id == issuer_id)
            .order_by(IssuerKey.created_at, IssuerKey.id)
        )
    )


def active_key(session: Session, issuer: Issuer, key_type: KeyType) -> IssuerKey:
    key = session.scalar(
        select(IssuerKey)
        .where(
            IssuerKey.issuer_id == issuer.id,
            IssuerKey.key_type == key_type.value,
            IssuerKey.retired_at.is_(None),
        )
        .order_by(IssuerKey.created_at.desc())
        .limit(1)
    )
    if key is None:
        raise Conflict(
            gettext("the provider has no active %(key_type)s signing key", key_type=key_type.value)
        )
    return key


def rotate_key(
    session: Session, config: IssuerConfig, issuer: Issuer, key_type: KeyType, now: datetime
) -> IssuerKey:
    """New credentials use the new key; the retired key stays published so old credentials verify. Cached
    DID documents are read again from the commit on (`core.changes`)."""
    record_change(session)
    retired = []
    for key in signing_keys(session, issuer.id):
        if key.key_type == key_type.value and key.retired_at is None:
            key.retired_at = now
            retired.append(key.id)
    key = add_signing_key(session, config, issuer, key_type, now)
    audit.record(
        session,
        "signing_key.rotate",
        "signing_key",
        key.id,
        now,
        provider_id=issuer.id,
        before={"active": retired},
        after={"active": [key.id], "key_type": key_type.value},
    )
    return key


def private_key(config: IssuerConfig, key: IssuerKey) -> PrivateKey:
    if key.retired_at is not None:
        raise Conflict(gettext("a retired key never signs"))
    return config.keystore.open(key.encrypted_private_key, key.id)


# --- achievements -------------------------------------------------------------------------------------------


def create_achievement(
    session: Session, config: IssuerConfig, issuer: Issuer, data: AchievementCreate, now: datetime
) -> Achievement:
    if data.community is not None:
        check_community(session, config, data.community)
    if data.image is not None:
        check_image(session, issuer.id, data.image)
    achievement = Achievement(
        id=new_id(),
        issuer_id=issuer.id,
        kind=data.kind.value,
        definition=definition_of(data),
        created_at=now,
    )
    session.add(achievement)
    session.flush()
    return achievement


def check_community(session: Session, config: IssuerConfig, community: str) -> None:
    """The community must be one the network lists (422 otherwise, worded as a field error)."""
    names = list(config.communities.community_names(session))
    if community not in names:
        listed = " or ".join(", ".join(repr(name) for name in names).rsplit(", ", 1)) if names else "none"
        raise ValidationFailed(
            gettext("The request is not valid: see errors."),
            [
                {
                    "loc": ["body", "community"],
                    "msg": f"Input should be one of the network's communities: {listed}",
                }
            ],
        )


def definition_of(data: AchievementCreate) -> dict[str, Any]:
    """What an achievement row keeps of its definition (``image`` only when it has one, so definitions
    made before images existed compare equal to the same definition made now)."""
    definition = data.model_dump(mode="json")
    if definition.get("image") is None:
        definition.pop("image", None)
    return definition


def check_image(session: Session, issuer_id: str, image: str) -> None:
    """The image must be one of the provider's own (422 otherwise, worded as a field error)."""
    if not images.exists(session, issuer_id, image):
        raise ValidationFailed(
            gettext("The request is not valid: see errors."),
            [{"loc": ["body", "image"], "msg": "Input should be the SHA-256 of one of your badge images"}],
        )


def get_achievement(session: Session, issuer: Issuer, achievement_id: str) -> Achievement:
    achievement = session.scalar(
        select(Achievement).where(Achievement.id == achievement_id, Achievement.issuer_id == issuer.id)
    )
    if achievement is None:
        raise NotFound(gettext("no achievement %(id)r", id=achievement_id))
    return achievement


def names_of(
    session: Session, issuer_ids: Iterable[str], achievement_ids: Iterable[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Providers' and achievements' names by id, in two queries, for a list that names many (an unknown
    id is left out)."""
    providers = session.execute(select(Issuer.id, Issuer.name).where(Issuer.id.in_(set(issuer_ids))))
    achievements = session.execute(
        select(Achievement.id, Achievement.definition).where(Achievement.id.in_(set(achievement_ids)))
    )
    return (
        {row.id: row.name for row in providers},
        {row.id: str(row.definition.get("name", "")) for row in achievements},
    )


def list_achievements(session: Session, issuer: Issuer) -> list[Achievement]:
    return list(
        session.scalars(
            select(Achievement).where(Achievement.issuer_id == issuer.id).order_by(Achievement.created_at)
        )
    )


def achievement_url(config: IssuerConfig, achievement: Achievement) -> str:
    return f"{config.base_url}/achievements/{achievement.id}"


def achievement_type(achievement: Achievement) -> str:
    return ACHIEVEMENT_TYPES[AchievementKind(achievement.kind)]


def did_of(config: IssuerConfig, issuer_id: str) -> str:
    return identity.issuer_did(config.base_url, issuer_id)


def summary(config: IssuerConfig, issuer: Issuer) -> dict[str, Any]:
    did = did_of(config, issuer.id)
    return {
        "id": issuer.id,
        "did": did,
        "name": issuer.name,
        "url": issuer.url,
        "ukprn": issuer.ukprn,
        "logo_url": issuer.logo_url,
        "contact_email": issuer.contact_email,
        "description": issuer.description,
        "suspension_enabled": issuer.suspension_enabled,
        "kind": issuer.kind,
        "did_document_url": f"{identity.issuer_url(config.base_url, issuer.id)}/did.json",
        "profile_url": f"{identity.issuer_url(config.base_url, issuer.id)}/profile",
        "created_at": issuer.created_at,
    }
