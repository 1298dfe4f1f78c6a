"""The network's communities of practice (Digital, Net Zero, Advanced Manufacturing, ...): a list the
operator keeps, which a ``community_of_practice`` achievement must name one of.

`NetworkCommunities` answers the issuers' `issuers.ports.CommunityRegister` port; the composition root
wires it, so issuing asks the network without importing it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import new_id
from core.i18n import gettext
from core.problems import Conflict
from network.models import Community

from . import models as models  # the tables, registered with the metadata


def list_communities(session: Session) -> list[Community]:
    return list(session.scalars(select(Community).order_by(Community.name)))


def create_community(session: Session, name: str, now: datetime) -> Community:
    """Add a community; a name already listed (in any letter case) is a conflict."""
    taken = session.scalar(select(Community).where(func.lower(Community.name) == name.lower()))
    if taken is not None:
        raise Conflict(gettext("the network already has the community %(name)r", name=taken.name))
    community = Community(id=new_id(), name=name, created_at=now)
    session.add(community)
    session.flush()
    return community


class NetworkCommunities:
    """`issuers.ports.CommunityRegister` over the network's list."""

    def community_names(self, session: Session) -> list[str]:
        return [community.name for community in list_communities(session)]
