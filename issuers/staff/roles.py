"""Roles of staff and what each may do.

A provider's staff: **admin** (staff, API and signing keys, settings, and everything below), **issuer**
(achievements, issuing, revoking, suspending, reinstating) and **viewer** (reads only). The operator's
staff: **operator_admin** (the operator's staff, and providers' staff) and **assessor** (reviews; reads
the audit trail). A provider's API key acts as its admin, as it always has."""

from __future__ import annotations

from enum import StrEnum

from core.i18n import N_, gettext


class Role(StrEnum):
    ADMIN = "admin"
    ISSUER = "issuer"
    VIEWER = "viewer"
    OPERATOR_ADMIN = "operator_admin"
    ASSESSOR = "assessor"


PROVIDER_ROLES = (Role.ADMIN, Role.ISSUER, Role.VIEWER)
OPERATOR_ROLES = (Role.OPERATOR_ADMIN, Role.ASSESSOR)

#: How much a provider role may do: each includes the ones below it.
_RANK = {Role.VIEWER: 0, Role.ISSUER: 1, Role.ADMIN: 2, Role.ASSESSOR: 0, Role.OPERATOR_ADMIN: 2}

_NAMES = {
    Role.ADMIN: N_("Administrator"),
    Role.ISSUER: N_("Issuer"),
    Role.VIEWER: N_("Viewer"),
    Role.OPERATOR_ADMIN: N_("Operator administrator"),
    Role.ASSESSOR: N_("Assessor"),
}


def allows(role: str, needed: Role) -> bool:
    """Whether `role` may do what `needed` may (within the same kind of staff)."""
    have = Role(role)
    if (have in PROVIDER_ROLES) != (needed in PROVIDER_ROLES):
        return False
    return _RANK[have] >= _RANK[needed]


def role_name(role: str) -> str:
    return gettext(_NAMES[Role(role)])
