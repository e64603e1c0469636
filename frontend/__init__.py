"""Frontend: the pages operators see (templates, static files, no build step)."""
