"""A cohort row's problems in plain words for the preview: `issuers.bulk` words them for the API (a
field name and the validator's message); a person reading the preview gets a sentence."""

from __future__ import annotations

import re

from core.i18n import N_, gettext

_LABELS = {
    "email": N_("email address"),
    "name": N_("name"),
    "learner_id": N_("learner ID"),
    "result": N_("result"),
}
_FIELD = re.compile(r"^(email|name|learner_id|result): (.*)$", re.S)
_TOO_LONG = re.compile(r"at most (\d+) characters")
_SAME = re.compile(r"^same email as row (\d+)$")


def plain(problems: list[str]) -> list[str]:
    return [_sentence(problem) for problem in problems]


def _sentence(problem: str) -> str:
    same = _SAME.match(problem)
    if same:
        return gettext("The same email address as row %(row)s: list each learner once.", row=same.group(1))
    if problem == "more cells than columns":
        return gettext("This row has more cells than the header has columns.")
    found = _FIELD.match(problem)
    if found is None:
        return problem
    field, message = found.groups()
    label = gettext(_LABELS[field])
    if message.startswith("cells must not start with"):
        return gettext(
            "The %(field)s starts with = + - or @: a spreadsheet would run it as a formula.", field=label
        )
    too_long = _TOO_LONG.search(message)
    if too_long:
        return gettext(
            "The %(field)s is longer than %(most)s characters.", field=label, most=too_long.group(1)
        )
    if "cannot be signed" in message or "not Unicode" in message:
        return gettext("The %(field)s holds a character that cannot be signed.", field=label)
    if field == "email":
        if "required" in message.lower() or "missing" in message.lower():
            return gettext("The email address is missing.")
        return gettext("The email address is not valid.")
    return f"{label}: {message}"
