"""The passport's side of the network's communities of practice (`network.communities`): an educator
accepts an emailed invitation into their passport account, and sees the communities they belong to, with
the participation credentials they earned.

The invitation works once, and only for an account that has confirmed the invited address: someone else
holding the link cannot join in the educator's name.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from core.deps import NowDep, SessionDep
from network.communities import service
from passport.accounts import addresses
from passport.web import FormVisitor, PageRoute, VisitorDep, page, redirect

pages = APIRouter(route_class=PageRoute, include_in_schema=False)


@pages.get("/passport/communities")
def communities(request: Request, who: VisitorDep, session: SessionDep) -> HTMLResponse:
    """The communities the learner belongs to, and whether they earned each one's credential."""
    learner = who.require_learner(request)
    emails = addresses.verified_emails(session, learner.id)
    found = service.memberships(session, learner.id, emails)
    earned = {
        member.id: service.participations_of(session, community.id).get(member.id)
        for community, member in found
    }
    return page(
        request,
        who,
        "passport_communities.html",
        memberships=found,
        earned=earned,
        joined=request.query_params.get("done") == "joined",
    )


@pages.get("/passport/communities/join/{secret}")
def invitation(request: Request, secret: str, who: VisitorDep, session: SessionDep) -> HTMLResponse:
    """The invitation, for the signed-in learner to accept (signed out: to sign in or up, then back here)."""
    learner = who.require_learner(request)
    member = service.find_invitation(session, secret[:100])
    community = service.get_public(session, member.community_id)
    emails = {e.lower() for e in addresses.verified_emails(session, learner.id)}
    return page(
        request,
        who,
        "passport_community_join.html",
        community=community,
        member=member,
        secret=secret,
        theirs=member.email in emails,
    )


@pages.post("/passport/communities/join/{secret}")
def accept(request: Request, secret: str, who: FormVisitor, session: SessionDep, now: NowDep) -> Response:
    learner = who.require_learner(request)
    emails = addresses.verified_emails(session, learner.id)
    service.accept_invitation(session, secret[:100], learner.id, emails, now)  # not theirs: 403 page
    return redirect("/passport/communities?done=joined")
