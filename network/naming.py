"""Which name an issuer is shown by, and who vouches for it: one rule for every page and API answer.

A credential's ``issuer.name`` is the credential's own claim: anybody can sign a credential that calls
itself after an accredited college. So a name is shown as confirmed only when it comes from

* ``registry``: the network operator's register (an accreditation's name and logo, or the operator
  itself), as the trust check of the verification report gives it (`vc.verify`, ``issuer_trust``), or
* ``provider``: the provider table, for a credential proven to be signed by one of this service's own
  providers (its key bound to the provider's did:web DID), or issued by one (the passport's own rows);

otherwise it is ``self_asserted``, and every page says so ("Names itself … — not confirmed").

Names are never taken from a resolved DID document: DID Core defines no name property (``alsoKnownAs``
is the DID subject's own claim, unverified). What resolving a did:web key does prove is the web
domain that published it, so a self-asserted name is shown with that domain; a did:key issuer is a
key nobody published. A credential whose proof fails is shown with no name at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from core.i18n import N_, gettext
from core.problems import NotFound
from issuers import identity
from issuers import service as issuers_service
from vc.report import CheckId, Outcome, ProofState, VerificationReport

__all__ = ["IssuerName", "NameSource", "ProviderRecord", "issuer_name", "own_provider"]

_ID_LIMIT = 2000
_NAME_LIMIT = 500


class NameSource(StrEnum):
    REGISTRY = "registry"  # the operator's register of accreditations (or the operator itself)
    PROVIDER = "provider"  # this service's provider table
    SELF_ASSERTED = "self_asserted"  # the credential's own issuer.name: not confirmed


@dataclass(frozen=True)
class ProviderRecord:
    """What the service knows about one of its own providers (never read from a credential)."""

    name: str
    logo_url: str | None = None
    url: str | None = None


#: The words pages use (one place, so they can be translated together).
# Translated where shown (`IssuerName.shown`).
UNCONFIRMED = N_("Names itself \u201c%(name)s\u201d \u2014 not confirmed")
PUBLISHED_BY = N_("its key is published by %(domain)s")
UNPUBLISHED_KEY = N_("signed with a key no organisation has published")
UNNAMED = N_("Not confirmed")


@dataclass(frozen=True)
class IssuerName:
    """An issuer as pages show it. ``logo_url`` only ever comes from the registry or the provider table;
    ``domain`` (the web domain that published the issuer's key: did:web, https) and ``unpublished_key``
    (a did:key issuer: a bare key) are set only once the key is proven to be the issuer's."""

    id: str | None
    name: str | None
    source: NameSource | None  # None: no name at all
    logo_url: str | None = None
    domain: str | None = None
    unpublished_key: bool = False

    @property
    def confirmed(self) -> bool:
        return self.source in (NameSource.REGISTRY, NameSource.PROVIDER)

    @property
    def shown(self) -> str:
        """The name as a page states it: a confirmed name as it is, any other with what is (not) known."""
        if self.confirmed and self.name:
            return self.name
        words = gettext(UNCONFIRMED, name=self.name) if self.name else gettext(UNNAMED)
        if self.domain:
            words += "; " + gettext(PUBLISHED_BY, domain=self.domain)
        elif self.unpublished_key:
            words += "; " + gettext(UNPUBLISHED_KEY)
        return words

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "name_source": self.source.value if self.source else None,
            "logo_url": self.logo_url,
        }


def issuer_name(report: VerificationReport, provider: ProviderRecord | None = None) -> IssuerName:
    """The issuer of the credential `report` is about. `provider` is the provider record when the
    caller knows the credential is one of ours (`own_provider`, or its own stored row)."""
    issuer = report.issuer_id[:_ID_LIMIT] if report.issuer_id else None
    trust = report.check(CheckId.ISSUER_TRUST)
    details = trust.details if trust is not None else {}
    registered = details.get("issuerName")
    if isinstance(registered, str) and registered:
        logo = details.get("issuerLogo")
        return IssuerName(issuer, registered, NameSource.REGISTRY, logo if isinstance(logo, str) else None)
    if provider is not None:
        return IssuerName(issuer, provider.name, NameSource.PROVIDER, provider.logo_url)
    if report.proof.state is not ProofState.VERIFIED:
        return IssuerName(issuer, None, None)  # a forgery's words are not worth repeating
    name = self_asserted_name(report.credential or {})
    binding = report.check(CheckId.ISSUER_KEY_BINDING)
    bound = binding is not None and binding.outcome is Outcome.PASSED
    return IssuerName(
        issuer,
        name,
        NameSource.SELF_ASSERTED if name else None,
        domain=publishing_domain(issuer) if bound else None,
        unpublished_key=bound and (issuer or "").startswith("did:key:"),
    )


def self_asserted_name(credential: Mapping[str, Any]) -> str | None:
    """The credential's own ``issuer.name`` (OB 3.0 Profile), if it gives one: never a confirmed name."""
    issuer = credential.get("issuer")
    name = issuer.get("name") if isinstance(issuer, Mapping) else None
    return (" ".join(name.split())[:_NAME_LIMIT] or None) if isinstance(name, str) else None


def publishing_domain(issuer: str | None) -> str | None:
    """The host a did:web DID (did:web §3.2) or an https issuer id resolves to."""
    if issuer is None:
        return None
    if issuer.startswith("did:web:"):
        host = unquote(issuer.removeprefix("did:web:").split(":")[0])
        return host.rsplit(":", 1)[0] if ":" in host else host or None
    if issuer.startswith("https://"):
        return urlsplit(issuer).hostname
    return None


def own_provider(session: Session, base_url: str, report: VerificationReport) -> ProviderRecord | None:
    """The provider record when the credential is proven to be signed by one of this service's providers:
    the proof verified with a key bound to the provider's did:web DID (never a name a credential claims)."""
    binding = report.check(CheckId.ISSUER_KEY_BINDING)
    if report.issuer_id is None or binding is None or binding.outcome is not Outcome.PASSED:
        return None
    prefix = identity.issuer_did(base_url, "")
    if not report.issuer_id.startswith(prefix):
        return None
    try:
        provider = issuers_service.get_issuer(session, report.issuer_id[len(prefix) :][:32])
    except NotFound:
        return None
    return ProviderRecord(provider.name, provider.logo_url, provider.url)
