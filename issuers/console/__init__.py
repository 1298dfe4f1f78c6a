"""The provider console's home (figures) and its credentials: the list and search, one credential's page
with its history, revoking, suspending and reinstating with a reason, and re-sending the claim email."""
