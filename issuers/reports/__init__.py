"""What a provider finds and counts: its credentials and bulk jobs listed, filtered and paged
(`listing`), and the figures of its credentials and of the network (`statistics`), with their routes
(`api`)."""
