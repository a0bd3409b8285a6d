"""HTTP API of the complaint engine."""
