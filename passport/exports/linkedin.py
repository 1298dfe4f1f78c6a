"""LinkedIn "Add to profile" links and a share text for a credential.

LinkedIn's documented add-to-profile link (LinkedIn's "Add to Profile for certifications" page) opens
the learner's profile with the "Licenses & certifications" form filled in:
``https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=…&organizationName=…&issueYear=…
&issueMonth=…&expirationYear=…&expirationMonth=…&certUrl=…&certId=…``. Months are 1-12; every value is
percent-encoded (RFC 3986, spaces as ``%20``). Nothing is sent to LinkedIn by us: the learner follows the
link and saves the form themselves.

Pure functions: the page decides which names may be shown (`network.naming`: an organisation only when
the issuer's name is confirmed; the verification URL only for a credential this service issued).
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote, urlencode

from core.i18n import TIME_ZONE, gettext

__all__ = ["ADD_TO_PROFILE", "add_to_profile_url", "share_text"]

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def _uk_day(value: date) -> date:
    if isinstance(value, datetime):
        return value.astimezone(TIME_ZONE).date() if value.tzinfo else value.date()
    return value


def add_to_profile_url(
    *,
    name: str,
    organization_name: str | None,
    issued: date,
    expires: date | None = None,
    cert_url: str | None = None,
    cert_id: str | None = None,
) -> str:
    """The add-to-profile link for a certification; parameters without a value are left out."""
    issued_day = _uk_day(issued)
    parameters: list[tuple[str, str]] = [("startTask", "CERTIFICATION_NAME"), ("name", name[:300])]
    if organization_name:
        parameters.append(("organizationName", organization_name[:300]))
    parameters += [("issueYear", str(issued_day.year)), ("issueMonth", str(issued_day.month))]
    if expires is not None:
        expires_day = _uk_day(expires)
        parameters += [("expirationYear", str(expires_day.year)), ("expirationMonth", str(expires_day.month))]
    if cert_url:
        parameters.append(("certUrl", cert_url))
    if cert_id:
        parameters.append(("certId", cert_id))
    return f"{ADD_TO_PROFILE}?{urlencode(parameters, quote_via=quote, safe='')}"


def share_text(achievement_name: str, issuer_name: str | None, url: str | None) -> str:
    """A sentence for a post or a message, in the current language, with the link that checks it."""
    if issuer_name:
        text = gettext(
            "I have earned \u201c%(achievement)s\u201d from %(issuer)s.",
            achievement=achievement_name,
            issuer=issuer_name,
        )
    else:
        text = gettext("I have earned \u201c%(achievement)s\u201d.", achievement=achievement_name)
    if url:
        text += " " + gettext("Anyone can check it is genuine: %(url)s", url=url)
    return text
