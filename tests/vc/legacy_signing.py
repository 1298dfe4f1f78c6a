"""Test-only signer for Ed25519Signature2020: the product verifies this legacy suite but never issues it.

Built from the suite's own `hash_inputs`, so a round trip checks verification against the same steps the
W3C vector pins down byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vc import ed25519_signature_2020 as ed2020
from vc.keys import PrivateKey, multibase_encode_base58btc


def sign_2020(
    unsigned: Mapping[str, Any],
    key: PrivateKey,
    verification_method: str,
    *,
    created: str = "2022-11-16T18:54:22Z",
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    options = {
        "type": ed2020.PROOF_TYPE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = key.sign(ed2020.hash_inputs(unsigned, options).hash_data)
    return {**unsigned, "proof": {**options, "proofValue": multibase_encode_base58btc(signature)}}
