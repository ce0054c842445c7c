"""GraphQL of events: the inbox, webhooks and their deliveries."""
