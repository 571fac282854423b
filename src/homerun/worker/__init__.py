"""The worker: due jobs from the job table, run once each, by any number of nodes."""
