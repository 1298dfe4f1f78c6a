"""The exchange-visit credential across stacks: built exactly as `network.bursaries` builds it (the visit and
its dissemination as OB 3.0 Evidence, the host's signed EndorsementCredential embedded in the credential's
``endorsement``), signed here, verifies in Digital Bazaar's `vc`; removing or changing the host's
endorsement after signing fails there too. The issuer is a did:key here: the peer resolves no did:web."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from core.keystore import Keystore
from network.bursaries.credential import build_credential, credential_url
from network.bursaries.models import BursaryAward, BursaryFund
from network.trust import TrustConfig
from tests.interop.test_vc_interop import DID, KEY, METHOD, NOW, digital_bazaar
from tests.network.bursaries_helpers import Host
from vc import data_integrity
from vc.ports import DidKeyResolver
from vc.verify import Ports, verify_credential

pytestmark = pytest.mark.usefixtures("reference_stack")

BASE_URL = "https://passport.test"


CONFIG = TrustConfig(BASE_URL, Keystore(bytes(32)), "National Skills Network")


def _fund_and_award() -> tuple[BursaryFund, BursaryAward]:
    fund = BursaryFund(
        id="f" * 32,
        name="Exchange Fund",
        funder="Foundation",
        amount_minor=1,
        currency="GBP",
        criteria="A report and a session afterwards.",
        requires_report=True,
        requires_session=True,
    )
    award = BursaryAward(
        id="a" * 32,
        fund_id=fund.id,
        educator_name="Ada",
        educator_email="ada@college.example",
        provider_id="p",
        amount_minor=1,
        state="dissemination_recorded",
        host_name="Berufsschule Stuttgart",
        country="Germany",
        visit_start=date(2026, 9, 14),
        visit_end=date(2026, 9, 20),
        focus="WorldSkills national final abroad",
        report_url="https://college.example.ac.uk/report",
        report_summary="What we saw.",
        session_date=date(2026, 10, 5),
        session_audience=24,
        session_title="Lessons",
    )
    return fund, award


def _signed(unsigned: dict[str, Any]) -> dict[str, Any]:
    unsigned["issuer"] = {"id": DID, "type": ["Profile"], "name": "National Skills Network"}
    return data_integrity.sign(unsigned, KEY, METHOD, NOW)


def exchange_visit_credential() -> dict[str, Any]:
    fund, award = _fund_and_award()
    host = Host()
    award.host_did = host.did
    award.host_endorsement = json.dumps(host.endorse(credential_url(BASE_URL, award.id)))
    return _signed(build_credential(CONFIG, fund, award, datetime(2026, 11, 2, tzinfo=UTC)))


def test_the_exchange_visit_credential_verifies_in_digital_bazaar_with_its_host_endorsement() -> None:
    signed = exchange_visit_credential()
    report = verify_credential(signed, Ports(resolver=DidKeyResolver()), NOW)
    assert report.proof.state.value == "verified"
    assert [e.state.value for e in report.endorsements] == ["verified"]
    changed = copy.deepcopy(signed)
    changed["endorsement"][0]["credentialSubject"]["endorsementComment"] = "Changed."
    removed = copy.deepcopy(signed)
    del removed["endorsement"]
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
    [embedded] = digital_bazaar([{"action": "verify", "credential": signed["endorsement"][0]}])
    assert embedded["verified"] is True  # the host's own endorsement verifies there on its own


def test_a_reissued_exchange_visit_credential_and_its_first_version_both_verify_in_digital_bazaar() -> None:
    """The host's endorsement arrived after issue: the credential re-issued with it (as
    `network.bursaries.service.reissue` builds it: same id, ``awardedDate`` the first issue, ``validFrom``
    later) verifies there with its endorsement, and so does the version issued first, without it."""
    fund, award = _fund_and_award()
    host = Host()
    award.host_did = host.did
    first_issue = datetime(2026, 11, 2, tzinfo=UTC)
    first = _signed(build_credential(CONFIG, fund, award, first_issue))
    award.host_endorsement = json.dumps(host.endorse(credential_url(BASE_URL, award.id)))
    reissued = _signed(
        build_credential(CONFIG, fund, award, datetime(2026, 11, 20, tzinfo=UTC), awarded=first_issue)
    )
    assert reissued["id"] == first["id"]
    assert reissued["awardedDate"] == first["awardedDate"] == "2026-11-02T00:00:00Z"
    assert reissued["validFrom"] == "2026-11-20T00:00:00Z"
    assert "endorsement" not in first
    report = verify_credential(reissued, Ports(resolver=DidKeyResolver()), NOW)
    assert [e.state.value for e in report.endorsements] == ["verified"]
    new, old = digital_bazaar(
        [{"action": "verify", "credential": reissued}, {"action": "verify", "credential": first}]
    )
    assert new == {"id": "0", "verified": True, "error": ""}
    assert old == {"id": "1", "verified": True, "error": ""}
