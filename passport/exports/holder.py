"""The learner as holder: a did:key (Ed25519) the service keeps for each learner, and the Verifiable
Presentations it signs over a selection of their credentials (VC DM 2.0 §5.3; VC-DI eddsa-rdfc-2022 with
``proofPurpose: "authentication"``, `vc.presentation.sign_presentation`).

The private key is made on first use and stored encrypted at rest under the master key, bound to the
learner's id (`core.keystore`, as the providers' keys are). A presentation carries each credential
exactly as signed: a JSON credential as itself, a VC-JWT as an ``EnvelopedVerifiableCredential``
(``data:application/vc+jwt,…``, VC DM 2.0 §4.13). The verifier's ``challenge`` and ``domain``, when
given, are bound into the proof so the presentation cannot be replayed to someone else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.i18n import gettext
from core.keystore import Keystore
from core.problems import NotFound
from passport import credentials
from passport.models import HolderKey, Learner
from schemas.loader import VC_V2_CONTEXT
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.keys import KeyType, PrivateKey
from vc.presentation import sign_presentation

_KEY_PURPOSE = "holder:"  # associated data prefix: a holder key's ciphertext never opens as another's


def holder_key(
    session: Session, keystore: Keystore, learner: Learner, now: datetime
) -> tuple[PrivateKey, str]:
    """The learner's holder key and its did:key, made on first use."""
    row = session.get(HolderKey, learner.id)
    if row is not None:
        return keystore.open(row.encrypted_private_key, _KEY_PURPOSE + learner.id), row.did
    key = PrivateKey.generate(KeyType.ED25519)
    did = did_key_for(key.public_key)
    session.add(
        HolderKey(
            learner_id=learner.id,
            did=did,
            encrypted_private_key=keystore.seal(key, _KEY_PURPOSE + learner.id),
            created_at=now,
        )
    )
    session.flush()
    return key, did


def _presented(document: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(document, str):
        return {
            "@context": [VC_V2_CONTEXT],
            "id": f"data:application/vc+jwt,{document}",
            "type": "EnvelopedVerifiableCredential",
        }
    return document


def presentation(
    session: Session,
    keystore: Keystore,
    learner: Learner,
    credential_ids: list[str],
    now: datetime,
    *,
    challenge: str | None = None,
    domain: str | None = None,
) -> dict[str, Any]:
    """A Verifiable Presentation of these credentials (all the learner's own: any other is 404), signed
    by the learner's holder key."""
    try:
        chosen = [credentials.item(session, learner, credential_id, now) for credential_id in credential_ids]
    except NotFound:
        raise NotFound(
            gettext("A chosen credential is not in your passport: nothing was presented.")
        ) from None
    key, did = holder_key(session, keystore, learner, now)
    unsigned = {
        "@context": [VC_V2_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": did,
        "verifiableCredential": [_presented(entry.credential.signed_document()) for entry in chosen],
    }
    method = did_key_verification_method_id(key.public_key)
    return sign_presentation(unsigned, key, method, now, challenge=challenge, domain=domain)
