"""The passport's side of the network's lifelong-learning pathways (`network.pathways`): what the
learner holds, handed to the network as `Held` credentials, their progress, and their milestones.

A credential counts while it is valid (neither revoked, suspended nor expired); an imported one as
verified when it was imported. `PathwayMilestones.learner_changed` runs whenever a learner's passport
gains a credential (issued to a confirmed address, imported, claimed): a pathway that is now complete
gets its milestone in the same transaction, so within the request that brought the last credential.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from core.services import provide
from issuers.recipients import credentials_for_recipients
from network.pathways import milestones, service
from network.pathways.service import Catalogue, Held, LearnerPathway
from network.trust import TrustConfig
from passport import credentials, imports
from passport.accounts import addresses
from passport.models import Learner


def held(session: Session, learner: Learner, now: datetime) -> list[Held]:
    """The learner's credentials that count towards pathways now: those issued to a confirmed address
    and valid now, and those they imported, as verified then and within their validity period."""
    emails = addresses.verified_emails(session, learner.id)
    result = [
        Held(credential.id, credential.document, credential.issued_at)
        for credential in credentials_for_recipients(session, emails)
        if credentials.status_of(credential, now) is credentials.Status.VALID
    ]
    for row in imports.imported(session, learner):
        if (row.valid_from is None or row.valid_from <= now) and (
            row.valid_until is None or now < row.valid_until
        ):
            result.append(Held(row.id, row.document, row.imported_at))
    return result


def progress(
    session: Session, base_url: str, learner: Learner, now: datetime, pathway_id: str | None = None
) -> list[LearnerPathway]:
    return service.learner_progress(
        session, base_url, learner.id, held(session, learner, now), now, pathway_id
    )


@dataclass(frozen=True)
class PathwayMilestones:
    """Issues the milestones a learner has earned; the composition root gives it the operator's config
    (`network.trust.TrustConfig`: the operator's DID and key sign them)."""

    config: TrustConfig

    def progress(
        self, session: Session, learner: Learner, now: datetime, pathway_id: str | None = None
    ) -> list[LearnerPathway]:
        """The learner's progress, every milestone they have earned issued (once)."""
        found = progress(session, self.config.base_url, learner, now, pathway_id)
        email = addresses.primary_email(session, learner)
        milestones.flag_for_review(session, found, now)
        return milestones.issue_ready(session, self.config, learner.id, email, found, now)

    def learner_changed(self, session: Session, learner_id: str, now: datetime) -> None:
        """The passport gained a credential: issue whatever milestone it completes."""
        learner = session.get(Learner, learner_id)
        if learner is not None:
            self.progress(session, learner, now)


MilestonesDep = Annotated[PathwayMilestones, Depends(provide(PathwayMilestones))]


# --- what the pages and the API show ------------------------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    key: str
    title: str
    state: str  #: rules.StepState
    choose: int
    total: int
    credentials: list[str]  #: names of the credentials that count towards it
    open_options: list[tuple[str, list[str]]]  #: what is still to do, and who offers it


@dataclass(frozen=True)
class PathwayView:
    id: str
    title: str
    version: int
    done: int
    total: int
    complete: bool
    completed_at: datetime | None
    milestone_id: str | None
    steps: list[StepView]
    #: The milestone's status: "valid", "revoked" (by the pathway's owner) or "review" (a credential it
    #: rests on is no longer valid: the owner has been asked to review it); None without a milestone.
    milestone_state: str | None = None
    revoked_at: datetime | None = None
    revocation_reason: str | None = None

    @property
    def next_steps(self) -> list[StepView]:
        return [step for step in self.steps if step.state in ("next", "in_progress")]

    @property
    def started(self) -> bool:
        return self.done > 0 or any(step.state == "in_progress" for step in self.steps)


def views(items: list[LearnerPathway], catalogue: Catalogue) -> list[PathwayView]:
    names = {offer.achievement_id: offer.name for offer, _ in catalogue.offers}
    result = []
    for item in items:
        steps = []
        for step in item.progress.steps:
            open_options = [
                (
                    service.describe(step.step.options[i], names),
                    sorted({offer.provider_name for offer in catalogue.for_option(step.step.options[i])}),
                )
                for i in step.open_options
            ]
            steps.append(
                StepView(
                    key=step.step.key,
                    title=step.step.title,
                    state=step.state.value,
                    choose=step.step.choose,
                    total=len(step.step.options),
                    credentials=[facts.name for facts in step.credentials],
                    open_options=open_options if step.state.value != "done" else [],
                )
            )
        completion = item.completion
        result.append(
            PathwayView(
                id=item.pathway.id,
                title=item.pathway.title,
                version=item.version,
                done=item.progress.done,
                total=len(item.progress.steps),
                complete=completion is not None or item.progress.complete,
                completed_at=completion.completed_at if completion is not None else None,
                milestone_id=completion.id if completion is not None else None,
                steps=steps,
                milestone_state=_milestone_state(item),
                revoked_at=completion.revoked_at if completion is not None else None,
                revocation_reason=completion.revocation_reason if completion is not None else None,
            )
        )
    return result


def _milestone_state(item: LearnerPathway) -> str | None:
    if item.completion is None:
        return None
    if item.completion.revoked_at is not None:
        return "revoked"
    return "review" if item.needs_review else "valid"
