"""drafter: drafts Chinese work summaries grounded in past summaries."""
