"""A logging filter for Rasa and the action server: no resident's text, slot value or tracker in any log line.

Rasa logs personal data in several ways, all seen in this project's logs:
- an action that fails makes the action server answer 500 with the whole request (the tracker: every slot
  value and message) as the body, and Rasa logs that body inside the exception's message;
- its structured log lines (structlog, rendered as JSON) carry the resident's text, e.g. when handling a
  message fails;
- at debug level it logs each message, its entities and every slot value.

Rasa replaces the log handlers after reading a logging config file (coloredlogs), so a filter on a handler
is not enough: creating ``PrivateLogFilter`` (as ``logging.yml`` beside this module does) also installs it as
the log record factory, so every record is cleaned when it is made, whichever handler prints it.
What is kept: the time, level, logger, the message's fixed wording, and tracebacks as file, line, function
and exception class, which is what diagnosing a failure needs.

Every record also gets the request id of the resident message being handled (``REQUEST_ID``), so one message
can be followed from the hub through Rasa and the actions to the back office. The hub makes the id (a random
hex string that says nothing about anyone) and passes it on: to Rasa as a header (bot/channels.py), to the
actions in the message's metadata (bot/action_server.py), to the back office as a header (bot/backoffice.py).
``JsonFormatter`` writes one JSON object per line for the production profile's log collectors.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

WITHHELD = "[withheld]"
DEBUG_WITHHELD = "[debug message withheld: it may hold a resident's data]"
# An HTTP error body quoted in a message (Rasa's ClientResponseError: "500, Internal Server Error, body='…'").
RESPONSE_BODY = re.compile(r"body=(['\"]).*", re.DOTALL)
# The keys of a structured (JSON) log line that say what happened without saying anything about anyone.
STRUCTURED_KEYS = ("event", "event_key", "level", "log_level", "timestamp", "logger")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

# The request id of the resident message this task is handling (None outside one), and how one looks: the hub
# makes 32 hex digits; an id from elsewhere is used only if it has this shape, so no text can ride in on it.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_SHAPE = re.compile(r"^[0-9a-f]{16,64}$")


def valid_request_id(value: object) -> str | None:
    """Return ``value`` if it has the shape of a request id, else None."""
    return value if isinstance(value, str) and REQUEST_ID_SHAPE.match(value) else None


class PrivateLogFilter(logging.Filter):
    """Clean each log record of message texts, slot values and exception messages (see the module's reasons)."""

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        install_record_factory()

    def filter(self, record: logging.LogRecord) -> bool:
        clean_record(record)
        return True


def install_record_factory() -> None:
    """Clean every log record of this process as it is created (once, however often it is called)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "private", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return clean_record(current(*args, **kwargs))

    factory.private = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def clean_record(record: logging.LogRecord) -> logging.LogRecord:
    """Rewrite ``record`` in place so that it holds no resident's data; return it."""
    if getattr(record, "private_clean", False):
        return record
    record.private_clean = True
    if getattr(record, "request_id", None) is None:
        record.request_id = REQUEST_ID.get()
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = describe_exception(record.exc_info)
        record.exc_info = None
    if record.levelno < logging.INFO:
        record.msg, record.args = DEBUG_WITHHELD, None
        return record
    record.msg, record.args = clean_message(record.msg, record.args), None
    return record


def clean_message(msg: object, args: Any) -> str:
    """Return the message as it may be logged: exceptions by class, structured data by event, bodies withheld."""
    if isinstance(msg, BaseException):
        return type(msg).__name__
    if args:
        args = tuple(
            type(a).__name__ if isinstance(a, BaseException) else a
            for a in (args if isinstance(args, tuple) else (args,))
        )
        try:
            text = str(msg) % args
        except (TypeError, ValueError, KeyError):
            text = str(msg)
    else:
        text = str(msg)
    return RESPONSE_BODY.sub(f"body={WITHHELD}", _clean_structured(text))


def _clean_structured(text: str) -> str:
    """Keep only the event of a structured (JSON) log line; its other fields carry texts and trackers."""
    if not text.startswith("{"):
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    kept: dict[str, Any] = {key: data[key] for key in STRUCTURED_KEYS if key in data}
    if data.get("exception"):
        kept["exception"] = [frame.get("exc_type") for frame in data["exception"] if isinstance(frame, dict)]
    withheld = sorted(set(data) - set(kept))
    if withheld:
        kept["withheld"] = withheld
    return json.dumps(kept)


def describe_exception(exc_info: ExcInfo) -> str:
    """Format a traceback with its frames and exception classes, but not the exceptions' messages."""
    lines: list[str] = []
    error: BaseException | None = exc_info[1]
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        frames = traceback.format_list(traceback.extract_tb(error.__traceback__)) if error.__traceback__ else []
        lines = [
            "Traceback (most recent call last):\n",
            *frames,
            f"{type(error).__module__}.{type(error).__qualname__}: {WITHHELD}\n",
            *lines,
        ]
        cause = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        if cause is not None:
            lines.insert(0, "\nThe above exception led to the one below.\n\n")
        error = cause
    return "".join(lines).strip("\n")


class JsonFormatter(logging.Formatter):
    """Write each (already cleaned) record as one JSON object: time, level, logger, message, request id, traceback.

    Rasa installs coloredlogs' handler after reading the logging config file, which would turn the lines back
    into coloured text; making this formatter stops that (coloredlogs.install becomes a no-op in this process),
    so the handlers of the config file stay. The privacy filter still runs first, at record creation.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep_configured_handlers()

    def format(self, record: logging.LogRecord) -> str:
        clean_record(record)
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            line["request_id"] = request_id
        if record.exc_text:
            line["traceback"] = record.exc_text
        return json.dumps(line)


def keep_configured_handlers() -> None:
    """Stop coloredlogs (Rasa's and rasa-sdk's start-up) from replacing the handlers the config file made."""
    try:
        import coloredlogs  # type: ignore[import-untyped,import-not-found,unused-ignore]  # Rasa's environment only
    except ImportError:
        return
    coloredlogs.install = lambda *args, **kwargs: None
