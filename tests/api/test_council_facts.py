"""The council's own facts live in council/facts.yml: every part that states them says what the file says."""

from __future__ import annotations

import re
from pathlib import Path

from api.conversations.routing import unavailable_text
from api.overload import busy_sentence
from api.settings import ROOT, Settings
from council import CouncilFacts, council_facts
from telegram_bridge.settings import BridgeSettings

UK_PHONE = re.compile(r"0\d{4} \d{3} \d{3}")
CONTENT = [
    *sorted((ROOT / "domain").glob("*.yml")),
    *sorted((ROOT / "knowledge").glob("*.md")),
    *sorted((ROOT / "api" / "web" / "templates").glob("*.html")),
]


def test_the_facts_file_gives_every_fact_in_its_proper_shape() -> None:
    facts = council_facts()
    assert all(UK_PHONE.fullmatch(number) for number in (facts.phone, facts.electoral_phone, facts.emergency_phone))
    assert facts.website.startswith("https://") and facts.payment_url.startswith(facts.website)
    assert facts.name.startswith(facts.short_name) and "@" in facts.email


def test_a_facts_file_missing_a_fact_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "facts.yml"
    broken.write_text("name: Somewhere Council\nphone: 01632 960 000\n")
    try:
        council_facts(broken)
    except ValueError as error:
        assert "must give exactly these facts" in str(error)
    else:
        raise AssertionError("a facts file without every fact was accepted")


def test_the_processes_default_to_the_facts() -> None:
    facts = council_facts()
    api = Settings(environment="test")
    assert (api.council_name, api.council_phone, api.council_payment_url) == (
        facts.name,
        facts.phone,
        facts.payment_url,
    )
    assert BridgeSettings(telegram_bot_token="1:x").council_phone == facts.phone
    assert facts.call_us() in unavailable_text(api)
    assert facts.call_us() in busy_sentence(api)


def test_the_contact_article_says_the_councils_numbers_and_hours() -> None:
    article = (ROOT / "knowledge" / "contact-details.md").read_text()
    facts: CouncilFacts = council_facts()
    for value in (facts.call_us(), facts.electoral_phone, facts.emergency_phone, facts.email):
        assert value in article, value


def test_content_names_the_council_and_its_payment_page_as_the_facts_do() -> None:
    facts = council_facts()
    for path in CONTENT:
        text = path.read_text()
        names = set(re.findall(r"[A-Z][a-z]+(?: [A-Z][a-z]+)* District Council", text))
        assert names <= {facts.name}, (path.name, names)
        pages = set(re.findall(r"https://www\.[a-z]+\.gov\.uk/pay\b", text))
        assert pages <= {facts.payment_url}, (path.name, pages)
