"""Well-formed absolute IRIs (RFC 3987 §2.2, the ``IRI`` production) and language tags (RFC 5646 §2.1).

JSON-LD 1.1 Deserialize JSON-LD to RDF (§8.1, §8.2) drops a statement whose subject, predicate, object,
datatype or graph name is not a well-formed IRI, and a literal whose language tag is not well-formed
(BCP 47 §2.2.9). A signature over the remaining statements does not cover the dropped ones, so
`vc.jsonld_rdf` refuses such a document instead, with these checks.
"""

from __future__ import annotations

import functools
import ipaddress
import re

# RFC 3987 §2.2. ucschar and iprivate as code point ranges; everything else as in RFC 3986.
_UCSCHAR = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    "\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd\U00040000-\U0004fffd"
    "\U00050000-\U0005fffd\U00060000-\U0006fffd\U00070000-\U0007fffd\U00080000-\U0008fffd"
    "\U00090000-\U0009fffd\U000a0000-\U000afffd\U000b0000-\U000bfffd\U000c0000-\U000cfffd"
    "\U000d0000-\U000dfffd\U000e1000-\U000efffd"
)
_IPRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_UNRESERVED = f"A-Za-z0-9\\-._~{_UCSCHAR}"  # iunreserved
_SUB_DELIMS = "!$&'()*+,;="
_PCT = "%[0-9A-Fa-f]{2}"
_IPCHAR = f"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_IREG_NAME = f"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*"
_IUSERINFO = f"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_IP_LITERAL = r"\[(?P<ip_literal>[^\[\]/?#@]*)\]"
_IAUTHORITY = f"(?:{_IUSERINFO}@)?(?:{_IP_LITERAL}|{_IREG_NAME})(?::[0-9]*)?"
_ISEGMENT = f"{_IPCHAR}*"
_ISEGMENT_NZ = f"{_IPCHAR}+"
_IHIER_PART = (
    f"(?://{_IAUTHORITY}(?:/{_ISEGMENT})*"  # "//" iauthority ipath-abempty
    f"|/(?:{_ISEGMENT_NZ}(?:/{_ISEGMENT})*)?"  # ipath-absolute
    f"|{_ISEGMENT_NZ}(?:/{_ISEGMENT})*"  # ipath-rootless
    f"|)"  # ipath-empty
)
_IQUERY = f"(?:{_IPCHAR}|[{_IPRIVATE}/?])*"
_IFRAGMENT = f"(?:{_IPCHAR}|[/?])*"
_IRI = re.compile(f"[A-Za-z][A-Za-z0-9+\\-.]*:{_IHIER_PART}(?:\\?{_IQUERY})?(?:#{_IFRAGMENT})?")
_IPV_FUTURE = re.compile(f"[vV][0-9A-Fa-f]+\\.[A-Za-z0-9\\-._~{_SUB_DELIMS}:]+")


@functools.lru_cache(maxsize=8192)  # the same predicate and type IRIs come back in every document
def is_absolute_iri(value: str) -> bool:
    """Whether ``value`` matches RFC 3987's ``IRI`` (scheme, hierarchical part, query, fragment)."""
    match = _IRI.fullmatch(value)
    if match is None:
        return False
    literal = match.group("ip_literal")
    return literal is None or _is_ip_literal(literal)


def _is_ip_literal(text: str) -> bool:
    """IPv6address / IPvFuture (RFC 3986 §3.2.2); no zone identifier."""
    if _IPV_FUTURE.fullmatch(text):
        return True
    if "%" in text:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


# RFC 5646 §2.1 Language-Tag (case-insensitive): langtag / privateuse / grandfathered.
_LANGTAG = (
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})"  # language ["-" extlang]
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variant
    r"(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*"  # extension
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"  # privateuse
)
_PRIVATEUSE = r"x(?:-[a-z0-9]{1,8})+"
_GRANDFATHERED = (
    "en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|"
    "i-tsu|sgn-be-fr|sgn-be-nl|sgn-ch-de|art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|"
    "zh-min-nan|zh-xiang"
)
_LANGUAGE_TAG = re.compile(f"{_LANGTAG}|{_PRIVATEUSE}|{_GRANDFATHERED}", re.IGNORECASE | re.ASCII)


@functools.lru_cache(maxsize=1024)
def is_well_formed_language_tag(value: str) -> bool:
    """BCP 47 "well-formed" (RFC 5646 §2.2.9): the tag matches the ABNF of §2.1."""
    return _LANGUAGE_TAG.fullmatch(value) is not None
