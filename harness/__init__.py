"""Real components started in-process for tests and benchmarks: SMTP, Temporal, the API."""
