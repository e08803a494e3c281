"""A fake Anthropic Messages API on 127.0.0.1, for tests.

The real anthropic SDK talks to it over HTTP, so tests exercise the SDK's own
error classes, retries and timeouts rather than a mock of them. A test
scripts the replies; each POST /v1/messages takes the next one and the last
one repeats. Nothing here listens beyond loopback.
"""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One scripted answer: HTTP status, JSON body, headers, delay."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def message(text: str, stop_reason: str = "end_turn") -> Reply:
    """A 200 Messages API answer whose only content block is `text`."""
    return Reply(
        200,
        {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": "fake-model",
            "content": [{"type": "text", "text": text}],
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": 321, "output_tokens": 54},
        },
    )


def valid(output: dict[str, Any]) -> Reply:
    """The output as bare JSON, as structured output returns it."""
    return message(json.dumps(output))


def fenced(output: dict[str, Any]) -> Reply:
    """The output inside a ```json fence."""
    return message("```json\n" + json.dumps(output, indent=2) + "\n```")


def in_prose(output: dict[str, Any]) -> Reply:
    """The output with a sentence before and after it."""
    return message(
        "Here is the record you asked for: "
        + json.dumps(output)
        + "\nTell me if a field looks {off}."
    )


def truncated(output: dict[str, Any]) -> Reply:
    """The output cut off half way, as when max_tokens is reached."""
    text = json.dumps(output)
    return message(text[: len(text) // 2], stop_reason="max_tokens")


def refusal() -> Reply:
    """A refusal: stop_reason "refusal" and no JSON."""
    return message("I can't help with that request.", stop_reason="refusal")


def slow(output: dict[str, Any], seconds: float) -> Reply:
    """A valid answer that arrives after `seconds`."""
    return Reply(200, valid(output).body, delay_seconds=seconds)


def api_error(status: int, error_type: str) -> Reply:
    """An error in the shape the Messages API sends it."""
    return Reply(
        status,
        {
            "type": "error",
            "error": {"type": error_type, "message": f"Fake {error_type}."},
            "request_id": "req_fake",
        },
        # A short retry-after keeps the SDK's own quick retries fast.
        headers={"retry-after-ms": "1", "request-id": "req_fake"},
    )


ERRORS = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
    529: "overloaded_error",
}


class FakeClaude:
    """The server, its script and what it received."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._script: list[Reply] = []
        self._stopping = threading.Event()
        self.calls: list[Call] = []
        self.on_call: Callable[[Call], None] | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever)

    @property
    def base_url(self) -> str:
        """The URL to give the SDK (ANTHROPIC_BASE_URL)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and wake any reply that is still waiting."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def script(self, *replies: Reply) -> None:
        """Answer the next calls with `replies`, repeating the last one."""
        with self._lock:
            self._script = list(replies)
            self.calls = []
            self.on_call = None

    def take_reply(self, call: Call) -> Reply:
        """Record `call` and return the scripted reply for it."""
        with self._lock:
            self.calls.append(call)
            if not self._script:
                return api_error(500, "api_error")
            return self._script.pop(0) if len(self._script) > 1 else self._script[0]

    def pause(self, seconds: float) -> None:
        """Wait `seconds`, or less when the server stops."""
        self._stopping.wait(seconds)


def _handler_for(fake: FakeClaude) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            call = Call(
                path=self.path,
                headers={key.lower(): value for key, value in self.headers.items()},
                body=json.loads(self.rfile.read(length) or b"{}"),
            )
            if fake.on_call is not None:
                fake.on_call(call)
            reply = fake.take_reply(call)
            fake.pause(reply.delay_seconds)
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            payload = json.dumps(reply.body).encode("utf-8")
            try:
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                # The client gave up (timeout test): nobody is left to answer.
                return

        def log_message(self, format: str, *args: Any) -> None:
            # Keep test output to what the tests print.
            return

    return Handler
