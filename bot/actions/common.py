"""Replies several actions share: the apology when something fails, and what to say next."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from council import council_facts

# How the apology for a failure begins; a handoff asked for straight after it is for a back-office failure.
FAILURE_APOLOGY = "Sorry, something went wrong on our side"


def council_phone() -> str:
    """Return the council's phone number (council/facts.yml, which the knowledge check holds the articles to)."""
    return council_facts().phone


def apologise_for_failure(dispatcher: CollectingDispatcher, *, offer_officer: bool = True) -> None:
    """Tell the resident something failed, with a phone number and (unless asking failed) an officer offer."""
    text = f"{FAILURE_APOLOGY} and I can't do that right now. You can call us on {council_facts().call_us()}"
    if not offer_officer:
        dispatcher.utter_message(text=f"{text}. Your messages here are kept.")
        return
    dispatcher.utter_message(
        text=f"{text}, or I can ask an officer to pick up this chat.",
        buttons=[{"title": "Talk to a person", "payload": "/request_officer"}],
    )
