"""The learner's side of the network's lifelong-learning pathways: `progress` (their credentials handed to
`network.pathways`, milestones issued), `api` and `pages` (a section of the passport home and a page per
pathway under /passport/pathways)."""
