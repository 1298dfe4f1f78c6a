"""A seeded generator of OB 3.0 credentials for the differential test against jsonld.js + rdf-canonize.

`credentials(count, seed)` gives the same documents for the same seed, as JSON *text*: both sides parse
the very same text (numbers included) with their own JSON parser. Each credential varies an
OpenBadgeCredential the way issuers do and the way attackers might: text from every Unicode class
(controls, C1, line separators, bidi controls, noncharacters, private use, astral, lone surrogates),
numbers at the edges of IEEE doubles and of JSON-LD 1.1 §8.6, IRIs good and bad, value objects with
``@language`` and ``@direction``, lists (empty, repeated values), several subjects, nested results,
alignments and evidence, endorsements with embedded proofs (graphs named by blank nodes), dates at the
edges of xsd:dateTime, and now and then a term no context defines.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
DID = "did:key:z6MkjJnhaUj3jLpoKp19vSB9qaBNdJrjF7H1SmCiieJg9dfi"

# Characters by class; a text draws from one or two classes.
_CLASSES: dict[str, list[str]] = {
    "ascii": list("abcdefghijklmnopqrstuvwxyz ABC0123456789.,-'!?"),
    "json-special": ['"', "\\", "/", "\\u", "\\n", "\\uFFFE"],  # the text itself, not escapes
    "latin": list("éàüßñøÅçœ"),
    "cjk": list("漢字かなカナ한국어"),
    "rtl": list("עבריתالعربية"),
    "bidi-controls": [
        "\u200e",
        "\u200f",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2069",
    ],
    "combining": ["e\u0301", "a\u0308", "\u0363"],
    "c0-controls": [chr(code) for code in range(0x20)] + ["\x7f"],
    "c1-controls": [chr(code) for code in range(0x80, 0xA0)],
    "line-separators": ["\u2028", "\u2029", "\u0085", "\r\n"],
    "zero-width": ["\u200b", "\u200c", "\u200d", "\ufeff"],
    "noncharacters": ["\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff"],
    "ffff": ["\ufffe", "\uffff"],  # outside XML 1.1 Char: RDFC-1.0 escapes them, jsonld.js does not
    "private-use": ["\ue000", "\uf8ff", "\U000f0000"],
    "fullwidth": ["\uff21", "\uff22", "\uff08", "\uff09", "\uff01"],
    "specials": ["\ufffd", "\ufffc"],
    "astral": ["\U0001f600", "\U0001f9d1\u200d\U0001f527", "\U00020000", "\U0001d11e"],
    "lone-surrogates": ["\ud800", "\udfff"],
}
_CLASS_WEIGHTS = {name: 1 for name in _CLASSES} | {"ascii": 12, "latin": 3}
# Classes a document only uses when the hazard of that name is on (see `_HAZARDS`).
_HAZARDOUS_CLASSES = {"ffff": "noncharacter", "lone-surrogates": "lone surrogate"}

# fmt: off
_NUMBERS: list[Any] = [
    0, 1, -1, 42, 6.0, 2.5, 0.1, 0.30000000000000004, 123.45678901234567, 1.5e-7, 1e-6, 2**53, -(2**53),
    1e21, 1.7976931348623157e308, -0.0, 9.999999999999999e22, 1e300, 0.5, 100.0,
]
_EDGE_NUMBERS: list[Any] = [  # no interoperable RDF form: refused when signing
    1e-7, -3e-9, 5e-324, 2**53 + 1, -(2**53) - 1, 2**60, 2**64 + 1, 10**21 + 1, 2.5e20,
    1.2345678901234567e20, 1.0000152587890625,
]
# What may go wrong in a document; each document turns on none, one or two of them.
_HAZARDS = [
    "bad iri", "bad language tag", "direction", "noncharacter", "lone surrogate", "edge number",
    "undefined term", "code point order", "repeated empty list",
]
# fmt: on
_GOOD_IRIS = [
    "https://example.org/achievements/{n}",
    "https://example.org/a/b?query=1&x=y#frag",
    "https://example.org/My%20Badge.png",
    "https://例え.jp/バッジ/{n}",
    "https://example.org/é/{n}",
    "urn:uuid:3f1c8a52-6a64-4a0e-9d1b-0d8e4c1f7a{n:02d}",
    "did:example:ebfeb1f712ebc6f1c276e12ec2{n}",
    "mailto:learner{n}@example.org",
    "https://[2001:db8::1]:8443/x",
    "tag:example.org,2026:{n}",
]
_BAD_IRIS = [
    "https://example.org/achievements/a b",
    "https://example.org/badges/My Badge.png",
    "https://example.org/a<b>",
    'https://example.org/a"b',
    "https://example.org/{n}{{x}}",
    "https://example.org/a|b",
    "https://example.org/a\\b",
    "https://example.org/a^b",
    "https://example.org/a`b",
    "https://example.org/bad%zzescape",
    "https://example.org/bad%4",
    "achievements/{n}",
    "https://example.org/\x01",
    "https://example.org/\ufffe",
    "https://example.org/\u200b",
    "https://exa mple.org/",
]
_GOOD_TAGS = ["en", "en-GB", "cy", "zh-Hant-TW", "sr-Latn-RS", "de-CH-1996", "x-private", "i-klingon"]
_BAD_TAGS = ["not a tag!", "en_GB", "", "english-language-tag", "en-", "a-b", "123", "en-GB-x"]
_DATES = [
    "2026-01-01T00:00:00Z",
    "2026-06-30T23:59:59.123456789Z",
    "2026-06-30T09:00:00+01:00",
    "2026-01-01T24:00:00Z",
    "10000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "not a date",
]
_PROOF_VALUE = "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKTkQdVQFRQvJFVNhH"


class _Draw:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.counter = 0
        self.hazards: set[str] = set()

    def new_document(self) -> None:
        self.hazards = set(self.random.sample(_HAZARDS, self.random.choices([0, 1, 2], [50, 35, 15])[0]))

    def hazard(self, name: str, probability: float) -> bool:
        return name in self.hazards and self.chance(probability)

    def chance(self, probability: float) -> bool:
        return self.random.random() < probability

    def pick(self, items: list[Any]) -> Any:
        return items[self.random.randrange(len(items))]

    def n(self) -> int:
        self.counter += 1
        return self.counter

    def text(self) -> str:
        names = [name for name in _CLASSES if _HAZARDOUS_CLASSES.get(name, "") in self.hazards | {""}]
        if "code point order" in self.hazards and self.chance(0.5):
            # an astral character and one in U+E000-U+FFFF where two literals of one subject differ
            return self.pick(["\U0001f600", "\ufb01", "\U00020000x", "\uff21y"])
        weights = [_CLASS_WEIGHTS[name] for name in names]
        chosen = self.random.choices(names, weights, k=self.random.choice([1, 1, 2]))
        length = self.random.randrange(0, 12)
        return "".join(self.pick(_CLASSES[self.random.choice(chosen)]) for _ in range(length))

    def iri(self, bad: float = 0.15) -> str:
        pattern = self.pick(_BAD_IRIS if self.hazard("bad iri", bad) else _GOOD_IRIS)
        return str(pattern).format(n=self.n() % 100)

    def number(self) -> Any:
        if self.hazard("edge number", 0.7):
            return self.pick(_EDGE_NUMBERS)
        if self.chance(0.6):
            return self.pick(_NUMBERS)
        return self.random.choice(
            [
                self.random.randrange(-1000, 1000),
                round(self.random.uniform(-1e3, 1e3), self.random.randrange(1, 8)),
            ]
        )

    def literal(self) -> Any:
        """A plain string mostly; sometimes a value object with a language, a direction, or both."""
        if self.chance(0.85):
            return self.text()
        value: dict[str, Any] = {"@value": self.text()}
        if self.chance(0.7):
            value["@language"] = self.pick(_BAD_TAGS if self.hazard("bad language tag", 0.6) else _GOOD_TAGS)
        if self.hazard("direction", 0.8):
            value["@direction"] = self.pick(["ltr", "rtl"])
        return value


def _alignment(draw: _Draw) -> dict[str, Any]:
    alignment: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": draw.literal(),
        "targetUrl": draw.iri(0.02),
    }
    if draw.chance(0.5):
        alignment["targetCode"] = draw.text()
    if draw.chance(0.3):
        alignment["targetFramework"] = draw.literal()
    return alignment


def _result_description(draw: _Draw) -> dict[str, Any]:
    description: dict[str, Any] = {
        "id": f"urn:uuid:00000000-0000-4000-8000-{draw.n():012d}",
        "type": ["ResultDescription"],
        "name": draw.literal(),
        "resultType": draw.pick(["LetterGrade", "Percent", "ext:Grade"]),
    }
    if draw.chance(0.5):
        repeated = draw.text()
        description["allowedValue"] = draw.pick(
            [[], [draw.text(), draw.text()], [repeated, repeated, repeated, repeated], [repeated] * 3]
        )
    if draw.hazard("repeated empty list", 0.9):
        description["allowedValue"] = []
    return description


def _achievement(draw: _Draw) -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "id": draw.iri(),
        "type": ["Achievement"],
        "name": draw.literal(),
        "description": draw.literal(),
        "criteria": {"narrative": draw.literal()},
    }
    if draw.chance(0.5):
        achievement["image"] = {"id": draw.iri(0.15), "type": "Image", "caption": draw.literal()}
    if draw.chance(0.5):
        achievement["alignment"] = [_alignment(draw) for _ in range(draw.random.randrange(1, 4))]
    if draw.chance(0.4):
        achievement["resultDescription"] = [
            _result_description(draw) for _ in range(draw.random.randrange(1, 3))
        ]
    if draw.chance(0.4):
        achievement["creditsAvailable"] = draw.number()
    if draw.chance(0.3):
        achievement["tag"] = [draw.text() for _ in range(draw.random.randrange(0, 4))]
    if draw.hazard("code point order", 0.8):  # sorted one way by code point, the other by UTF-16 unit
        achievement["tag"] = [
            draw.pick(["\U0001f600", "\U00020000"]),
            draw.pick(["\ufb01", "\uff21", "\ue000"]),
        ]
    if draw.chance(0.15):
        achievement["endorsement"] = [_endorsement(draw) for _ in range(draw.random.randrange(1, 3))]
    if draw.hazard("undefined term", 0.6):
        achievement["shoeSize"] = 9  # no context defines it
    return achievement


def _subject(draw: _Draw, achievement: dict[str, Any]) -> dict[str, Any]:
    subject: dict[str, Any] = {"type": ["AchievementSubject"], "achievement": achievement}
    if draw.chance(0.5):
        subject["id"] = draw.iri(0.05)
    else:
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": f"sha256${draw.random.getrandbits(256):064x}",
                "identityType": "emailAddress",
                "hashed": True,
                "salt": draw.text(),
            }
        ]
    descriptions = achievement.get("resultDescription", [])
    if descriptions and draw.chance(0.7):
        subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": item["id"],
                "value": draw.pick([draw.text(), draw.number()]),
            }
            for item in descriptions
        ]
    if draw.chance(0.3):
        subject["creditsEarned"] = draw.number()
    if draw.chance(0.2):
        subject["activityEndDate"] = draw.pick(["2026-06-30", "2026-13-01", "10000-01-01"])
    return subject


def _proof(draw: _Draw) -> dict[str, Any]:
    return {
        "type": "DataIntegrityProof",
        "created": draw.pick(_DATES[:3]),
        "verificationMethod": f"{DID}#{DID[8:]}",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "proofValue": _PROOF_VALUE,
    }


def _endorsement(draw: _Draw) -> dict[str, Any]:
    return {
        "@context": [VC_V2, OB_303],
        "id": draw.iri(0.02),
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": {"id": draw.iri(0.02), "type": ["Profile"], "name": draw.literal()},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": draw.iri(0.02),
            "type": ["EndorsementSubject"],
            "endorsementComment": draw.literal(),
        },
        "proof": _proof(draw) if draw.chance(0.7) else [_proof(draw), _proof(draw)],
    }


def credential(draw: _Draw) -> dict[str, Any]:
    """One OpenBadgeCredential (unsigned: the canonical form is of the document without its proof)."""
    draw.new_document()
    achievement = _achievement(draw)
    subjects = [_subject(draw, achievement if draw.chance(0.6) else _achievement(draw))]
    while draw.chance(0.15) or ("repeated empty list" in draw.hazards and len(subjects) < 2):
        subjects.append(_subject(draw, achievement))
    document: dict[str, Any] = {
        "@context": [VC_V2, OB_303],
        "id": draw.iri(0.05),
        "type": ["VerifiableCredential", draw.pick(["OpenBadgeCredential", "AchievementCredential"])],
        "issuer": {"id": draw.pick([DID, draw.iri(0.05)]), "type": ["Profile"], "name": draw.literal()},
        "validFrom": draw.pick(_DATES) if draw.chance(0.2) else "2026-07-01T09:00:00Z",
        "name": draw.literal(),
        "credentialSubject": subjects[0] if len(subjects) == 1 else subjects,
    }
    if draw.chance(0.3):
        document["description"] = draw.literal()
    if draw.chance(0.3):
        document["evidence"] = [
            {"id": draw.iri(), "type": ["Evidence"], "narrative": draw.literal(), "genre": draw.text()}
            for _ in range(draw.random.randrange(1, 3))
        ]
    if draw.chance(0.1):
        document["awardedDate"] = draw.pick(_DATES)
    if draw.hazard("undefined term", 0.5):
        document["favouriteColour"] = draw.text()
    if draw.chance(0.05):
        document["@context"] = [VC_V2, OB_302]
        for item in achievement.get("endorsement", []):
            item["@context"] = [VC_V2, OB_302]
    return document


def credentials(count: int, seed: int) -> Iterator[str]:
    """``count`` credentials as JSON text, the same for the same ``seed``."""
    draw = _Draw(seed)
    for _ in range(count):
        text = json.dumps(credential(draw), ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate is not UTF-8 text: it travels as a \\u escape
            text = json.dumps(json.loads(text))
        yield text
