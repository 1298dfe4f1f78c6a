"""Public verification: the VC-API verify endpoint, key and status resolution through a bounded
fetcher, the quality-assured trust registry, QR codes and the employer's page (see the verification
issue). The verification logic itself is `vc.verify`."""
