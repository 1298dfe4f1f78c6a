"""eddsa-rdfc-2022 across stacks: a credential we sign verifies in Digital Bazaar's `vc` library, and one
it signs verifies here; a change after signing fails on both sides. Both sides load documents offline
(our bundled contexts; did:key documents made from the key itself: tests/interop/node/vc.mjs)."""

from __future__ import annotations

import copy
import json
import subprocess
from datetime import UTC, datetime
from typing import Any

import pytest

from server.demo import demo_credential
from tests.interop.differential import CONTEXTS, NODE_PROJECT
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.keys import PrivateKey
from vc.ports import DidKeyResolver
from vc.verify import Ports, verify_credential

pytestmark = pytest.mark.usefixtures("reference_stack")

KEY = PrivateKey.from_ed25519_secret(bytes(range(40, 72)))
DID = did_key_for(KEY.public_key)
METHOD = did_key_verification_method_id(KEY.public_key)
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def digital_bazaar(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    lines = "".join(
        json.dumps({"id": str(index), **request}) + "\n" for index, request in enumerate(requests)
    )
    completed = subprocess.run(
        ["node", str(NODE_PROJECT / "vc.mjs"), str(CONTEXTS)],
        input=lines.encode("utf-8"),
        capture_output=True,
        check=True,
        timeout=120,
    )
    return [json.loads(line) for line in completed.stdout.decode("utf-8").split("\n") if line]


def _tampered(credential: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Something else"
    return changed


def test_a_credential_we_sign_verifies_in_digital_bazaars_vc() -> None:
    signed = data_integrity.sign(demo_credential(DID), KEY, METHOD, NOW)
    genuine, tampered = digital_bazaar(
        [{"action": "verify", "credential": signed}, {"action": "verify", "credential": _tampered(signed)}]
    )
    assert genuine == {"id": "0", "verified": True, "error": ""}
    assert tampered["verified"] is False


def test_a_credential_digital_bazaar_signs_verifies_here() -> None:
    key = {
        "id": METHOD,
        "controller": DID,
        "publicKeyMultibase": KEY.public_key.to_multibase(),
        "secretKeyMultibase": KEY.to_multibase(),
    }
    (answer,) = digital_bazaar([{"action": "sign", "credential": demo_credential(DID), "key": key}])
    signed = answer["signed"]
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    report = verify_credential(signed, Ports(resolver=DidKeyResolver()), NOW)
    assert report.verified, [(check.id, check.message) for check in report.checks]
    assert not verify_credential(_tampered(signed), Ports(resolver=DidKeyResolver()), NOW).verified
