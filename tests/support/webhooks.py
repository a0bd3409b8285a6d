"""A local HTTP endpoint that keeps what apprise posts to it (an SMS gateway, a chat webhook)."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    payload: dict[str, Any]


@dataclass
class WebhookReceiver:
    """Answers 200, or `status` for paths that contain `fail`, and records every POST."""

    received: list[Received] = field(default_factory=list)
    failing_status: int = 500
    _server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def url(self, path: str) -> str:
        """An apprise json:// URL posting to `path` here."""
        return f"json://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"] or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                receiver.received.append(Received(self.path.split("?")[0], payload))
                self.send_response(receiver.failing_status if "fail" in self.path else 200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def at(self, path: str) -> list[dict[str, Any]]:
        return [item.payload for item in self.received if item.path == path]
