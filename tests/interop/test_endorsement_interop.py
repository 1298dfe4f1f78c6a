"""An endorsed credential across stacks: a scheme approval's EndorsementCredential, embedded in the
Achievement of a credential we sign, is part of the signed document for Digital Bazaar's `vc` as for us:
the credential verifies there, and changing the endorsement after signing fails there too."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from core.keystore import Keystore
from network.approvals import build_endorsement
from network.trust import TrustConfig
from server.demo import demo_credential
from tests.interop.test_vc_interop import DID, KEY, METHOD, NOW, digital_bazaar
from vc import data_integrity
from vc.did_key import did_key_verification_method_id
from vc.keys import PrivateKey
from vc.ports import DidKeyResolver
from vc.verify import Ports, verify_credential

pytestmark = pytest.mark.usefixtures("reference_stack")

OPERATOR_KEY = PrivateKey.from_ed25519_secret(bytes(range(100, 132)))


def endorsed_credential() -> dict[str, Any]:
    config = TrustConfig("https://passport.test", Keystore(bytes(32)), "National Skills Network")
    credential = demo_credential(DID)
    achievement = credential["credentialSubject"]["achievement"]
    unsigned = build_endorsement(
        config,
        "5d0c3f4e6a634c7e9d6c3f2f3e0f8b11",
        achievement["id"],
        achievement["name"],
        "Meets every criterion.",
        datetime(2026, 11, 1, tzinfo=UTC),
        {
            "id": "https://passport.test/operator/status/l1#7",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": "https://passport.test/operator/status/l1",
        },
    )
    method = did_key_verification_method_id(OPERATOR_KEY.public_key)
    achievement["endorsement"] = [data_integrity.sign(unsigned, OPERATOR_KEY, method, NOW)]
    return data_integrity.sign(credential, KEY, METHOD, NOW)


def test_an_endorsed_credential_verifies_in_digital_bazaar_and_the_endorsement_is_signed_with_it() -> None:
    signed = endorsed_credential()
    assert verify_credential(signed, Ports(resolver=DidKeyResolver()), NOW).proof.state.value == "verified"
    changed = copy.deepcopy(signed)
    endorsement = changed["credentialSubject"]["achievement"]["endorsement"][0]
    endorsement["credentialSubject"]["endorsementComment"] = "Outstanding in every way."
    removed = copy.deepcopy(signed)
    del removed["credentialSubject"]["achievement"]["endorsement"]
    genuine, altered, stripped = digital_bazaar(
        [
            {"action": "verify", "credential": signed},
            {"action": "verify", "credential": changed},
            {"action": "verify", "credential": removed},
        ]
    )
    assert genuine == {"id": "0", "verified": True, "error": ""}
    assert altered["verified"] is False
    assert stripped["verified"] is False
    assert not verify_credential(changed, Ports(resolver=DidKeyResolver()), NOW).verified
