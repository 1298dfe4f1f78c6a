"""The words of every email the passport sends: plain text, one function per message.

Each link is single use and names when it stops working. No message names another person's address.
"""

from __future__ import annotations

from datetime import datetime

Letter = tuple[str, str]  # subject, body

_SIGN_OFF = "\n\nSkills Passport\nIf you did not expect this email, you can ignore it: nothing changes."


def _until(expires_at: datetime) -> str:
    return expires_at.strftime("%d %B %Y at %H:%M UTC")


def confirm_sign_up(link: str, expires_at: datetime) -> Letter:
    return (
        "Confirm your address to create your Skills Passport",
        "Someone (we hope you) asked to create a Skills Passport with this email address.\n\n"
        f"To create it, open this link and enter the password you chose:\n{link}\n\n"
        f"The link works once, until {_until(expires_at)}." + _SIGN_OFF,
    )


def already_registered(sign_in_link: str) -> Letter:
    return (
        "You already have a Skills Passport",
        "Someone (we hope you) asked to create a Skills Passport with this email address, but it already "
        f"belongs to a passport. Sign in instead:\n{sign_in_link}" + _SIGN_OFF,
    )


def verify_address(link: str, expires_at: datetime) -> Letter:
    return (
        "Confirm this address for your Skills Passport",
        "This address was added to a Skills Passport. Credentials issued to it will appear there once you "
        f"confirm it. Sign in to that passport and open this link:\n{link}\n\n"
        f"The link works once, until {_until(expires_at)}." + _SIGN_OFF,
    )


def claim_credential(
    issuer_name: str, achievement_name: str, recipient_name: str | None, link: str, expires_at: datetime
) -> Letter:
    greeting = f"Hello {recipient_name},\n\n" if recipient_name else "Hello,\n\n"
    return (
        f"{issuer_name} has issued you a credential: {achievement_name}",
        greeting + f"{issuer_name} has issued you a digital credential: {achievement_name}.\n\n"
        "Keep it, and everything else issued to this address, in your own Skills Passport: create one, or "
        f"add this address to the passport you have:\n{link}\n\n"
        f"The link works once, until {_until(expires_at)}. After that, create a passport with this "
        "address and confirm it: your credentials will be there." + _SIGN_OFF,
    )


def new_credential(issuer_name: str, achievement_name: str, passport_link: str) -> Letter:
    return (
        f"New in your Skills Passport: {achievement_name}",
        f"{issuer_name} has issued you a digital credential: {achievement_name}. It is in your passport:\n"
        f"{passport_link}" + _SIGN_OFF,
    )
