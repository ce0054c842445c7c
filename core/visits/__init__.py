"""家访与帮扶: home visits (家访/师访万家/大家访) and support plans (一生一策, 结对帮扶)."""
