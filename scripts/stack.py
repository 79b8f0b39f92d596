"""Train the model when the data changed, seed the demo database, and run the whole stack.

Used by `make run`, by the end-to-end and browser tests and by the benchmark, so that every one of them
starts the same processes the same way:
  - the action server (Rasa environment, bot/action_server.py: Rasa's shared secret only) on 127.0.0.1:<actions>,
  - the Rasa server on 127.0.0.1:<rasa>: the REST channel the hub uses, and its HTTP API only when
    CA_RASA_ENABLE_API=1 (then behind CA_RASA_TOKEN),
  - the API (back office, conversation hub, web chat) on 127.0.0.1:<api>,
  - in the production profile (`make run-production`, ``production_stack``): PostgreSQL for the back office and
    Rasa's tracker store, Redis for Rasa's lock store and the API's shared rate limits, several Rasa servers
    (one per core unless CA_RASA_SERVERS says), several API and action-server workers,
  - with CA_TELEGRAM_BOT_TOKEN set, the Telegram bridge; with CA_TELEGRAM_EMULATOR=1, a Telegram Bot API
    emulated on 127.0.0.1:8081 for it to talk to, with a page that acts as a Telegram client.
Each process logs to var/log/<name>.log; only a short summary is printed.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
RASA_ENV = ROOT / ".venv" / "rasa" / "bin"
APP_ENV = ROOT / ".venv" / "app" / "bin"
LOGS = ROOT / "var" / "log"
MODELS = ROOT / "models"
# Trained models are also kept outside the checkout, by fingerprint, so a fresh clone of the same data
# (or CI on this machine) reuses one instead of training it again.
MODEL_CACHE = Path(os.environ.get("CA_MODEL_CACHE", Path.home() / ".cache" / "council-assistant" / "models"))
SPACY_PIPELINE = ROOT / "bot" / "nlp" / "council_en"
# api.access.settings.RateLimits out of reach of any test or benchmark on loopback (CA_RATE_LIMITS).
UNTHROTTLED_LIMITS = json.dumps(
    {
        **dict.fromkeys(
            (
                "conversations_per_source",
                "messages_per_conversation",
                "messages_per_source",
                "stream_opens_per_source",
                "sign_ins_per_source",
            ),
            "100000/minute",
        ),
        "streams_per_conversation": 1000,
        "streams_per_officer": 1000,
    }
)

# What the trained model depends on: a change to any of these means a new model.
MODEL_INPUTS = (
    "config.yml",
    "domain",
    "data",
    "bot/nlp/build.py",
    "bot/nlp/sentence_features.py",
    "bot/nlp/intent_classifier.py",
    "bot/nlp/spelling.py",
    "bot/nlp/edits.py",
    "bot/nlp/vote_turn.py",
    "bot/nlp/script.py",
    "requirements/rasa.txt",
)
# Rasa keeps trained components in a cache (.rasa/) keyed by each component class's own source, config and
# inputs: a change elsewhere in its module (the intent classifier's neighbours, a helper it imports) restored the
# component trained by the old code into a model named for the new. The cache is kept per version of the
# project's pipeline code, so such a change trains afresh and a change of data alone still reuses what it can.
RASA_CACHES = ROOT / ".rasa"

DEV_SERVICE_TOKEN = "dev-service-token-change-me"  # noqa: S105  (the action server's; refused in production)
DEV_TELEGRAM_TOKEN = "dev-telegram-token-change-me"  # noqa: S105  (the Telegram bridge's; refused in production)
DEV_RASA_TOKEN = "dev-rasa-token-change-me"  # noqa: S105  (development default; refused in production)
DEV_ACTIONS_SECRET = "dev-actions-secret-change-me"  # noqa: S105  (Rasa's secret for the action server)
# The emulator's demo bot token (tools.telegram_emulator.app.DEMO_TOKEN): it means nothing to the real Telegram.
EMULATOR_BOT_TOKEN = "123456:demo-token-for-the-local-emulator"  # noqa: S105
# Logging of Rasa, the action server and the API: a filter withholds residents' texts, slot values and exception
# messages (bot/privacy/logs.py).
# Seconds the API keeps an idle client connection open. Far longer than HTTP clients keep one in their pools
# (httpx: 5 s; a reverse proxy's upstream pool: up to 60 s): with uvicorn's default of 5 s, a client reusing a
# connection just as uvicorn closed it lost the request unanswered and unstored (the load test's "lost" messages
# at 300 residents, a RemoteProtocolError or ReadError on the client).
API_KEEP_ALIVE_SECONDS = 75
LOGGING_CONFIG = "bot/privacy/logging.yml"
# The same, one JSON object a line with the request id of the resident message (the production profile).
JSON_LOGGING_CONFIG = "bot/privacy/logging-json.yml"


def new_seal_key() -> str:
    """Return a key for sealing tracker values (32 random bytes in url-safe base64, the Fernet format)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _files(relative: str) -> Iterator[Path]:
    path = ROOT / relative
    yield from (sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])


def pipeline_code_fingerprint() -> str:
    """Hash the project's pipeline code and the Rasa pins (MODEL_INPUTS without data, domain and config)."""
    digest = hashlib.sha256()
    for relative in MODEL_INPUTS:
        if relative.endswith((".py", ".txt")):
            digest.update(relative.encode())
            digest.update((ROOT / relative).read_bytes())
    return digest.hexdigest()[:16]


def rasa_cache_directory() -> Path:
    """Return Rasa's training cache for the current pipeline code, removing the caches of older code."""
    current = RASA_CACHES / f"cache-{pipeline_code_fingerprint()}"
    for old in RASA_CACHES.glob("cache*"):
        if old != current and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    return current


def model_fingerprint() -> str:
    """Hash the training data, domain, config and pipeline code into a short model name."""
    digest = hashlib.sha256()
    for relative in MODEL_INPUTS:
        for path in _files(relative):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_spacy_pipeline() -> None:
    """Build the project's spaCy pipeline if it is missing or older than its builder."""
    builder = ROOT / "bot" / "nlp" / "build.py"
    meta = SPACY_PIPELINE / "meta.json"
    if meta.exists() and meta.stat().st_mtime >= builder.stat().st_mtime:
        return
    _run_logged([str(RASA_ENV / "python"), "-m", "bot.nlp.build", str(SPACY_PIPELINE)], "spacy-build")


def ensure_model(*, quiet: bool = False) -> Path:
    """Return the trained model for the current data, training it first when there is none.

    A lock file makes a second caller (another test session, the benchmark) wait for the training under
    way rather than train the same model again.
    """
    MODELS.mkdir(parents=True, exist_ok=True)
    with (MODELS / ".train.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure_model_locked(quiet=quiet)


def _ensure_model_locked(*, quiet: bool) -> Path:
    build_spacy_pipeline()
    name = model_fingerprint()
    model = MODELS / f"{name}.tar.gz"
    cached = MODEL_CACHE / model.name
    if not model.exists() and cached.exists():
        shutil.copyfile(cached, model)
    if model.exists():
        if not quiet:
            print(f"==> model {model.name} is up to date")
        return model
    print(f"==> training the Rasa model {name} (a few minutes; full log in var/log/train.log)")
    started = time.monotonic()
    staging = MODELS / ".training"
    command = [
        str(RASA_ENV / "rasa"),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain",
        "--data",
        "data",
        "--out",
        str(staging),
        "--fixed-model-name",
        name,
    ]
    # Rasa writes the archive into a staging folder and it is moved into place whole: a training stopped while
    # the archive was being written left a truncated model that every later run took as up to date.
    shutil.rmtree(staging, ignore_errors=True)
    _run_logged(command, "train", progress=True)
    staged = staging / model.name
    if not staged.exists():
        raise SystemExit(f"training finished but {staged} is missing; see var/log/train.log")
    staged.replace(model)
    shutil.rmtree(staging, ignore_errors=True)
    MODEL_CACHE.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model, cached.with_suffix(".partial"))
    cached.with_suffix(".partial").replace(cached)
    print(f"==> model trained in {time.monotonic() - started:.0f} s")
    return model


def _run_logged(command: list[str], name: str, *, progress: bool = False) -> None:
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{name}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=_rasa_env())
        while process.poll() is None:
            time.sleep(2)
            if progress:
                _show_training_progress(log_path)
    if progress and sys.stdout.isatty():
        print()
    if process.returncode != 0:
        tail = log_path.read_text(errors="replace").splitlines()[-15:]
        raise SystemExit(f"{name} failed (exit {process.returncode}); last lines of {log_path}:\n" + "\n".join(tail))


STAGE = re.compile(r"(Starting to train component '?(\w+)'?|Epochs:\s+(\d+)%)")


_last_progress: list[str] = [""]


def _show_training_progress(log_path: Path) -> None:
    """Show the component being trained and its epoch progress.

    On a terminal it is one updating line; otherwise a new line per step of 10%, so CI logs stay short.
    """
    text = log_path.read_text(errors="replace")[-20000:]
    component, percent = "preparing", None
    for match in STAGE.finditer(text):
        if match.group(2):
            component, percent = match.group(2), None
        elif match.group(3):
            percent = int(match.group(3))
    bar = "" if percent is None else "[" + "#" * (percent // 5) + "." * (20 - percent // 5) + f"] {percent:3d}%"
    if sys.stdout.isatty():
        print(f"\r    training {component:<28} {bar:<28}", end="", flush=True)
        return
    step = f"{component} {'' if percent is None else percent // 10 * 10}"
    if step != _last_progress[0]:
        _last_progress[0] = step
        print(f"    training {component:<28} {bar}", flush=True)


def _rasa_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONWARNINGS": "ignore",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
            # the sentence featurizer's model ships in a package: never reach for the Hugging Face hub
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            # Rasa's and the action server's Sanic close idle connections after 5 s by default: the hub's pool
            # (httpx, 5 s) and Rasa's pool to the actions (aiohttp, 15 s) reused connections Sanic had just
            # closed, and the message got the apology. Keep them open longer than either client does.
            "SANIC_KEEP_ALIVE_TIMEOUT": str(API_KEEP_ALIVE_SECONDS),
        }
    )
    env.setdefault("RASA_CACHE_DIRECTORY", str(rasa_cache_directory()))
    env.update(extra or {})
    return env


def spawn(
    processes: dict[str, subprocess.Popen[bytes]], log_dir: Path, name: str, command: list[str], env: dict[str, str]
) -> None:
    """Start ``command`` as ``processes[name]``, logging to ``log_dir/<name>.log``."""
    # A process group of its own, so stopping it stops its children too. The child keeps its own
    # handle on the log file, so ours is closed straight away.
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / f"{name}.log").open("ab") as log:
        processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_processes(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """Stop every process (and its children), politely first."""
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    processes.clear()


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Stack:
    """The project's processes, on chosen ports, with a chosen database and tracker store."""

    api_port: int = 8000
    rasa_port: int = 5005
    actions_port: int = 5055
    smtp_port: int = 8025
    database_url: str = f"sqlite:///{ROOT / 'var' / 'council.db'}"
    tracker_db: Path = ROOT / "var" / "rasa_tracker.db"
    log_dir: Path = LOGS
    # Receipts and statements are sent over SMTP to a local mail sink, kept as a maildir here.
    mail_dir: Path = ROOT / "var" / "mail"
    # What the API is told it is (CA_ENVIRONMENT): development unless the caller's environment says otherwise.
    environment: str = field(default_factory=lambda: os.environ.get("CA_ENVIRONMENT", "development"))
    # The action server's token and the Telegram bridge's: each reaches only its own back-office endpoints.
    service_token: str = field(default_factory=lambda: os.environ.get("CA_SERVICE_TOKEN", DEV_SERVICE_TOKEN))
    telegram_token: str = field(default_factory=lambda: os.environ.get("CA_TELEGRAM_SERVICE_TOKEN", DEV_TELEGRAM_TOKEN))
    rasa_token: str = field(default_factory=lambda: os.environ.get("CA_RASA_TOKEN", DEV_RASA_TOKEN))
    # Rasa's HTTP API (trackers, model, events) stays off unless asked for; the hub needs only the REST channel.
    rasa_api: bool = field(default_factory=lambda: os.environ.get("CA_RASA_ENABLE_API", "") not in ("", "0"))
    # What Rasa shows the action server (endpoints.yml); nothing else may run an action.
    actions_secret: str = field(default_factory=lambda: os.environ.get("CA_ACTIONS_SECRET", DEV_ACTIONS_SECRET))
    # Tests and benchmarks start hundreds of conversations from 127.0.0.1, so their stacks lift the rate limits.
    unthrottled: bool = False
    # The API's clock starts here (ISO 8601, CA_CLOCK_START) and runs on; None is the real clock. The tests'
    # stack runs on a fixed working morning, so office hours and deadlines do not depend on when they run.
    clock_start: str | None = None
    # Seals personal values in Rasa's tracker store; every Rasa server of the stack must share it. A new one
    # per start is safe: a form in progress when the stack restarts asks its questions again.
    tracker_seal_key: str = field(default_factory=lambda: os.environ.get("CA_TRACKER_SEAL_KEY") or new_seal_key())
    # The production profile: a PostgreSQL tracker store (instead of the tracker_db SQLite file), Redis for
    # the lock store and the rate limits, and how many of each process. One of each is the embedded default.
    tracker_url: str | None = None
    redis_url: str | None = None
    rasa_servers: int = 1
    # The Rasa servers' ports (default: rasa_port and the ones after it).
    rasa_ports: list[int] = field(default_factory=list)
    api_workers: int = 1
    action_workers: int = 1
    # Threads each Rasa server's torch (the sentence encoder), TensorFlow (DIET) and BLAS may use for one
    # operation (CA_RASA_THREADS). None: the CPUs shared out between the Rasa servers when there are several
    # (each library would otherwise start one thread per core in every server, and N servers on N cores would
    # fight over them), the libraries' own default (every core) for a single server.
    rasa_threads: int | None = field(default_factory=lambda: _positive(os.environ.get("CA_RASA_THREADS")))
    log_config: str = LOGGING_CONFIG
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.rasa_ports:
            self.rasa_ports = [self.rasa_port + number for number in range(self.rasa_servers)]
        if len(self.rasa_ports) != self.rasa_servers or self.rasa_servers < 1:
            raise ValueError("give one port per Rasa server, and at least one server")
        self.rasa_port = self.rasa_ports[0]
        if self.rasa_threads is None and self.rasa_servers > 1:
            self.rasa_threads = max(1, cores() // self.rasa_servers)
        if self.rasa_servers > 1 and not (self.tracker_url and self.redis_url):
            # Each server would keep its own SQLite tracker and lock conversations only in its own memory.
            raise ValueError("several Rasa servers need a shared tracker store (PostgreSQL) and Redis's lock store")

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rasa_url(self) -> str:
        """The first Rasa server (the only one in the embedded default)."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa_urls(self) -> list[str]:
        """Every Rasa server, in the order the hub is given them (CA_RASA_URL as a comma list)."""
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    @staticmethod
    def rasa_name(number: int) -> str:
        """Return the process (and log) name of Rasa server ``number`` (0-based): rasa, rasa-2, rasa-3, ..."""
        return "rasa" if number == 0 else f"rasa-{number + 1}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def service_tokens(self) -> str:
        """CA_SERVICE_TOKENS for the API: the action server's token and the bridge's, each for its service."""
        return f"actions:{self.service_token},telegram:{self.telegram_token}"

    def seed(self) -> None:
        """Migrate the back-office database and seed the demo data if it is empty."""
        subprocess.run(
            [str(APP_ENV / "python"), "-m", "api.demo", "seed", "--url", self.database_url],
            cwd=ROOT,
            check=True,
            env=dict(os.environ, CA_ENVIRONMENT=self.environment),
        )

    def start(self, model: Path) -> None:
        """Start the action server, the Rasa servers and the API, and wait until each answers."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        self.mail_dir.parent.mkdir(parents=True, exist_ok=True)
        self._spawn(
            "actions",
            [
                str(RASA_ENV / "python"),
                "-m",
                "bot.action_server",
                "--actions",
                "bot.actions",
                "--port",
                str(self.actions_port),
                "--logging-config_file",
                self.log_config,
            ],
            _rasa_env(
                {
                    "SANIC_HOST": "127.0.0.1",
                    "CA_BACKOFFICE_URL": self.api_url,
                    "CA_ENVIRONMENT": self.environment,
                    "CA_SERVICE_TOKEN": self.service_token,
                    "CA_ACTIONS_SECRET": self.actions_secret,
                    "ACTION_SERVER_SANIC_WORKERS": str(self.action_workers),
                }
            ),
        )
        for number in range(self.rasa_servers):
            self.start_rasa(model, number)
        self._spawn(
            "smtp",
            [
                str(APP_ENV / "python"),
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.smtp_port}",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                str(self.mail_dir),
            ],
            dict(os.environ),
        )
        self._spawn("api", self._api_command(), self._api_env())
        self.wait_until_ready()

    def start_rasa(self, model: Path, number: int) -> None:
        """Start Rasa server ``number`` (0-based) on its port; a test can stop one and start it again."""
        http_api = ["--enable-api", "--auth-token", self.rasa_token] if self.rasa_api else []
        endpoints = "deploy/rasa/endpoints.yml" if self.tracker_url else "endpoints.yml"
        self._spawn(
            self.rasa_name(number),
            [
                str(RASA_ENV / "rasa"),
                "run",
                *http_api,
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.rasa_ports[number]),
                "--model",
                str(model),
                "--endpoints",
                endpoints,
                "--credentials",
                "credentials.yml",
                "--logging-config-file",
                self.log_config,
            ],
            self.rasa_environment(),
        )

    def rasa_environment(self) -> dict[str, str]:
        """Return the environment each Rasa server runs with: its action server, stores, seal key and threads."""
        return _rasa_env(
            {
                "CA_ACTION_ENDPOINT": f"{self.actions_url}/webhook",
                "CA_ACTIONS_SECRET": self.actions_secret,
                "CA_TRACKER_SEAL_KEY": self.tracker_seal_key,
                **self._rasa_stores(),
                **self.rasa_thread_settings(),
            }
        )

    def rasa_thread_settings(self) -> dict[str, str]:
        """Return the variables that hold a Rasa server to ``rasa_threads`` threads per operation (none if unset).

        torch reads OMP_NUM_THREADS when it starts, numpy's BLAS the OpenBLAS/MKL ones, and `rasa run` hands
        the TF_ ones to TensorFlow (rasa/utils/tensorflow/environment.py).
        """
        if self.rasa_threads is None:
            return {}
        threads = str(self.rasa_threads)
        return {
            "OMP_NUM_THREADS": threads,
            "MKL_NUM_THREADS": threads,
            "OPENBLAS_NUM_THREADS": threads,
            "TF_INTRA_OP_PARALLELISM_THREADS": threads,
            "TF_INTER_OP_PARALLELISM_THREADS": threads,
        }

    def _rasa_stores(self) -> dict[str, str]:
        """Return the variables of Rasa's endpoints file: its SQLite file, or PostgreSQL and Redis (deploy/rasa)."""
        if not self.tracker_url:
            return {"CA_TRACKER_DIALECT": "sqlite", "CA_TRACKER_DB": str(self.tracker_db)}
        tracker, lock = urlsplit(self.tracker_url), urlsplit(self.redis_url or "")
        return {
            "CA_TRACKER_HOST": tracker.hostname or "127.0.0.1",
            "CA_TRACKER_PORT": str(tracker.port or 5432),
            "CA_TRACKER_DB": tracker.path.lstrip("/"),
            "CA_TRACKER_USERNAME": tracker.username or "",
            "CA_TRACKER_PASSWORD": tracker.password or "",
            "CA_LOCK_STORE_HOST": lock.hostname or "127.0.0.1",
            "CA_LOCK_STORE_PORT": str(lock.port or 6379),
        }

    def _api_command(self) -> list[str]:
        workers = ["--workers", str(self.api_workers)] if self.api_workers > 1 else []
        return [
            str(APP_ENV / "uvicorn"),
            "api.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.api_port),
            *workers,
            "--no-access-log",
            # X-Forwarded-For is read by the API from CA_TRUSTED_PROXIES only (api/access/proxies.py): uvicorn would
            # believe it from any caller on loopback, where `make run` serves with no proxy in front.
            "--no-proxy-headers",
            "--log-config",
            self.log_config,
            "--timeout-graceful-shutdown",
            "5",
            "--timeout-keep-alive",
            str(API_KEEP_ALIVE_SECONDS),
        ]

    def _api_env(self) -> dict[str, str]:
        env = dict(
            os.environ,
            CA_ENVIRONMENT=self.environment,
            CA_DATABASE_URL=self.database_url,
            CA_RASA_URL=",".join(self.rasa_urls),
            CA_SERVICE_TOKENS=self.service_tokens,
            CA_SMTP_HOST="127.0.0.1",
            CA_SMTP_PORT=str(self.smtp_port),
            CA_TRACKER_STORE_URL=self.tracker_url or f"sqlite:///{self.tracker_db}",
        )
        if self.redis_url:
            env["CA_REDIS_URL"] = self.redis_url
        if self.unthrottled:
            env["CA_RATE_LIMITS"] = UNTHROTTLED_LIMITS
        if self.clock_start:
            env["CA_CLOCK_START"] = self.clock_start
        if self.database_url.startswith("postgresql") and "CA_DATABASE_POOL_SIZE" not in os.environ:
            size, overflow = api_pool_sizes(
                postgres_max_connections(self.database_url), self.api_workers, self.rasa_servers
            )
            env["CA_DATABASE_POOL_SIZE"], env["CA_DATABASE_MAX_OVERFLOW"] = str(size), str(overflow)
        if self.api_workers > 1:
            # prometheus_client's multiprocess mode: /metrics adds up every worker's counts (emptied each start).
            shared = self.log_dir / "prometheus"
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir(parents=True)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(shared)
        return env

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        spawn(self.processes, self.log_dir, name, command, env)

    def wait_until_ready(self, timeout: float = 900) -> None:
        """Wait until the action server, Rasa (model loaded) and the API answer.

        Rasa loads TensorFlow and the model in about a minute on an idle 2-core machine, but took over five on a
        busy one; a generous limit keeps a slow start from failing a test run (a process that dies fails at once).
        """
        checks = {
            "actions": f"{self.actions_url}/health",
            # the REST channel answers once the model is loaded (Rasa loads it before it listens)
            **{self.rasa_name(number): f"{url}/webhooks/rest/" for number, url in enumerate(self.rasa_urls)},
            # readiness: the API answers and reaches its database
            "api": f"{self.api_url}/api/ready",
        }
        deadline = time.monotonic() + timeout
        while not _port_open(self.smtp_port):
            if self.processes["smtp"].poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the mail sink did not start; see {self.log_dir / 'smtp.log'}")
            time.sleep(0.2)
        for name, url in checks.items():
            while True:
                process = self.processes[name]
                if process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{name} exited with {process.returncode}; see {self.log_dir / name}.log")
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{name} did not start within {timeout:.0f} s; see {self.log_dir / name}.log")
                time.sleep(0.5)

    def stop(self) -> None:
        """Stop every process (and its children), politely first."""
        stop_processes(self.processes)


@dataclass
class TelegramChannel:
    """The Telegram bridge for a running hub and, for tests and the local demo, the Bot API emulator it uses."""

    hub_url: str
    service_token: str
    bot_token: str = EMULATOR_BOT_TOKEN
    log_dir: Path = LOGS
    # Run the emulator on this port and point the bridge at it; None means the real Telegram.
    emulator_port: int | None = None
    mode: str = "polling"
    # Webhook mode with the emulator: where the bridge listens, and the secret the emulator must present.
    webhook_port: int = 8082
    webhook_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    outbox_poll_seconds: float = 0.5
    hub_retry_max_seconds: float = 30.0
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def emulator_url(self) -> str:
        return f"http://127.0.0.1:{self.emulator_port}"

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.webhook_port}/telegram"

    def start(self, timeout: float = 60) -> None:
        """Start the emulator (if wanted) and the bridge, and wait until the bridge polls or its webhook is set."""
        env = dict(
            os.environ,
            CA_TELEGRAM_BOT_TOKEN=self.bot_token,
            CA_TELEGRAM_MODE=self.mode,
            CA_HUB_URL=self.hub_url,
            CA_SERVICE_TOKEN=self.service_token,
            CA_OUTBOX_POLL_SECONDS=str(self.outbox_poll_seconds),
            CA_HUB_RETRY_MAX_SECONDS=str(self.hub_retry_max_seconds),
        )
        if self.emulator_port is not None:
            spawn(
                self.processes,
                self.log_dir,
                "telegram-emulator",
                [
                    str(APP_ENV / "python"),
                    "-m",
                    "tools.telegram_emulator",
                    "--port",
                    str(self.emulator_port),
                    "--token",
                    self.bot_token,
                ],
                dict(os.environ),
            )
            env.update(
                CA_TELEGRAM_API_URL=f"{self.emulator_url}/bot", CA_TELEGRAM_FILE_URL=f"{self.emulator_url}/file/bot"
            )
            if self.mode == "webhook":
                env.update(
                    CA_TELEGRAM_WEBHOOK_URL=self.webhook_url,
                    CA_TELEGRAM_WEBHOOK_PORT=str(self.webhook_port),
                    CA_TELEGRAM_WEBHOOK_PATH="telegram",
                    CA_TELEGRAM_WEBHOOK_SECRET=self.webhook_secret,
                )
        spawn(self.processes, self.log_dir, "telegram", [str(APP_ENV / "python"), "-m", "telegram_bridge"], env)
        self.wait_until_ready(timeout)

    def wait_until_ready(self, timeout: float) -> None:
        """Wait until the emulator has seen the bridge poll or set its webhook (or, on Telegram, a few seconds)."""
        started = time.monotonic()
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{name} exited with {process.returncode}; see {self.log_dir / name}.log")
            if self.emulator_port is None:
                if time.monotonic() - started > 3:
                    return
            elif self._bridge_connected():
                return
            if time.monotonic() - started > timeout:
                self.stop()
                raise RuntimeError(f"the Telegram bridge did not start; see {self.log_dir / 'telegram.log'}")
            time.sleep(0.2)

    def _bridge_connected(self) -> bool:
        try:
            status = httpx.get(f"{self.emulator_url}/emulator/status", timeout=2).json()
        except httpx.HTTPError:
            return False
        if self.mode == "webhook":
            return bool(status["webhook_url"])
        return status["polled_seconds_ago"] is not None

    def stop(self) -> None:
        """Stop the bridge and the emulator."""
        stop_processes(self.processes)


def telegram_from_environment(stack: Stack) -> TelegramChannel | None:
    """Return the Telegram channel ``make run`` should start: a bot token, or the emulator, or neither."""
    token = os.environ.get("CA_TELEGRAM_BOT_TOKEN", "")
    emulated = os.environ.get("CA_TELEGRAM_EMULATOR", "") not in ("", "0")
    if not (token or emulated):
        return None
    channel = TelegramChannel(
        hub_url=stack.api_url,
        service_token=stack.telegram_token,
        bot_token=token or EMULATOR_BOT_TOKEN,
        log_dir=stack.log_dir,
        mode=os.environ.get("CA_TELEGRAM_MODE", "polling"),
    )
    if emulated:
        channel.emulator_port = int(os.environ.get("CA_TELEGRAM_EMULATOR_PORT", "8081"))
    return channel


# The production profile's defaults on one machine: PostgreSQL and Redis as installed locally (trust auth).
PRODUCTION_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/council_prod"
PRODUCTION_TRACKER_URL = "postgresql://postgres@127.0.0.1:5432/council_prod_tracker"
PRODUCTION_REDIS_URL = "redis://127.0.0.1:6379/0"


def cores() -> int:
    """Return the CPUs this process may use."""
    return len(os.sched_getaffinity(0))


def _positive(setting: str | None) -> int | None:
    """Read a count setting: None when unset or empty, else a whole number of at least 1."""
    if not setting:
        return None
    if not setting.strip().isdigit() or int(setting) < 1:
        raise ValueError(f"expected a whole number of at least 1, not {setting!r}")
    return int(setting)


def ensure_postgres_database(url: str) -> None:
    """Create the database ``url`` names on its server if it is missing (connecting as the URL's user)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"==> created the PostgreSQL database {name}")


# PostgreSQL refuses connections past max_connections (100 by default, 3 kept for superusers). Each API worker
# could open 100 (pool 20 + overflow 80, sized for SQLite bursts), so two workers at 300 residents at once were
# refused by PostgreSQL and residents got "busy" (8 of 1,200 in `make load`, 2026-12-04). The production profile
# shares what PostgreSQL allows between the API workers, after each Rasa server's tracker store (SQLAlchemy's
# default pool: 5 + 10) and a margin for migrations, the console tools and psql; a request then waits for a
# pooled connection (up to 60 s) instead of being refused.
POSTGRES_SUPERUSER_RESERVED = 3
RASA_TRACKER_CONNECTIONS = 15
POSTGRES_MARGIN = 10


def api_pool_sizes(max_connections: int, api_workers: int, rasa_servers: int) -> tuple[int, int]:
    """Return each API worker's pool size and overflow so that all of them and Rasa fit ``max_connections``."""
    budget = max_connections - POSTGRES_SUPERUSER_RESERVED - POSTGRES_MARGIN - rasa_servers * RASA_TRACKER_CONNECTIONS
    per_worker = max(4, budget // max(1, api_workers))
    size = max(2, per_worker // 4)
    return size, per_worker - size


def postgres_max_connections(url: str) -> int:
    """Ask the PostgreSQL server ``url`` names how many connections it allows."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=5) as connection:
        row = connection.execute("SHOW max_connections").fetchone()
    return int(row[0]) if row else 100


def production_stack(**ports: int) -> Stack:
    """Return the production profile: PostgreSQL, Redis, CA_RASA_SERVERS Rasa servers and several workers.

    Each setting comes from the environment when set (CA_DATABASE_URL, CA_TRACKER_STORE_URL, CA_REDIS_URL,
    CA_RASA_SERVERS, CA_RASA_THREADS, CA_API_WORKERS, CA_ACTION_WORKERS), else from the local defaults above: one
    Rasa server per core (each with its share of the cores' threads), as many API workers, two action-server
    workers. Logs are JSON lines with request ids.
    """
    return Stack(
        database_url=os.environ.get("CA_DATABASE_URL", PRODUCTION_DATABASE_URL),
        tracker_url=os.environ.get("CA_TRACKER_STORE_URL", PRODUCTION_TRACKER_URL),
        redis_url=os.environ.get("CA_REDIS_URL", PRODUCTION_REDIS_URL),
        rasa_servers=int(os.environ.get("CA_RASA_SERVERS", cores())),
        api_workers=int(os.environ.get("CA_API_WORKERS", max(2, cores()))),
        action_workers=int(os.environ.get("CA_ACTION_WORKERS", 2)),
        log_config=JSON_LOGGING_CONFIG,
        **ports,
    )


def prepare_production(stack: Stack) -> None:
    """Create the profile's PostgreSQL databases if missing and check Redis answers, before anything starts."""
    for url in (stack.database_url, stack.tracker_url or ""):
        if url.startswith("postgresql"):
            ensure_postgres_database(url)
    import redis

    redis.Redis.from_url(stack.redis_url or PRODUCTION_REDIS_URL, socket_connect_timeout=5).ping()


def main(profile: str = "embedded") -> None:
    """Prepare everything that is missing, start the stack and keep it running until Ctrl-C."""
    stack = production_stack() if profile == "production" else Stack()
    if profile == "production":
        prepare_production(stack)
    telegram = telegram_from_environment(stack)
    model = ensure_model()
    stack.seed()
    print("==> starting the action server, Rasa and the API (logs in var/log/)")
    started = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        stack.start(model)
        print(f"==> ready in {time.monotonic() - started:.0f} s\n")
        print(
            f"    Environment:        {stack.environment} (CA_ENVIRONMENT)"
            + (": published development tokens; never expose it" if stack.environment == "development" else "")
        )
        print(f"    Web chat:           {stack.api_url}/")
        print(f"    Officer console:    {stack.api_url}/console (demo officers below)")
        print(f"    API and its schema: {stack.api_url}/docs")
        print(
            f"    Rasa (loopback):    {', '.join(stack.rasa_urls)} (HTTP API {'on' if stack.rasa_api else 'off'})   "
            f"actions: {stack.actions_url}"
        )
        if profile == "production":
            print(
                f"    Production profile: {stack.rasa_servers} Rasa servers ({_threads(stack.rasa_threads)} each), "
                f"{stack.api_workers} API workers, "
                f"{stack.action_workers} action-server workers; PostgreSQL {_without_password(stack.database_url)} "
                f"and {_without_password(stack.tracker_url or '')}; Redis {_without_password(stack.redis_url or '')}"
            )
        print(f"    Emails (receipts):  SMTP 127.0.0.1:{stack.smtp_port}, kept in {stack.mail_dir}")
        if telegram:
            telegram.start()
            where = (
                f"the emulated Bot API; its Telegram client: {telegram.emulator_url}/"
                if telegram.emulator_port
                else "Telegram"
            )
            print(f"    Telegram bridge:    {telegram.mode}, on {where}")
        print()
        print("    Demo residents to try (make demo-residents prints them as JSON):")
        subprocess.run(
            [str(APP_ENV / "python"), "-m", "api.demo", "residents", "--url", stack.database_url, "--brief"],
            cwd=ROOT,
            check=False,
            env=dict(os.environ, CA_ENVIRONMENT=stack.environment),
        )
        print("\n    Press Ctrl-C to stop.")
        processes = {**stack.processes, **(telegram.processes if telegram else {})}
        while all(p.poll() is None for p in processes.values()):
            time.sleep(1)
        died = [name for name, p in processes.items() if p.poll() is not None]
        print(f"\n==> {', '.join(died)} stopped unexpectedly; see var/log/. Stopping the rest.")
    except KeyboardInterrupt:
        print("\n==> stopping")
    finally:
        if telegram:
            telegram.stop()
        stack.stop()
        print("==> stopped")


def _threads(threads: int | None) -> str:
    """Say how many compute threads each Rasa server has: '1 thread', '2 threads', or the libraries' default."""
    if threads is None:
        return "default threads"
    return f"{threads} thread" + ("" if threads == 1 else "s")


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.split("@")[-1]).geturl()


USAGE = "usage: scripts/stack.py [embedded | production | model]   (make run, make run-production, make model)"

if __name__ == "__main__":
    # "stack.py --help" started the whole stack (any word was taken for the embedded profile): only these three.
    command = sys.argv[1] if len(sys.argv) > 1 else "embedded"
    if command in ("-h", "--help", "help"):
        print(f"{__doc__}\n{USAGE}")
    elif command == "model":
        ensure_model()
    elif command in ("embedded", "production") and len(sys.argv) <= 2:
        main(command)
    else:
        sys.exit(f"{USAGE}\nnot understood: {' '.join(sys.argv[1:])}")
