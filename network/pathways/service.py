"""Pathways as the network keeps them: versioned definitions checked before they are stored, who offers
each step, and a learner's progress.

Definitions are checked by `rules.parse` (a rule that can never be met, a cycle, ...) and here for what
only the database knows (an achievement no provider has): either is a 422 naming every problem, and
nothing is written. A change of steps adds a version; a learner's completion keeps the version completed.
A learner's credentials come from the passport as `Held` (the passport -> network edge): this module
never reads the passport's tables.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from core.i18n import gettext
from core.problems import NotFound, ValidationFailed
from issuers import catalogue
from issuers import service as issuers_service
from issuers.catalogue import Offered
from issuers.staff import audit
from network import trust
from network.trust_policy import RegistryEntry, decide
from vc.report import Trust

from . import rules
from .api_models import PathwayCreate, PathwayUpdate, StepIn
from .models import Pathway, PathwayCompletion, PathwayVersion

#: The owner of pathways the network operator defines; its did:web key signs their milestones.
OPERATOR_OWNER = "operator"


def pathway_url(base_url: str, pathway_id: str) -> str:
    return f"{base_url}/pathways/{pathway_id}"


def owner_name(session: Session, config: trust.TrustConfig, pathway: Pathway) -> str:
    """Who runs the pathway, as people know them: the owning partnership's name, or the network
    operator's for the operator's own pathways."""
    if pathway.owner == OPERATOR_OWNER:
        return config.operator_name
    return issuers_service.get_issuer(session, pathway.owner).name


# --- definitions --------------------------------------------------------------------------------------------


def _checked(session: Session, base_url: str, steps: Sequence[StepIn]) -> rules.Definition:
    raw = {"steps": [step.model_dump(exclude_none=True) for step in steps]}
    problem = gettext("The pathway could never be completed as defined: see errors.")
    try:
        definition = rules.parse(raw)
    except rules.DefinitionError as error:
        raise ValidationFailed(problem, [issue.as_error() for issue in error.issues]) from None
    known = {
        offer.achievement_id for offer in catalogue.offered(session, base_url, definition.achievements())
    }
    unknown = [
        rules.Issue(
            ("steps", s, "options", o, "achievement"),
            "unknown_achievement",
            f"no provider has the achievement {option.achievement!r}",
        ).as_error()
        for s, step in enumerate(definition.steps)
        for o, option in enumerate(step.options)
        if option.achievement is not None and option.achievement not in known
    ]
    if unknown:
        raise ValidationFailed(problem, unknown)
    return definition


def _add_version(session: Session, pathway: Pathway, definition: rules.Definition, now: datetime) -> None:
    session.add(
        PathwayVersion(
            pathway_id=pathway.id,
            version=pathway.current_version,
            title=pathway.title,
            definition=rules.dump(definition),
            created_at=now,
        )
    )


def create(
    session: Session, base_url: str, body: PathwayCreate, now: datetime, owner: str = OPERATOR_OWNER
) -> Pathway:
    definition = _checked(session, base_url, body.steps)
    pathway = Pathway(
        owner=owner,
        title=body.title,
        description=body.description,
        region=body.region,
        sector=body.sector,
        current_version=1,
        state=body.state,
        created_at=now,
        updated_at=now,
    )
    session.add(pathway)
    session.flush()
    _add_version(session, pathway, definition, now)
    session.flush()
    after = {"title": pathway.title, "state": pathway.state}
    audit.record(
        session, "pathway.create", "pathway", pathway.id, now, provider_id=audit_owner(pathway), after=after
    )
    return pathway


def audit_owner(pathway: Pathway) -> str | None:
    """Whose audit trail a change of the pathway goes in: its partnership's, or the network's own."""
    return None if pathway.owner == OPERATOR_OWNER else pathway.owner


def update(
    session: Session,
    base_url: str,
    pathway_id: str,
    body: PathwayUpdate,
    now: datetime,
    owner: str | None = None,
) -> Pathway:
    """Change what was sent (of ``owner``'s pathway, when given). New steps or a new title make a new
    version."""
    pathway = get_owned(session, pathway_id, owner)
    sent = body.model_fields_set
    definition = _checked(session, base_url, body.steps) if body.steps is not None else None
    for name in ("description", "region", "sector", "state"):
        if name in sent and (name in ("region", "sector") or getattr(body, name) is not None):
            setattr(pathway, name, getattr(body, name))
    if pathway.region is None and pathway.sector is None:
        raise ValidationFailed(
            gettext("The request is not valid: see errors."),
            [{"loc": ["body", "region"], "msg": "a pathway names a region or a sector (or both)"}],
        )
    retitled = body.title is not None and body.title != pathway.title
    if definition is not None or retitled:
        if body.title is not None:
            pathway.title = body.title
        if definition is None:
            definition = definition_of(session, pathway.id, pathway.current_version)
        pathway.current_version += 1
        _add_version(session, pathway, definition, now)
    pathway.updated_at = now
    session.flush()
    after = {"fields": sorted(sent), "version": pathway.current_version}
    audit.record(
        session, "pathway.update", "pathway", pathway.id, now, provider_id=audit_owner(pathway), after=after
    )
    return pathway


def get(session: Session, pathway_id: str, *, public: bool = False) -> Pathway:
    pathway = session.get(Pathway, pathway_id) if len(pathway_id) <= 32 else None
    if pathway is None or (public and pathway.state != "published"):
        raise NotFound(gettext("no pathway %(id)r", id=pathway_id[:40]))
    return pathway


def get_owned(session: Session, pathway_id: str, owner: str | None) -> Pathway:
    """A pathway of ``owner`` (any, for None: the operator's staff); another owner's is "not found",
    whether or not it exists."""
    pathway = get(session, pathway_id)
    if owner is not None and pathway.owner != owner:
        raise NotFound(gettext("no pathway %(id)r", id=pathway_id[:40]))
    return pathway


def list_pathways(session: Session, *, public: bool = False, owner: str | None = None) -> list[Pathway]:
    query = select(Pathway).order_by(Pathway.title, Pathway.id)
    if public:
        query = query.where(Pathway.state == "published")
    if owner is not None:
        query = query.where(Pathway.owner == owner)
    return list(session.scalars(query))


def versions(session: Session, pathway_id: str) -> list[PathwayVersion]:
    return list(
        session.scalars(
            select(PathwayVersion)
            .where(PathwayVersion.pathway_id == pathway_id)
            .order_by(PathwayVersion.version)
        )
    )


@lru_cache(maxsize=4096)
def _parsed(text: str) -> rules.Definition:
    return rules.parse(json.loads(text))


def parsed(raw: Mapping[str, Any]) -> rules.Definition:
    """A stored definition (valid when stored), parsed once per process: versions never change."""
    return _parsed(json.dumps(raw, sort_keys=True))


def definition_of(session: Session, pathway_id: str, version: int) -> rules.Definition:
    row = session.get(PathwayVersion, (pathway_id, version))
    if row is None:
        raise NotFound(gettext("no version %(version)s of pathway %(id)r", version=version, id=pathway_id))
    return parsed(row.definition)


# --- accreditation and who offers what ----------------------------------------------------------------------


def registry_entries(session: Session) -> dict[str, list[RegistryEntry]]:
    entries: dict[str, list[RegistryEntry]] = defaultdict(list)
    for row in trust.list_accreditations(session):
        entries[row.issuer_id].append(trust.entry_of(row))
    return entries


def _accredited(
    entries: Mapping[str, list[RegistryEntry]], issuer: str, credential: Mapping[str, Any], now: datetime
) -> bool:
    found = entries.get(issuer)
    if not found:
        return False
    return decide(found, issuer, credential, now, "").trust is Trust.ACCREDITED


def _achievement_facts(achievement: Mapping[str, Any]) -> dict[str, Any]:
    alignments = [a for a in achievement.get("alignment") or [] if isinstance(a, Mapping)]
    sector = achievement.get("fieldOfStudy")
    credits = achievement.get("creditsAvailable")
    return {
        "name": str(achievement.get("name") or ""),
        "level": rules.level_of(alignments),
        "sector": sector if isinstance(sector, str) else None,
        "credits": float(credits) if isinstance(credits, int | float) else 0.0,
        "codes": rules.codes_of(alignments),
    }


@dataclass(frozen=True)
class Catalogue:
    """Every achievement of this service's providers, as rules see it: who offers each option."""

    offers: Sequence[tuple[Offered, rules.Facts]]

    def for_option(self, option: rules.Option) -> list[Offered]:
        if option.achievement is not None:
            return [offer for offer, _ in self.offers if offer.achievement_id == option.achievement]
        assert option.rule is not None
        return [offer for offer, facts in self.offers if option.rule.matches(facts)]


def catalogue_of(session: Session, config: trust.TrustConfig, now: datetime) -> Catalogue:
    entries = registry_entries(session)
    offers = []
    for offer in catalogue.offered(session, config.base_url):
        credential = {"credentialSubject": {"achievement": offer.achievement}}
        facts = rules.Facts(
            id=offer.achievement_id,
            digest="",
            url="",
            issuer=offer.provider_did,
            issued_at=now,
            accredited=_accredited(entries, offer.provider_did, credential, now),
            achievement=offer.achievement_id,
            **_achievement_facts(offer.achievement),
        )
        offers.append((offer, facts))
    return Catalogue(offers)


def describe(option: rules.Option, names: Mapping[str, str]) -> str:
    """An option in words: the achievement's name, or the rule's conditions."""
    if option.achievement is not None:
        return names.get(option.achievement, option.achievement)
    rule = option.rule
    assert rule is not None
    parts = []
    if rule.code is not None:
        code = f"{rule.framework} {rule.code}" if rule.framework else rule.code
        parts.append(gettext("aligned to %(code)s", code=code))
    if rule.min_level is not None:
        level = f"{rule.min_level[0]} {'Entry' if rule.min_level[1] == 0 else rule.min_level[1]}"
        parts.append(gettext("at %(level)s or above", level=level))
    if rule.sector is not None:
        parts.append(gettext("in %(sector)s", sector=rule.sector))
    if rule.min_credits is not None:
        credits = f"{rule.min_credits:g}"
        parts.append(gettext("%(credits)s credits in all", credits=credits))
    return gettext("From an accredited provider: %(conditions)s", conditions=", ".join(parts))


# --- a learner's progress -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """A credential in a learner's passport, as the passport hands it over."""

    id: str  #: its id in the passport
    text: str  #: exactly as stored (JSON text or the compact VC-JWT): what its digest is of
    issued_at: datetime

    @property
    def credential(self) -> Mapping[str, Any]:
        """The credential itself (a VC-JWT's payload), read without checks: the passport verified it."""
        return _decoded(self.text)


def _decoded(text: str) -> Mapping[str, Any]:
    try:
        if text.lstrip().startswith("{"):
            parsed = orjson.loads(text)
        else:
            part = text.split(".")[1]
            parsed = orjson.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
            if isinstance(parsed, dict) and "credentialSubject" not in parsed:
                parsed = parsed.get("vc")  # a VC 1.1 VC-JWT
    except (IndexError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


@lru_cache(maxsize=8192)
def _facts(
    held_id: str, text: str, issued_at: datetime, base_url: str
) -> tuple[rules.Facts, Mapping[str, Any], Mapping[str, Any]]:
    """What rules see of a credential (``accredited`` still False), the credential and its achievement.
    Kept per process: a stored credential never changes (its accreditation does: decided per request)."""
    credential = _decoded(text)
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    achievement = achievement if isinstance(achievement, Mapping) else {}
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    issuer_id = issuer_id if isinstance(issuer_id, str) else ""
    achievement_url = achievement.get("id")
    prefix = f"{base_url}/achievements/"
    own = isinstance(achievement_url, str) and achievement_url.startswith(prefix)
    facts = rules.Facts(
        id=held_id,
        digest=hashlib.sha256(text.encode()).hexdigest(),
        url=str(credential.get("id") or held_id),
        issuer=issuer_id,
        issued_at=issued_at,
        accredited=False,
        achievement=achievement_url.removeprefix(prefix) if own else None,  # type: ignore[union-attr]
        **_achievement_facts(achievement),
    )
    return facts, credential, achievement


def learner_index(session: Session, base_url: str, held: Iterable[Held], now: datetime) -> rules.FactIndex:
    """The learner's credentials as rules see them, each issuer's accreditation decided now: once per
    issuer and achievement (the credentials of one achievement share its scope)."""
    entries = registry_entries(session)
    decisions: dict[tuple[str, str], bool] = {}
    found = []
    for item in held:
        facts, credential, achievement = _facts(item.id, item.text, item.issued_at, base_url)
        key = (facts.issuer, str(achievement.get("id") or item.id))
        if key not in decisions:
            decisions[key] = _accredited(entries, facts.issuer, credential, now)
        found.append(replace(facts, accredited=True) if decisions[key] else facts)
    return rules.FactIndex(found)


@dataclass(frozen=True)
class LearnerPathway:
    pathway: Pathway
    version: int  #: the version the progress is against: the one completed, else the current one
    definition: rules.Definition
    progress: rules.Progress
    completion: PathwayCompletion | None
    #: The milestone names a component credential the learner no longer holds valid (see `milestones`).
    needs_review: bool = False


def completions(session: Session, learner_id: str) -> dict[str, PathwayCompletion]:
    """The learner's completions (their milestone document loaded only when read; their components, a
    short list of digests, at once: whether one is gone is checked on every progress)."""
    rows = session.scalars(
        select(PathwayCompletion)
        .where(PathwayCompletion.learner_id == learner_id)
        .options(defer(PathwayCompletion.document))
    )
    return {row.pathway_id: row for row in rows}


_definitions: dict[tuple[str, int], rules.Definition] = {}


def _definition(session: Session, pathway_id: str, version: int) -> rules.Definition:
    """A version's definition, parsed once per process (a version never changes)."""
    found = _definitions.get((pathway_id, version))
    if found is None:
        found = definition_of(session, pathway_id, version)
        if len(_definitions) > 10_000:
            _definitions.clear()
        _definitions[(pathway_id, version)] = found
    return found


def learner_progress(
    session: Session,
    base_url: str,
    learner_id: str,
    held: Iterable[Held],
    now: datetime,
    pathway_id: str | None = None,
) -> list[LearnerPathway]:
    """The learner's progress on every published pathway (or one), against the version they completed,
    else the current one. Three queries, whatever the number of pathways and credentials (and one per
    version this process has not read yet)."""
    index = learner_index(session, base_url, held, now)
    query = select(Pathway).where(Pathway.state == "published").order_by(Pathway.title, Pathway.id)
    if pathway_id is not None:
        query = query.where(Pathway.id == pathway_id)
    done = completions(session, learner_id)
    digests = {facts.digest for facts in index.facts}
    result = []
    for pathway in session.scalars(query):
        completion = done.get(pathway.id)
        version = completion.version if completion is not None else pathway.current_version
        definition = _definition(session, pathway.id, version)
        review = completion is not None and _components_gone(completion, digests)
        result.append(
            LearnerPathway(
                pathway, version, definition, rules.progress(definition, index), completion, review
            )
        )
    return result


def _components_gone(completion: PathwayCompletion, digests: set[str]) -> bool:
    """Whether a component of a valid milestone is no longer among the learner's valid credentials (its
    components are read only then: a flagged or revoked milestone is not looked at again)."""
    if completion.revoked_at is not None:
        return False
    if completion.review_flagged_at is not None:
        return True
    return any(component["digest"] not in digests for component in completion.components)
