"""Public verification: the VC API verify endpoints, key and status resolution through a bounded fetcher,
the employer's pages and offline snapshots. The verification logic itself is `vc.verify`; the trust
registry it asks is the network operator's (`network`)."""
