"""Settings fail closed: the environment is explicit, production refuses unsafe values, tokens name their service."""

from __future__ import annotations

import base64
import secrets

import pytest
from pydantic import ValidationError

from api.service_access.tokens import ServiceToken
from api.settings import DEV_SECOND_FACTOR_KEY, DEV_SECRET_KEY, DEV_SERVICE_TOKEN, DEV_TELEGRAM_TOKEN, Settings
from telegram_bridge.settings import BridgeSettings

STRONG_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
STRONG = {
    "secret_key": secrets.token_urlsafe(32),
    "second_factor_key": STRONG_KEY,
    "service_tokens": f"actions:{secrets.token_urlsafe(32)},telegram:{secrets.token_urlsafe(32)}",
}


@pytest.fixture(autouse=True)
def no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read only what each test sets (make exports CA_ENVIRONMENT=development for every command)."""
    for name in (
        "CA_ENVIRONMENT",
        "CA_SERVICE_TOKENS",
        "CA_SECRET_KEY",
        "CA_CONSOLE_SECURE_COOKIE",
        "CA_SECOND_FACTOR_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(Settings.model_config, "env_file", None)


def test_the_api_will_not_start_without_being_told_its_environment() -> None:
    with pytest.raises(ValidationError, match="environment"):
        Settings()


def test_the_environment_comes_from_ca_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CA_ENVIRONMENT", "development")
    settings = Settings()
    assert settings.environment == "development" and not settings.console_cookie_secure


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"secret_key": DEV_SECRET_KEY}, "CA_SECRET_KEY holds a development default"),
        ({"second_factor_key": DEV_SECOND_FACTOR_KEY}, "CA_SECOND_FACTOR_KEY holds a development default"),
        ({"second_factor_key": f"{STRONG_KEY},{DEV_SECOND_FACTOR_KEY}"}, "CA_SECOND_FACTOR_KEY holds a development"),
        ({"service_tokens": f"actions:{DEV_SERVICE_TOKEN}"}, "CA_SERVICE_TOKENS holds a development default"),
        ({"service_tokens": f"telegram:{DEV_TELEGRAM_TOKEN}"}, "CA_SERVICE_TOKENS holds a development default"),
        ({"secret_key": "k" * 31}, "CA_SECRET_KEY holds a secret shorter than 32"),
        ({"service_tokens": "actions:" + "t" * 31}, "CA_SERVICE_TOKENS holds a secret shorter than 32"),
        ({"console_secure_cookie": False}, "CA_CONSOLE_SECURE_COOKIE=false"),
    ],
)
def test_production_refuses_unsafe_settings(override: dict[str, object], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        Settings(environment="production", **{**STRONG, **override})


def test_production_with_its_own_secrets_starts_with_a_secure_cookie() -> None:
    settings = Settings(environment="production", **STRONG)
    assert settings.console_cookie_secure


def test_production_refuses_the_development_tokens_it_would_otherwise_default_to() -> None:
    with pytest.raises(ValidationError, match="development default"):
        Settings(environment="production", secret_key=STRONG["secret_key"])


@pytest.mark.parametrize(
    "written",
    [
        "actions:a-token,telegram:t-token",
        " actions:a-token , telegram:t-token ,",
        '["actions:a-token", "telegram:t-token"]',
        '{"actions": "a-token", "telegram": "t-token"}',
    ],
)
def test_service_tokens_are_read_as_a_comma_list_or_json(monkeypatch: pytest.MonkeyPatch, written: str) -> None:
    monkeypatch.setenv("CA_SERVICE_TOKENS", written)
    settings = Settings(environment="test")
    assert settings.service_tokens == [ServiceToken("actions", "a-token"), ServiceToken("telegram", "t-token")]


def test_a_service_may_have_two_tokens_while_one_is_rotated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CA_SERVICE_TOKENS", '{"actions": ["old-token", "new-token"]}')
    assert [t.token for t in Settings(environment="test").service_tokens] == ["old-token", "new-token"]


@pytest.mark.parametrize(
    ("written", "complaint"),
    [
        ("just-a-token", "names its service"),
        ('["just-a-token"]', "names its service"),
        ("bridge:a-token", "unknown service 'bridge'"),
        ("actions:", "empty token"),
    ],
)
def test_unreadable_service_tokens_are_refused_with_the_form_to_use(
    monkeypatch: pytest.MonkeyPatch, written: str, complaint: str
) -> None:
    monkeypatch.setenv("CA_SERVICE_TOKENS", written)
    with pytest.raises(ValidationError, match=complaint):
        Settings(environment="test")


def test_tokens_do_not_show_when_settings_are_printed() -> None:
    settings = Settings(environment="test", service_tokens="actions:never-print-me")
    assert "never-print-me" not in repr(settings)


@pytest.mark.parametrize("secret", ["x", "a" * 31])
def test_the_telegram_bridge_refuses_a_short_webhook_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="CA_TELEGRAM_WEBHOOK_SECRET: 32-256"):
        BridgeSettings(
            telegram_bot_token="1:x",
            telegram_mode="webhook",
            telegram_webhook_url="https://bot.example/telegram",
            telegram_webhook_secret=secret,
        )


def test_the_telegram_bridge_takes_a_long_webhook_secret() -> None:
    secret = secrets.token_urlsafe(32)
    settings = BridgeSettings(
        telegram_bot_token="1:x",
        telegram_mode="webhook",
        telegram_webhook_url="https://bot.example/telegram",
        telegram_webhook_secret=secret,
    )
    assert settings.telegram_webhook_secret.get_secret_value() == secret


@pytest.mark.parametrize("token", [None, "short-token"])
def test_the_telegram_bridge_in_production_refuses_the_development_or_a_short_token(token: str | None) -> None:
    with pytest.raises(ValidationError, match="production refuses the development CA_SERVICE_TOKEN"):
        BridgeSettings(
            environment="production", telegram_bot_token="1:x", **({"service_token": token} if token else {})
        )


def test_the_telegram_bridge_in_production_takes_its_own_token() -> None:
    token = secrets.token_urlsafe(32)
    settings = BridgeSettings(environment="production", telegram_bot_token="1:x", service_token=token)
    assert settings.service_token.get_secret_value() == token
