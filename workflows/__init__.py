"""Temporal workflows of the complaint engine."""
