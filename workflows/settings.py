"""Settings the worker and the API share: where complaints run and which policy they follow."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from workflows.tracing import TracingSettings


class EngineSettings(BaseSettings):
    """Settings every process shares; COMPLAINTS_* environment variables; nested:
    COMPLAINTS_TRACING__ENDPOINT."""

    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_", env_nested_delimiter="__")

    task_queue: str = "complaints"
    journal_url: str = "sqlite:///.data/journal.sqlite3"
    """The case journal's database: a SQLite file, or `postgresql+psycopg://user@host/db`."""
    metrics_address: str | None = None
    """host:port where this process's Temporal runtime serves Prometheus /metrics (worker:
    Temporal's workflow and activity metrics and the business metrics of `workflows.metrics`);
    unset: none."""
    tracing: TracingSettings = TracingSettings()
    """Where traces go (OTLP/HTTP); off unless an endpoint is set."""
    max_cached_workflows: int = Field(default=100, ge=0)
    """Workflows the worker keeps in memory between tasks (the SDK's sticky cache; its own
    default is 1,000). Each cached complaint costs the worker memory: 100 keeps its RSS under
    256 MB however many complaints are open (docs/benchmarks.md, `make bench-scale`); one out of
    the cache is replayed from its history on its next task."""
    workflow_sandbox: bool = False
    """Run workflow code in the SDK's sandbox, which re-creates its modules for each workflow and
    refuses non-deterministic calls. The tests always run it (`worker.SANDBOX`), so every path
    they cover is checked; a production worker runs without it by default: with it, the worker
    used 1.7 times the CPU in a breach burst (docs/benchmarks.md). Turn it on to check a change
    against live traffic."""
    escalation_policy: Path = Field(
        default=Path("policy"),
        validation_alias="ESCALATION_POLICY",
        description="File or directory",
    )
