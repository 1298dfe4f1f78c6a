"""The exchange-visit credential and the host's co-endorsement.

**Issuer.** The fund is administered by the network operator, so the operator issues: an OB 3.0
AchievementCredential signed with its did:web key (``did:web:<host>:operator``), as it signs pathway
milestones and scheme approvals (`network.pathways.milestones`, `network.approvals`). Its achievement is the
fund's exchange-visit programme, ``achievementType`` ``ext:InternationalSkillsExchange``
(`schemas.vocabulary`, kind ``exchange_visit``).

**Evidence.** The visit and the dissemination the fund's criteria ask for are OB 3.0 §B.1.10 ``Evidence``
entries, told apart by ``genre`` (`VISIT_GENRE`, `REPORT_GENRE`, `SESSION_GENRE`).

**The host.** A host with a DID co-endorses *the credential* (its ``credentialSubject.id`` is the
credential's id), not the achievement: the achievement is the fund's, shared by every award, while the
host vouches for one educator's visit. The host signs its EndorsementCredential before the credential is
issued (the credential's id is known from the award), the operator checks it (`check_host_endorsement`:
proof, the signer is the recorded host DID, it endorses this credential, the 1EdTech endorsement schema)
and embeds it in the credential's ``endorsement``, *inside* the document the operator then signs: removing
or swapping it breaks the operator's proof. A host without a DID (or whose endorsement has not arrived
when the credential is issued) is named by the operator in an ``Evidence`` entry of genre `HOST_GENRE`:
the operator's word that the host hosted, never shown as the host's signature.

**Re-issue.** A host's endorsement that arrives after issue is checked the same way, and the operator
re-issues the credential with it embedded, as OB 3.0 describes re-issuing (its ``awardedDate``: "the
original award date; ``validFrom`` changes when a credential is re-issued"): the same ``id`` (which the
host's endorsement names), the same ``credentialStatus`` entry (revoking revokes every version),
``awardedDate`` the first issue, ``validFrom`` the re-issue, a new proof. Both versions carry
``awardedDate``. The version a learner may already have downloaded keeps verifying: its own proof, the
same id and status entry; it simply names the host unsigned.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from core.i18n import gettext
from issuers import identity
from issuers.signing import credential_problems
from network import operator
from network.trust import TrustConfig
from schemas.models import (
    Achievement,
    AchievementCredential,
    AchievementSubject,
    BitstringStatusListEntry,
    Criteria,
    Evidence,
    IdentityObject,
    Profile,
)
from schemas.vocabulary import ACHIEVEMENT_TYPES, AchievementKind
from vc import data_integrity
from vc.fields import types_of
from vc.ports import DidKeyResolver, Ports
from vc.report import CheckId, Outcome, ValidityState, VerificationReport
from vc.verify import verify_credential

from .models import BursaryAward, BursaryFund

__all__ = [
    "HOST_GENRE",
    "REPORT_GENRE",
    "SESSION_GENRE",
    "VISIT_GENRE",
    "HostEndorsements",
    "build_credential",
    "check_host_endorsement",
    "credential_url",
    "fund_url",
    "sign_credential",
]

VISIT_GENRE = "Exchange visit"
#: The operator names the host; the host did not sign: shown as "named, not signed", never as endorsed.
HOST_GENRE = "Exchange visit host (named by the issuer, not signed by the host)"
REPORT_GENRE = "Dissemination report"
SESSION_GENRE = "Dissemination session"

VerifyDocument = Callable[[Session, Mapping[str, Any], datetime], VerificationReport]


def _did_key_only(session: Session, document: Mapping[str, Any], now: datetime) -> VerificationReport:
    return verify_credential(document, Ports(resolver=DidKeyResolver()), now, endorsements=False)


@dataclass(frozen=True)
class HostEndorsements:
    """How a host's endorsement is verified: the composition root wires the service's `Verifier` (did:web
    hosts through the bounded fetcher, their status lists too); by default did:key hosts only."""

    verify: VerifyDocument = _did_key_only


def fund_url(base_url: str, fund_id: str) -> str:
    return f"{base_url}/bursaries/{fund_id}"


def credential_url(base_url: str, award_id: str) -> str:
    """The credential's id: its public verification page (the award id is a 128-bit capability)."""
    return f"{base_url}/exchange-visits/{award_id}"


def _salt(award_id: str) -> str:
    return hashlib.sha256(f"exchange-visit-salt:{award_id}".encode()).hexdigest()[:16]


def _day(value: date | None) -> str:
    """A day in English words ("5 October 2026"): the credential is read by people too."""
    return f"{value.day} {value:%B %Y}" if value else "?"


def evidence(award: BursaryAward, operator_name: str, *, host_signed: bool) -> list[dict[str, Any]]:
    """The visit, the host (named, unless it signed) and the dissemination, as OB 3.0 Evidence."""
    entries = [
        Evidence(
            name=f"Visit to {award.host_name}, {award.country}",
            narrative=f"{award.focus}, {_day(award.visit_start)} to {_day(award.visit_end)}.",
            genre=VISIT_GENRE,
        )
    ]
    if not host_signed:
        entries.append(
            Evidence(
                name=str(award.host_name),
                narrative=f"Named by {operator_name} as the host of the visit; not an endorsement "
                "signed by the host.",
                genre=HOST_GENRE,
            )
        )
    if award.report_url or award.report_summary:
        entries.append(
            Evidence(
                id=award.report_url or None,
                name="Report on the visit",
                narrative=award.report_summary or None,
                genre=REPORT_GENRE,
            )
        )
    if award.session_date is not None:
        audience = f"{award.session_audience or 0} peers"
        entries.append(
            Evidence(
                name=award.session_title or "Session delivered to peers",
                narrative=f"Delivered on {_day(award.session_date)} to {audience}.",
                audience=audience,
                genre=SESSION_GENRE,
            )
        )
    return [entry.to_json() for entry in entries]


def build_credential(
    config: TrustConfig,
    fund: BursaryFund,
    award: BursaryAward,
    now: datetime,
    credential_status: dict[str, Any] | None = None,
    *,
    awarded: datetime | None = None,
) -> dict[str, Any]:
    """The unsigned exchange-visit credential (with the host's endorsement embedded, when there is one,
    and its revocation entry on the operator's status list), valid from `now`. ``awardedDate`` is
    `awarded`, the first issue (`now` when this is it): a re-issue keeps it."""
    url = fund_url(config.base_url, fund.id)
    endorsement = json.loads(award.host_endorsement) if award.host_endorsement else None
    credential = AchievementCredential(
        id=credential_url(config.base_url, award.id),
        name=f"International skills-exchange visit: {fund.name}",
        issuer=Profile(
            id=operator.operator_did(config.base_url), name=config.operator_name, url=config.base_url
        ),
        awarded_date=(awarded or now).replace(microsecond=0),
        valid_from=now.replace(microsecond=0),
        credential_subject=AchievementSubject(
            identifier=[IdentityObject.hashed_email(award.educator_email, _salt(award.id))],
            achievement=Achievement(
                id=url,
                achievement_type=ACHIEVEMENT_TYPES[AchievementKind.EXCHANGE_VISIT],
                name=f"International skills-exchange visit ({fund.name})",
                description=f"A bursary-funded international skills-exchange visit, funded by {fund.funder}, "
                "with what was learnt shared with peers afterwards.",
                criteria=Criteria(id=url, narrative=fund.criteria),
                tag=["International skills exchange", fund.funder],
            ),
        ),
        endorsement=[endorsement] if endorsement else [],
        credential_status=BitstringStatusListEntry.model_validate(credential_status)
        if credential_status is not None
        else None,
    ).to_json()
    credential["evidence"] = evidence(award, config.operator_name, host_signed=endorsement is not None)
    return credential


def sign_credential(session: Session, config: TrustConfig, unsigned: dict[str, Any], now: datetime) -> str:
    """Check the credential against OB 3.0 and sign it with the operator's key: the JSON text stored."""
    problems = credential_problems(unsigned)
    if problems:  # our own making: a bug, never the operator's input
        raise ValueError(f"the exchange-visit credential is not valid OB 3.0: {problems}")
    key = operator.operator_key(session, config, now)
    did = operator.operator_did(config.base_url)
    signed = data_integrity.sign(
        unsigned,
        config.keystore.open(key.encrypted_private_key, key.id),
        identity.verification_method_id(did, key),
        now,
    )
    return json.dumps(signed)


def check_host_endorsement(report: VerificationReport, host_did: str, credential_id: str) -> list[str]:
    """Why the host's EndorsementCredential (verified as `report`) cannot be embedded; empty when it can:
    a genuine EndorsementCredential (proof, key bound to its issuer, 1EdTech schema, valid now, not revoked)
    signed by `host_did`, endorsing `credential_id`."""
    document = report.credential or {}
    outcomes = {check.id: check.outcome for check in report.checks}
    problems = []
    if "EndorsementCredential" not in types_of(document):
        problems.append(gettext("It is not an EndorsementCredential."))
    for check_id in (CheckId.WELL_FORMED, CheckId.SCHEMA):
        if outcomes.get(check_id) is Outcome.FAILED:
            failed = report.check(check_id)
            problems.append(failed.message if failed else check_id.value)
    if outcomes.get(CheckId.PROOF) is not Outcome.PASSED:
        problems.append(gettext("Its signature does not verify."))
    elif outcomes.get(CheckId.ISSUER_KEY_BINDING) is not Outcome.PASSED:
        problems.append(gettext("It is not signed with a key of its issuer."))
    if report.issuer_id != host_did:
        problems.append(
            gettext(
                "It is signed by %(signer)s, not by the host's recorded DID %(did)s.",
                signer=str(report.issuer_id)[:200],
                did=host_did,
            )
        )
    subject = document.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, Mapping) else None
    if subject_id != credential_id:
        problems.append(gettext("It must endorse this visit's credential, %(id)s.", id=credential_id))
    if report.validity.state in (ValidityState.EXPIRED, ValidityState.NOT_YET_VALID):
        problems.append(gettext("It is not valid now."))
    if outcomes.get(CheckId.STATUS) is Outcome.FAILED:
        problems.append(gettext("Its issuer has revoked or suspended it, or its status cannot be read."))
    return problems
