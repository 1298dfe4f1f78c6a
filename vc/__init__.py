"""How a credential is secured and checked: keys, did:key, strict JSON-LD and RDFC-1.0, Data Integrity
(eddsa-rdfc-2022; legacy Ed25519Signature2020 verified), VC-JWT, Bitstring Status List and the 1EdTech
Revocation List, the verification pipeline with its report, and the CLR 2.0 export (`vc.clr`).

Pure: no web framework, no database, no network. The world (key resolution, status lists, the trust
registry, the clock) comes in through the ports in `vc.ports` and `vc.verify`.
"""
