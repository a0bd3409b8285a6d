"""Settings the worker and the API share: where complaints run and which policy they follow."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EngineSettings(BaseSettings):
    """Settings every process shares; COMPLAINTS_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_")

    task_queue: str = "complaints"
    journal_url: str = "sqlite:///.data/journal.sqlite3"
    """The case journal's database: a SQLite file, or `postgresql+psycopg://user@host/db`."""
    metrics_address: str | None = None
    """host:port where this process's Temporal runtime serves Prometheus /metrics (worker:
    workflow and activity metrics, `complaints_refused_writes`); unset: none."""
    max_cached_workflows: int = Field(default=100, ge=0)
    """Workflows the worker keeps in memory between tasks (the SDK's sticky cache; its own
    default is 1,000). Each cached complaint costs the worker memory: 100 keeps its RSS under
    256 MB however many complaints are open (docs/benchmarks.md, `make bench-scale`); one out of
    the cache is replayed from its history on its next task."""
    escalation_policy: Path = Field(
        default=Path("policy"),
        validation_alias="ESCALATION_POLICY",
        description="File or directory",
    )
