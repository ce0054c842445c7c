"""Who may see and change what: staff accounts, partner-agency API keys, scope, masking, audit."""
