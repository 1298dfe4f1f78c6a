"""The words of every email the passport sends: plain text, one function per message.

Each link is single use and names when it stops working. No message names another person's address.
A letter is written in the current language (`core.i18n`): the caller chooses it with `use_locale`,
the recipient's own when they have chosen one (`mail.language_of`).
"""

from __future__ import annotations

from datetime import datetime

from core.i18n import format_date, format_datetime, gettext

Letter = tuple[str, str]  # subject, body


def _sign_off() -> str:
    return "\n\n" + gettext(
        "Skills Passport\nIf you did not expect this email, you can ignore it: nothing changes."
    )


def _until(expires_at: datetime) -> str:
    return gettext("%(when)s (UK time)", when=format_datetime(expires_at))


def confirm_sign_up(link: str, expires_at: datetime) -> Letter:
    return (
        gettext("Confirm your address to create your Skills Passport"),
        gettext(
            "Someone (we hope you) asked to create a Skills Passport with this email address.\n\n"
            "To create it, open this link and enter the password you chose:\n%(link)s\n\n"
            "The link works once, until %(until)s.",
            link=link,
            until=_until(expires_at),
        )
        + _sign_off(),
    )


def already_registered(sign_in_link: str) -> Letter:
    return (
        gettext("You already have a Skills Passport"),
        gettext(
            "Someone (we hope you) asked to create a Skills Passport with this email address, but it "
            "already belongs to a passport. Sign in instead:\n%(link)s",
            link=sign_in_link,
        )
        + _sign_off(),
    )


def verify_address(link: str, expires_at: datetime) -> Letter:
    return (
        gettext("Confirm this address for your Skills Passport"),
        gettext(
            "This address was added to a Skills Passport. Credentials issued to it will appear there once "
            "you confirm it. Sign in to that passport and open this link:\n%(link)s\n\n"
            "The link works once, until %(until)s.",
            link=link,
            until=_until(expires_at),
        )
        + _sign_off(),
    )


def claim_credential(
    issuer_name: str, achievement_name: str, recipient_name: str | None, link: str, expires_at: datetime
) -> Letter:
    greeting = gettext("Hello %(name)s,", name=recipient_name) if recipient_name else gettext("Hello,")
    return (
        gettext(
            "%(issuer)s has issued you a credential: %(achievement)s",
            issuer=issuer_name,
            achievement=achievement_name,
        ),
        greeting
        + "\n\n"
        + gettext(
            "%(issuer)s has issued you a digital credential: %(achievement)s.\n\n"
            "Keep it, and everything else issued to this address, in your own Skills Passport: create "
            "one, or add this address to the passport you have:\n%(link)s\n\n"
            "The link works once, until %(until)s. After that, create a passport with this address and "
            "confirm it: your credentials will be there.",
            issuer=issuer_name,
            achievement=achievement_name,
            link=link,
            until=_until(expires_at),
        )
        + _sign_off(),
    )


def new_credential(issuer_name: str, achievement_name: str, passport_link: str) -> Letter:
    return (
        gettext("New in your Skills Passport: %(achievement)s", achievement=achievement_name),
        gettext(
            "%(issuer)s has issued you a digital credential: %(achievement)s. It is in your passport:\n"
            "%(link)s",
            issuer=issuer_name,
            achievement=achievement_name,
            link=passport_link,
        )
        + _sign_off(),
    )


def reset_password(link: str, expires_at: datetime) -> Letter:
    return (
        gettext("Reset your Skills Passport password"),
        gettext(
            "Someone (we hope you) asked to reset the password of the Skills Passport with this email "
            "address.\n\nTo choose a new password, open this link:\n%(link)s\n\n"
            "The link works once, until %(until)s. Your password stays the same until you choose a new one.",
            link=link,
            until=_until(expires_at),
        )
        + _sign_off(),
    )


def password_changed(sign_in_link: str, when: datetime) -> Letter:
    return (
        gettext("Your Skills Passport password was changed"),
        gettext(
            "The password of your Skills Passport was changed on %(when)s (UK time). Every browser and app "
            "that was signed in has been signed out.\n\nIf this was not you, reset your password now:\n"
            "%(link)s",
            when=format_datetime(when),
            link=sign_in_link,
        )
        + "\n\n"
        + gettext("Skills Passport"),
    )


def _status_letter(subject: str, opening: str, issuer_name: str, reason: str | None, link: str) -> Letter:
    """A revocation or suspension notice: what happened, the issuer's reason if given, whom to ask."""
    why = gettext("The reason they gave: %(reason)s", reason=reason) + "\n\n" if reason else ""
    return (
        subject,
        opening
        + "\n\n"
        + why
        + gettext(
            "If you think this is a mistake, contact %(issuer)s. Your passport:\n%(link)s",
            issuer=issuer_name,
            link=link,
        )
        + "\n\n"
        + gettext("Skills Passport"),
    )


def credential_revoked(issuer_name: str, achievement_name: str, reason: str | None, link: str) -> Letter:
    return _status_letter(
        gettext("Revoked: %(achievement)s", achievement=achievement_name),
        gettext(
            "%(issuer)s has revoked your credential %(achievement)s. Anyone who checks it is now told it "
            "is revoked, and it can no longer be used as evidence.",
            issuer=issuer_name,
            achievement=achievement_name,
        ),
        issuer_name,
        reason,
        link,
    )


def credential_suspended(issuer_name: str, achievement_name: str, reason: str | None, link: str) -> Letter:
    return _status_letter(
        gettext("Suspended: %(achievement)s", achievement=achievement_name),
        gettext(
            "%(issuer)s has suspended your credential %(achievement)s for now. Until they reinstate it, "
            "anyone who checks it is told it is suspended.",
            issuer=issuer_name,
            achievement=achievement_name,
        ),
        issuer_name,
        reason,
        link,
    )


def credential_reinstated(issuer_name: str, achievement_name: str, link: str) -> Letter:
    return (
        gettext("Valid again: %(achievement)s", achievement=achievement_name),
        gettext(
            "%(issuer)s has lifted the suspension of your credential %(achievement)s: it is valid again. "
            "Your passport:\n%(link)s",
            issuer=issuer_name,
            achievement=achievement_name,
            link=link,
        )
        + "\n\n"
        + gettext("Skills Passport"),
    )


def expiry_reminder(
    issuer_name: str, achievement_name: str, valid_until: datetime, link: str, settings_link: str
) -> Letter:
    return (
        gettext(
            "%(achievement)s expires on %(date)s", achievement=achievement_name, date=format_date(valid_until)
        ),
        gettext(
            "Your credential %(achievement)s from %(issuer)s is valid until %(until)s. After that, anyone "
            "who checks it is told it has expired. If it can be renewed, ask %(issuer)s.\n\n"
            "See it in your passport:\n%(link)s\n\n"
            "You get this reminder because reminders are on for your passport. Turn them off in your "
            "account:\n%(settings)s",
            achievement=achievement_name,
            issuer=issuer_name,
            until=_until(valid_until),
            link=link,
            settings=settings_link,
        )
        + "\n\n"
        + gettext("Skills Passport"),
    )
