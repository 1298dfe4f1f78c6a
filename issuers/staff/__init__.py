"""Staff of the providers and of the network operator: accounts, roles, sign-in, and the audit trail."""
