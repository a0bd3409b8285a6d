"""The plain baseline's worker process: `PLAIN_TASK_QUEUE`, `TEMPORAL_ADDRESS`, `SMTP_PORT`.

    .venv/bin/python -m bench.plain_worker

Sandboxed workflows (the SDK's default) and one activity sending real email with aiosmtplib.
"""

import asyncio
import os
from email.message import EmailMessage

import aiosmtplib
from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker

from bench.plain_workflow import SEND_EMAIL, Email, PlainBreachWorkflow, PlainComplaintWorkflow

SENDER = "complaints@plain.example"


class Mailer:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    @activity.defn(name=SEND_EMAIL)
    async def send_email(self, email: Email) -> None:
        message = EmailMessage()
        message["From"] = SENDER
        message["To"] = email.to
        message["Subject"] = email.subject
        message.set_content(email.body)
        await aiosmtplib.send(message, hostname=self.host, port=self.port, timeout=10)


async def main() -> None:
    client = await Client.connect(os.environ["TEMPORAL_ADDRESS"])
    mailer = Mailer(os.environ.get("SMTP_HOST", "127.0.0.1"), int(os.environ["SMTP_PORT"]))
    worker = Worker(
        client,
        task_queue=os.environ["PLAIN_TASK_QUEUE"],
        workflows=[PlainComplaintWorkflow, PlainBreachWorkflow],
        activities=[mailer.send_email],
    )
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
