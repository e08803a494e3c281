"""A fake Claude on 127.0.0.1: the Messages API and the Bedrock runtime, for tests.

The real anthropic SDK talks to it over HTTP, so tests exercise the SDK's own
error classes, retries, timeouts, streaming and (for Bedrock) request signing
rather than a mock of them. A test scripts the replies; each call takes the
next one and the last one repeats. A test may instead set `responder` to
decide each reply from the call itself, which is how the soak test injects
faults per request. Nothing here listens beyond loopback.

Paths served:
- POST /v1/messages: the Messages API, JSON or (with "stream": true) SSE.
- POST /model/<id>/invoke: Bedrock's InvokeModel, the same JSON.
- POST /model/<id>/invoke-with-response-stream: Bedrock's stream, the same
  events in AWS event-stream frames.
"""

import base64
import json
import struct
import threading
import urllib.parse
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# The usage every scripted message reports, unless a test says otherwise.
INPUT_TOKENS = 321
OUTPUT_TOKENS = 54


@dataclass(frozen=True)
class Reply:
    """One scripted answer: HTTP status, JSON body, headers, delay."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0
    # For a streamed call: an error event sent after the message starts.
    stream_error: dict[str, Any] | None = None
    # For a streamed call: the body ends after the text, before the events
    # that carry the stop reason, as when a connection closes between events.
    stream_cut: bool = False


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def provider(self) -> str:
        """Which API was called: "anthropic" or "bedrock"."""
        return "bedrock" if self.path.startswith("/model/") else "anthropic"

    @property
    def model(self) -> str:
        """The model asked for: in the body, or in Bedrock's path."""
        if self.provider == "bedrock":
            return urllib.parse.unquote(self.path.split("/")[2])
        return str(self.body.get("model", ""))

    @property
    def streamed(self) -> bool:
        """Whether the caller asked for a streamed reply."""
        if self.provider == "bedrock":
            return self.path.endswith("/invoke-with-response-stream")
        return bool(self.body.get("stream"))

    @property
    def user_text(self) -> str:
        """The text of the (first) user message."""
        messages = self.body.get("messages") or [{}]
        content = messages[0].get("content", "")
        return content if isinstance(content, str) else json.dumps(content)


def message(
    text: str,
    stop_reason: str = "end_turn",
    input_tokens: int = INPUT_TOKENS,
    output_tokens: int = OUTPUT_TOKENS,
) -> Reply:
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
            "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
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


def failing_mid_stream(output: dict[str, Any], error_type: str) -> Reply:
    """A streamed answer that starts, then ends with an error event."""
    error = {"type": "error", "error": {"type": error_type, "message": "Fake."}}
    return Reply(200, valid(output).body, stream_error=error)


def cut_off_stream(output: dict[str, Any]) -> Reply:
    """A streamed answer whose body ends before its stop reason arrives."""
    return Reply(200, valid(output).body, stream_cut=True)


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

# What Bedrock calls the same failures, in its x-amzn-ErrorType header.
BEDROCK_ERRORS = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}


class FakeClaude:
    """The server, its script and what it received."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._script: list[Reply] = []
        self._stopping = threading.Event()
        self.calls: list[Call] = []
        self.on_call: Callable[[Call], None] | None = None
        self.responder: Callable[[Call], Reply] | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever)

    @property
    def base_url(self) -> str:
        """The URL to give the SDK (ANTHROPIC_BASE_URL, or Bedrock's)."""
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
            self.responder = None

    def take_reply(self, call: Call) -> Reply:
        """Record `call` and return the reply for it."""
        with self._lock:
            self.calls.append(call)
            if self.responder is not None:
                return self.responder(call)
            if not self._script:
                return api_error(500, "api_error")
            return self._script.pop(0) if len(self._script) > 1 else self._script[0]

    def pause(self, seconds: float) -> None:
        """Wait `seconds`, or less when the server stops."""
        self._stopping.wait(seconds)


def sse_events(reply: Reply) -> Iterator[dict[str, Any]]:
    """The Messages API stream events that add up to the reply's message."""
    body = reply.body
    usage = body["usage"]
    start = body | {
        "content": [],
        "stop_reason": None,
        "usage": {"input_tokens": usage["input_tokens"], "output_tokens": 1},
    }
    yield {"type": "message_start", "message": start}
    yield {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "text", "text": ""},
    }
    text = body["content"][0]["text"]
    if reply.stream_error is not None:
        yield reply.stream_error
        return
    for offset in range(0, len(text), 40):
        delta = {"type": "text_delta", "text": text[offset : offset + 40]}
        yield {"type": "content_block_delta", "index": 0, "delta": delta}
    if reply.stream_cut:
        return
    yield {"type": "content_block_stop", "index": 0}
    yield {
        "type": "message_delta",
        "delta": {"stop_reason": body["stop_reason"], "stop_sequence": None},
        "usage": {"output_tokens": usage["output_tokens"]},
    }
    yield {"type": "message_stop"}


def sse_payload(reply: Reply) -> bytes:
    """The reply as server-sent events, as the Messages API streams it."""
    lines = [
        f"event: {event['type']}\ndata: {json.dumps(event)}\n\n"
        for event in sse_events(reply)
    ]
    return "".join(lines).encode("utf-8")


def event_stream_payload(reply: Reply) -> bytes:
    """The reply as AWS event-stream frames, as Bedrock streams it."""
    frames = []
    for event in sse_events(reply):
        if event["type"] == "error":
            frames.append(_frame({"message": "Fake."}, exception="throttlingException"))
            break
        chunk = base64.b64encode(json.dumps(event).encode("utf-8")).decode("ascii")
        frames.append(_frame({"bytes": chunk}))
    return b"".join(frames)


def _frame(payload: dict[str, Any], exception: str | None = None) -> bytes:
    # One frame: total and header lengths, their CRC, the headers (type 7,
    # string), the payload, and the CRC of everything before it.
    headers = (
        {":message-type": "exception", ":exception-type": exception}
        if exception
        else {":message-type": "event", ":event-type": "chunk"}
    )
    headers[":content-type"] = "application/json"
    encoded = b"".join(
        bytes([len(name)])
        + name.encode()
        + b"\x07"
        + struct.pack(">H", len(value))
        + value.encode()
        for name, value in headers.items()
    )
    data = json.dumps(payload).encode("utf-8")
    prelude = struct.pack(">II", 16 + len(encoded) + len(data), len(encoded))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + data
    return message + struct.pack(">I", zlib.crc32(message))


def _handler_for(fake: FakeClaude) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Keep-alive, as the real APIs: the SDK reuses its connections.
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            call = Call(
                path=self.path,
                headers={key.lower(): value for key, value in self.headers.items()},
                body=json.loads(self.rfile.read(length) or b"{}"),
            )
            if call.provider == "anthropic" and call.path != "/v1/messages":
                self._send(404, b"{}", {})
                return
            if fake.on_call is not None:
                fake.on_call(call)
            reply = fake.take_reply(call)
            fake.pause(reply.delay_seconds)
            self._answer(call, reply)

        def _answer(self, call: Call, reply: Reply) -> None:
            if reply.status != 200:
                self._send(reply.status, *_error_for(call, reply))
            elif not call.streamed:
                self._send(200, json.dumps(reply.body).encode("utf-8"), {})
            elif call.provider == "bedrock":
                content_type = "application/vnd.amazon.eventstream"
                payload = event_stream_payload(reply)
                self._send(200, payload, {"content-type": content_type})
            else:
                content_type = "text/event-stream"
                self._send(200, sse_payload(reply), {"content-type": content_type})

        def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
            headers = {"content-type": "application/json"} | headers
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                # The client gave up (timeout test): nobody is left to answer.
                return

        def log_message(self, format: str, *args: Any) -> None:
            # Keep test output to what the tests print.
            return

    return Handler


def _error_for(call: Call, reply: Reply) -> tuple[bytes, dict[str, str]]:
    if call.provider == "anthropic":
        return json.dumps(reply.body).encode("utf-8"), reply.headers
    # Bedrock names the error in a header and says little in the body.
    name = BEDROCK_ERRORS.get(reply.status, "InternalServerException")
    body = {"message": reply.body.get("error", {}).get("message", "Fake.")}
    headers = {"x-amzn-errortype": name, "retry-after-ms": "1"}
    return json.dumps(body).encode("utf-8"), headers
