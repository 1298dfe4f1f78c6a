"""The exports from the passport's pages (session cookie): a credential as a Verifiable Presentation or a
one-credential CLR, and the whole passport as a CLR with what it left out and why.

Each signs something (the learner's holder key, the network operator's key), so each that takes a
choice is a CSRF-checked ``POST``; the whole-passport download is a ``GET`` like its API twin.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from core.deps import NowDep, SessionDep
from core.services import services_of
from network.trust import TrustConfig
from passport.exports import clr, holder
from passport.exports.downloads import attachment
from passport.web import FormVisitor, PageRoute, VisitorDep, page
from vc.clr import SignedClr

pages = APIRouter(route_class=PageRoute, include_in_schema=False)


def _clr_file(signed: SignedClr, filename: str) -> Response:
    if isinstance(signed.credential, str):
        return attachment(signed.credential, "application/vc+jwt", f"{filename}.jwt")
    return attachment(json.dumps(signed.credential, indent=2), "application/vc", f"{filename}.json")


@pages.get("/passport/clr")
def clr_page(request: Request, who: VisitorDep, session: SessionDep, now: NowDep) -> HTMLResponse:
    """What the whole-passport CLR will hold, and what it leaves out and why, before downloading it."""
    learner = who.require_learner(request)
    return page(request, who, "passport_clr.html", plan=clr.plan(session, learner, now))


@pages.get("/passport/clr/download")
def clr_download(request: Request, who: VisitorDep, session: SessionDep, now: NowDep) -> Response:
    learner = who.require_learner(request)
    config = services_of(request.app).get(TrustConfig)
    return _clr_file(clr.passport_clr(session, config, learner, None, now), "skills-passport-clr")


@pages.post("/passport/credentials/{credential_id}/clr")
def credential_clr(
    credential_id: str, request: Request, who: FormVisitor, session: SessionDep, now: NowDep
) -> Response:
    """This credential alone as a (partial) CLR signed by the network operator."""
    learner = who.require_learner(request)
    config = services_of(request.app).get(TrustConfig)
    signed = clr.passport_clr(session, config, learner, [credential_id], now)
    return _clr_file(signed, f"clr-{credential_id}")


@pages.post("/passport/credentials/{credential_id}/presentation")
def credential_presentation(
    credential_id: str, request: Request, who: FormVisitor, session: SessionDep, now: NowDep
) -> Response:
    """This credential in a Verifiable Presentation signed by the learner's holder key (no challenge:
    for a verifier who asks for one, the API takes its challenge and domain)."""
    learner = who.require_learner(request)
    assert who.config.keystore is not None, "server.app gives the passport the keystore"
    presented = holder.presentation(session, who.config.keystore, learner, [credential_id], now)
    body = json.dumps(presented, indent=2, ensure_ascii=False)
    return attachment(body, "application/vp", f"presentation-{credential_id}.json")
