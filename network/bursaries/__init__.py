"""Bursary-funded international skills-exchange visits (Issue 12 item 5).

A **fund** (a funder's money, its criteria and the dissemination it asks for) is administered by the
network operator; it **awards** bursaries to educators. An award moves offered -> accepted -> visit
recorded -> dissemination recorded -> credential issued (or is withdrawn before that). The
**exchange-visit credential** (`credential`) is an OB 3.0 AchievementCredential signed by the operator's
did:web key, its dissemination carried as ``evidence``; the visit's host is either a **signed**
co-endorsement (the host's own EndorsementCredential of the credential, embedded in ``endorsement``) or a
**named, unsigned** host (an ``evidence`` entry of genre `credential.HOST_GENRE`), never mistaken for one
another. `service` keeps funds and awards; `api` and `pages` are the operator's (and a provider's reading)
ways in. Other domains use `service` and `credential`, never the tables.
"""
