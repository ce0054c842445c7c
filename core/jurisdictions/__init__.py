"""行政区划: counties (jurisdictions), towns, villages and named groupings of schools."""
