"""Events (事件): what changed, written with the change, and told to whoever must act next."""
