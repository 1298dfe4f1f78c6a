"""Tables of the network operator's scheme: the trust registry, the communities of practice and the scheme
approvals (with the operator's status list). Other domains use `network.trust`, `network.operator`,
`network.communities` and `network.approvals`, never these tables directly.

An accreditation names its issuer by the issuer id credentials carry (a DID or an https URL), not by a
foreign key: the network operator can accredit providers that issue elsewhere too. Every change appends
an `AccreditationEvent`; `TrustRegistryState` is one row whose ``version`` goes up with each change and
which every change locks first, so changes are serialised and the trust list's version is monotonic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, new_id


class Accreditation(Base):
    __tablename__ = "accreditation"
    __table_args__ = (
        # At most one accreditation per issuer that is not withdrawn (a withdrawn one stays, as history).
        Index(
            "uq_accreditation_current_issuer",
            "issuer_id",
            unique=True,
            sqlite_where=text("state != 'withdrawn'"),
            postgresql_where=text("state != 'withdrawn'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The issuer id as credentials carry it: a DID or an https URL.
    issuer_id: Mapped[str] = mapped_column(String(500), index=True)
    #: Shown on pages and in the trust list: the registry's word, never the credential's.
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    logo_url: Mapped[str | None] = mapped_column(String(500))
    #: Empty lists mean "any". Kinds are schemas.vocabulary.AchievementKind values; levels e.g. "RQF 3".
    sectors: Mapped[list[str]] = mapped_column(JSON)
    levels: Mapped[list[str]] = mapped_column(JSON)
    kinds: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16))  # active | suspended | withdrawn
    #: Why it is suspended or withdrawn (the latest reason; the history keeps all of them).
    state_reason: Mapped[str | None] = mapped_column(Text)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    events: Mapped[list[AccreditationEvent]] = relationship(back_populates="accreditation", lazy="raise")


class AccreditationEvent(Base):
    """Append-only history: what happened to an accreditation, when, by whom and why."""

    __tablename__ = "accreditation_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    accreditation_id: Mapped[str] = mapped_column(
        ForeignKey("accreditation.id", ondelete="CASCADE"), index=True
    )
    #: accredited | scope_changed | period_changed | details_changed | suspended | reinstated | withdrawn
    event: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    #: What changed: {"field": {"from": ..., "to": ...}} (the whole entry for "accredited").
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The registry version this change produced.
    registry_version: Mapped[int] = mapped_column(Integer)

    accreditation: Mapped[Accreditation] = relationship(back_populates="events", lazy="raise")


class TrustRegistryState(Base):
    """The single row (id 1) holding the registry version and the last signed trust list (a cache)."""

    __tablename__ = "trust_registry_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signed_document: Mapped[str | None] = mapped_column(Text)
    signed_version: Mapped[int | None] = mapped_column(Integer)
    signed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OperatorKey(Base):
    """The network operator's signing keys (Ed25519, for the trust list), private half encrypted at rest
    like a provider's; retired keys stay in the operator's DID document."""

    __tablename__ = "operator_key"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_type: Mapped[str] = mapped_column(String(16))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Community(Base):
    """A community of practice of the network (Digital, Net Zero, ...), as the operator lists it."""

    __tablename__ = "community"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What the network runs (`network.communities.service`): a community listed before these (0016) has
    # no sector, an empty description, the operator as owner and no participation rule.
    sector: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Who issues its participation credentials: None for the network operator, else a coordinator provider.
    owner_provider_id: Mapped[str | None] = mapped_column(ForeignKey("issuer.id"))
    #: The owner provider's community_of_practice achievement its participation credentials are for.
    achievement_id: Mapped[str | None] = mapped_column(ForeignKey("achievement.id"))
    #: `network.communities.rules.dump` of the participation rule; None: no credential is issued yet.
    rule: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SchemeApproval(Base):
    """A provider's achievement submitted for approval under the network's scheme (`network.approvals`).

    ``pending`` -> ``approved`` | ``refused``; ``approved`` -> ``withdrawn`` (its endorsement revoked on the
    operator's status list). An achievement has at most one submission that is pending or approved; a
    refused or withdrawn one stays, as history, and the achievement may be submitted again.
    """

    __tablename__ = "scheme_approval"
    __table_args__ = (
        Index(
            "uq_scheme_approval_open_achievement",
            "achievement_id",
            unique=True,
            sqlite_where=text("state IN ('pending', 'approved')"),
            postgresql_where=text("state IN ('pending', 'approved')"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"), index=True)
    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievement.id", ondelete="CASCADE"), index=True)
    #: pending | approved | refused | withdrawn
    state: Mapped[str] = mapped_column(String(16))
    #: The provider's statement of how the achievement's quality is assured.
    quality_statement: Mapped[str] = mapped_column(Text)
    #: The scheme's criteria as assessed when submitted: {criterion: {"met": bool, "value": ...}}.
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Who decided (the operator, or an assessor it appointed), as "kind:id".
    decided_by: Mapped[str | None] = mapped_column(String(200))
    #: Approval: the reviewer's comment; refusal: the reasons, [{"criterion": ..., "reason": ...}].
    comment: Mapped[str | None] = mapped_column(Text)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: The signed EndorsementCredential (JSON text), published at /approvals/{id}.
    endorsement: Mapped[str | None] = mapped_column(Text)
    status_list_id: Mapped[str | None] = mapped_column(ForeignKey("operator_status_list.id"))
    status_index: Mapped[int | None] = mapped_column(Integer)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)


class OperatorStatusList(Base):
    """A Bitstring Status List (revocation) of the operator's own credentials: the approvals'
    endorsements. Indexes are drawn at random like the providers' (`issuers.status`)."""

    __tablename__ = "operator_status_list"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    length: Mapped[int] = mapped_column(Integer)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signed_document: Mapped[str | None] = mapped_column(Text)
    signed_version: Mapped[int | None] = mapped_column(Integer)
    #: None: the approvals' list; ``milestone``: the list of the operator's milestone credentials.
    holder: Mapped[str | None] = mapped_column(String(16))


class ApprovalAssignment(Base):
    """Which assessor a submission is assigned to (`network.assignments`): at most one at a time; the
    assessor sees and decides only the submissions assigned to them."""

    __tablename__ = "approval_assignment"

    approval_id: Mapped[str] = mapped_column(
        ForeignKey("scheme_approval.id", ondelete="CASCADE"), primary_key=True
    )
    #: An operator staff member with the assessor role (`issuers.staff.accounts`).
    assessor_id: Mapped[str] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Who assigned it, as the audit trail names actors ("staff:<id>" or "operator").
    assigned_by: Mapped[str] = mapped_column(String(200))
