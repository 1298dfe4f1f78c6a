"""The email staff receive, in the language of the request that sends it (`core.i18n`)."""

from __future__ import annotations

from datetime import datetime

from core.i18n import format_datetime, gettext

from .roles import role_name


def invitation(organisation: str, name: str, role: str, link: str, expires_at: datetime) -> tuple[str, str]:
    subject = gettext("You are invited to manage credentials for %(organisation)s", organisation=organisation)
    body = gettext(
        "Hello %(name)s,\n\n"
        "You have been invited to the Skills Passport as %(role)s for %(organisation)s.\n\n"
        "Open this link to choose your password. It works once, until %(until)s (UK time):\n%(link)s\n\n"
        "If you did not expect this email, you can ignore it.\n\nSkills Passport",
        name=name,
        role=role_name(role),
        organisation=organisation,
        until=format_datetime(expires_at),
        link=link,
    )
    return subject, body
