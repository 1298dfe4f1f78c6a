"""Our canonical N-Quads against jsonld.js (safe mode) + rdf-canonize on generated OB 3.0 credentials.

A bounded run of the seeded generator (tests/interop/generator.py; `bench/differential.py` runs more):
every credential is either canonicalised identically by both, or refused by both, or refused by us
alone for a reason we chose (README "Conformance"). jsonld.js never accepts what we refuse to sign for
a reason it does not know, and never refuses what we would sign.
"""

from __future__ import annotations

import json

import pytest

from tests.interop.differential import compare, ours, reference_answers
from tests.interop.generator import credentials
from vc import jsonld
from vc.errors import JsonLdError, Refusal
from vc.parsing import parse_json

pytestmark = pytest.mark.usefixtures("reference_stack")

COUNT = 300
SEED = 20261124
# Where we refuse alone, on purpose: IRIs jsonld.js's looser check lets through (it only refuses
# whitespace), stricter BCP 47, text that is not Unicode, and what jsonld.js canonicalises differently
# from RDFC-1.0 / JSON-LD 1.1 (or from pyld).
OURS_ALONE = {
    Refusal.ILL_FORMED_IRI,
    Refusal.ILL_FORMED_LANGUAGE_TAG,
    Refusal.NOT_UNICODE,
    Refusal.NUMBER_NOT_INTEROPERABLE,
    Refusal.NONCHARACTER,
    Refusal.CODE_POINT_ORDER,
    Refusal.REPEATED_EMPTY_LIST,
}


def test_generated_credentials_canonicalise_identically_or_are_refused() -> None:
    texts = list(credentials(COUNT, SEED))
    figures = compare(texts)
    if figures.differ:
        first = texts[figures.differ[0]]
        pytest.fail(f"{len(figures.differ)} canonical forms differ from jsonld.js's, e.g. {first[:2000]}")
    assert not figures.only_reference_refuses, figures.as_json()
    assert set(figures.only_we_refuse) <= {str(reason) for reason in OURS_ALONE}, figures.as_json()
    # The run is not vacuous: most credentials are signed, and each kind of refusal occurs.
    assert figures.both_sign > COUNT // 2
    assert figures.both_refuse > 0
    assert set(figures.only_we_refuse) == {str(reason) for reason in OURS_ALONE}


def test_each_refusal_for_interop_stands_for_a_real_difference() -> None:
    """A document refused only when signing (text, and numbers jsonld.js writes otherwise) is one
    jsonld.js canonicalises differently from what JSON-LD 1.1 / RDFC-1.0 say (our verification form).
    Integers beyond 2^53 and ties at 16 digits are refused for JSON parsers and pyld, not jsonld.js."""
    texts = [
        text
        for text in credentials(COUNT, SEED)
        if ours(text)[1]
        in (
            Refusal.NUMBER_NOT_INTEROPERABLE,
            Refusal.NONCHARACTER,
            Refusal.CODE_POINT_ORDER,
            Refusal.REPEATED_EMPTY_LIST,
        )
    ]
    checked = 0
    for text, answer in zip(texts, reference_answers(texts), strict=True):
        with pytest.raises(JsonLdError) as refused:
            jsonld.canonicalize(parse_json(text), signing=True)
        message = refused.value.message
        try:
            verified_form = jsonld.canonicalize(parse_json(text))
        except JsonLdError:  # refused for another reason as well
            continue
        if "2^53" in message or "halfway" in message or "nquads" not in answer:
            continue
        assert verified_form != answer["nquads"], message
        checked += 1
    assert checked > 10


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("achievement id", "https://example.org/achievements/a b"),
        ("image id", "https://example.org/badges/My Badge.png"),
        ("name", {"@value": "x", "@language": "not a tag!"}),
        ("name", {"@value": "مرحبا", "@direction": "rtl"}),
        ("name", {"@value": "مرحبا", "@language": "ar", "@direction": "rtl"}),
    ],
)
def test_the_issues_cases_are_refused_by_both(change: str, value: object) -> None:
    document = json.loads(next(credentials(1, 0)))
    achievement = document["credentialSubject"]
    achievement = (achievement[0] if isinstance(achievement, list) else achievement)["achievement"]
    if change == "achievement id":
        achievement["id"] = value
    elif change == "image id":
        achievement["image"] = {"id": value, "type": "Image"}
    else:
        document[change] = value
    text = json.dumps(document)
    assert ours(text)[0] is None
    assert "refused" in reference_answers([text])[0]
