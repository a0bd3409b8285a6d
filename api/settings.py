"""API settings, read from the environment."""

from pydantic_settings import BaseSettings, SettingsConfigDict

from workflows.client import TASK_QUEUE


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_")

    task_queue: str = TASK_QUEUE
