"""Lifelong-learning pathways: routes across providers, the learners' progress and milestone credentials.

`rules` is the pure rule engine (definitions, their checks, progress); `service` keeps the versioned
definitions; `milestones` signs the credential a completed pathway earns. The passport reaches all of it
through `network.pathways.service` and `network.pathways.milestones` (passport -> network is an allowed edge).
"""
