"""A supervisor answers a subject access request in the console: finds the chat by its handoff reference,
downloads everything held, erases it, and reads both actions in the audit log."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import SCREENSHOTS, SUPERVISOR, ask, messages, open_chat, sign_in

pytestmark = pytest.mark.stack


def test_a_supervisor_exports_and_erases_a_conversation_and_the_audit_log_shows_it(
    page: Page, officer_page: Page, base_url: str
) -> None:
    open_chat(page, base_url)
    ask(page, "can I talk to a real person please")
    reference = re.search(r"HO-\d{6}", messages(page, "bot").last.inner_text())
    assert reference, "the resident was not given a handoff reference"

    sign_in(officer_page, base_url, SUPERVISOR)
    officer_page.get_by_test_id("nav-privacy").click()
    officer_page.get_by_test_id("privacy-query").fill(reference.group(0))
    officer_page.get_by_test_id("privacy-find").click()
    held = officer_page.get_by_test_id("privacy-held")
    expect(held).to_be_visible()
    expect(officer_page.get_by_test_id("held-messages")).not_to_have_text("0")

    with officer_page.expect_download() as download:
        officer_page.get_by_test_id("privacy-export").click()
    exported = json.loads(download.value.path().read_text())
    assert "can I talk to a real person please" in [m["text"] for m in exported["messages"]]
    assert exported["handoffs"][0]["reference"] == reference.group(0)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    officer_page.screenshot(path=SCREENSHOTS / "console-subject-access.png", full_page=True)
    officer_page.get_by_test_id("privacy-confirm").check()
    officer_page.get_by_test_id("privacy-erase").click()
    expect(officer_page.get_by_test_id("refusal")).to_contain_text("is erased")

    officer_page.get_by_test_id("nav-audit").click()
    audit = officer_page.get_by_test_id("audit")
    expect(audit.locator("tr[data-action='erase']").first).to_contain_text("Sam Taylor")
    expect(audit.locator("tr[data-action='export']").first).to_contain_text("Sam Taylor")
    expect(audit).not_to_contain_text("can I talk to a real person please")
