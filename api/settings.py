"""One settings class for the API process, read from the environment (prefix ``CA_``) and validated at start-up."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from api.access.proxies import parse_networks
from api.access.settings import RateLimits
from api.officers.sealing import DEV_SECOND_FACTOR_KEY, SecretSeal, key_problem
from api.service_access.tokens import ServiceToken, parse_service_tokens
from council import council_facts

ROOT = Path(__file__).resolve().parent.parent

# Development defaults, published in this repository: production refuses every one of them.
DEV_SERVICE_TOKEN = "dev-service-token-change-me"  # noqa: S105  (the action server's development token)
DEV_TELEGRAM_TOKEN = "dev-telegram-token-change-me"  # noqa: S105  (the Telegram bridge's development token)
DEV_SECRET_KEY = "dev-secret-key-change-me"  # noqa: S105
# The shortest secret production accepts: 32 characters of token_urlsafe carry 192 bits.
MIN_SECRET_LENGTH = 32


def _development_service_tokens() -> list[ServiceToken]:
    return [ServiceToken("actions", DEV_SERVICE_TOKEN), ServiceToken("telegram", DEV_TELEGRAM_TOKEN)]


class Settings(BaseSettings):
    """Configuration of the back office, the conversation hub and the web chat."""

    model_config = SettingsConfigDict(env_prefix="CA_", env_file=ROOT / ".env", extra="ignore")

    # No default: a deployment must say what it is, so a forgotten variable cannot quietly mean development
    # (its published tokens, a cookie without Secure). `make` sets development and says so.
    environment: Literal["development", "test", "production"]
    database_url: str = f"sqlite:///{ROOT / 'var' / 'council.db'}"
    # Tokens the back office accepts, each for one service ("actions" or "telegram"): a comma list
    # actions:TOKEN,telegram:TOKEN or a JSON object {"actions": "TOKEN", "telegram": "TOKEN"}.
    service_tokens: Annotated[list[ServiceToken], NoDecode] = Field(default_factory=_development_service_tokens)
    # Keys the API's HMACs (client-address keys; the hub's per-conversation grants).
    secret_key: str = DEV_SECRET_KEY
    # Seals officers' second-factor (TOTP) secrets in the database (api.officers.sealing): one Fernet key, or
    # several comma-separated while rotating (the first seals, every one opens).
    second_factor_key: str = Field(default=DEV_SECOND_FACTOR_KEY, repr=False)

    # How long the grant the hub gives the bot with each message lets the actions reach that conversation's
    # records (api.service_access.grants): long enough for Rasa to answer under load, no longer.
    conversation_grant_seconds: int = Field(default=120, ge=5, le=900)

    # One Rasa server, or several as a comma list (http://a:5005,http://b:5005): the hub spreads conversations
    # over them and fails over when one is down (api/conversations/rasa_client.py); a down server is skipped
    # for ``rasa_retry_seconds``.
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 30.0
    rasa_retry_seconds: float = Field(default=10.0, ge=0)
    # Each Rasa server is sent ``rasa_in_flight`` messages at a time by each API worker; the others wait their
    # turn in the hub, without holding a thread, so the timeout covers only Rasa's own work and a burst is
    # answered more slowly, not refused (api/conversations/backlog.py). Only a hopeless wait is refused ("busy,
    # try again": 503 with Retry-After, the message kept): over ``rasa_busy_after_seconds`` by the server's
    # measured pace, or ``rasa_max_queued`` messages already in line. 0 turns either off.
    rasa_in_flight: int = Field(default=4, ge=1)
    rasa_busy_after_seconds: float = Field(default=180.0, ge=0)
    rasa_max_queued: int = Field(default=500, ge=0)

    # The council's name, phone number and payment page: council/facts.yml unless a deployment says otherwise.
    council_name: str = council_facts().name
    council_phone: str = council_facts().phone
    council_payment_url: str = council_facts().payment_url
    council_payment_phone: str = council_facts().payment_phone
    # Hours when officers answer live chats, local time; outside them a callback is recorded.
    officer_hours_start: int = 9
    officer_hours_end: int = 17
    timezone: str = "Europe/London"
    # The council's clock starts at this moment and runs on from there (api.clock); unset, the real clock.
    # For tests and demos of a given day: the end-to-end tests' stack runs on a fixed working morning.
    clock_start: datetime | None = None
    # An open event stream wakes as soon as its conversation has a new message (stored by this worker, or by
    # another one: PostgreSQL's LISTEN/NOTIFY, api/conversations/changes.py). It also looks every
    # ``push_poll_seconds`` whether its client has gone, and reads the database anyway every
    # ``push_fallback_seconds`` (default: 5 s on SQLite, 30 s on PostgreSQL; every look while the listener is
    # not connected).
    push_poll_seconds: float = 0.5
    push_fallback_seconds: float | None = None

    # Database connections per process: kept, added under load, and seconds a request waits for one.
    database_pool_size: int = 20
    database_max_overflow: int = 80
    database_pool_timeout_seconds: float = 60.0
    # Threads for resident messages (each waits on Rasa) and, separately, for every other route.
    hub_threads: int = 200
    worker_threads: int = 100

    # Officer console sessions end after this long without a request, and after this long at most.
    console_idle_minutes: int = 30
    console_session_hours: int = 10
    # Send the console cookie only over HTTPS; on by default in production (plain http://127.0.0.1 in dev).
    console_secure_cookie: bool | None = None
    # Officers must use a second factor (TOTP) to sign in; on by default in production.
    console_require_second_factor: bool | None = None

    # The mail server that sends receipts and statements (plain SMTP, as to a local relay).
    # How often receipts queued while the mail server was down are retried (0 turns retrying off).
    document_retry_seconds: float = 60.0
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_from: str = "no-reply@ashdownvale.example"
    smtp_timeout_seconds: float = 10.0

    # Abuse limits (api/access): counted in Redis when set, so several API workers share them, else in memory.
    redis_url: str | None = None
    rate_limits: RateLimits = Field(default_factory=RateLimits)  # CA_RATE_LIMITS='{"messages_per_conversation": ...}'
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # Proxies whose X-Forwarded-For names the client (addresses or networks, a comma list): none by default, so a
    # caller cannot name a new address per request; the servers run with uvicorn's --no-proxy-headers.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Retention schedule (see README "Privacy"): chat transcripts, handoffs, notes and Rasa's tracker events;
    # identity-check records; the audit log of officers' views, exports and erasures. The purge deletes what is
    # older, every ``purge_interval_seconds`` in the API (0 turns the loop off; `make purge` runs it once).
    retention_transcript_days: int = Field(default=90, ge=1)
    retention_verification_days: int = Field(default=30, ge=1)
    retention_audit_days: int = Field(default=730, ge=1)
    purge_interval_seconds: float = 3600.0
    # Rasa's tracker store (the SQL database in endpoints.yml), so the purge and erasure reach its events.
    tracker_store_url: str = f"sqlite:///{ROOT / 'var' / 'rasa_tracker.db'}"
    # A resolved or handed-back conversation stays open to its team this long; after it, only supervisors.
    console_closed_visible_hours: float = 24.0
    # Bearer token Prometheus sends to scrape /metrics; unset, /metrics answers loopback callers only.
    metrics_token: str | None = None

    @property
    def push_fallback(self) -> float:
        """Seconds between database reads of an open event stream whatever the in-memory counter says."""
        if self.push_fallback_seconds is not None:
            return self.push_fallback_seconds
        return 5.0 if self.database_url.startswith("sqlite") else 30.0

    @property
    def console_cookie_secure(self) -> bool:
        """Whether the console's session cookie carries the Secure attribute."""
        return self.environment == "production" if self.console_secure_cookie is None else self.console_secure_cookie

    @property
    def console_second_factor_required(self) -> bool:
        """Whether an officer without a second factor must set one up before using the console."""
        if self.console_require_second_factor is None:
            return self.environment == "production"
        return self.console_require_second_factor

    def second_factor_seal(self) -> SecretSeal:
        """Return what seals and opens officers' second-factor secrets with ``CA_SECOND_FACTOR_KEY``."""
        return SecretSeal(self.second_factor_key)

    @field_validator("second_factor_key")
    @classmethod
    def _check_second_factor_key(cls, value: str) -> str:
        problem = key_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _read_trusted_proxies(cls, value: Any) -> list[str]:
        return parse_networks(value or "")

    @field_validator("service_tokens", mode="before")
    @classmethod
    def _read_service_tokens(cls, value: Any) -> list[ServiceToken]:
        return parse_service_tokens(value)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        """Refuse to start production with a published secret, a short one, or a cookie sent over plain HTTP."""
        if self.environment != "production":
            return self
        held = {
            "CA_SECRET_KEY": [self.secret_key],
            "CA_SECOND_FACTOR_KEY": [key.strip() for key in self.second_factor_key.split(",")],
            "CA_SERVICE_TOKENS": [token.token for token in self.service_tokens],
            "CA_METRICS_TOKEN": [self.metrics_token] if self.metrics_token else [],
        }
        problems = [
            f"{name} holds a development default"
            for name, values in held.items()
            if {DEV_SERVICE_TOKEN, DEV_TELEGRAM_TOKEN, DEV_SECRET_KEY, DEV_SECOND_FACTOR_KEY} & set(values)
        ]
        problems += [
            f"{name} holds a secret shorter than {MIN_SECRET_LENGTH} characters"
            for name, values in held.items()
            if any(len(value) < MIN_SECRET_LENGTH for value in values)
        ]
        if self.console_secure_cookie is False:
            problems.append("CA_CONSOLE_SECURE_COOKIE=false would send officers' session cookies over plain HTTP")
        if problems:
            raise ValueError("production refuses unsafe settings: " + "; ".join(problems))
        return self


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
