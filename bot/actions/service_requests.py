"""What the assistant says about requests for service: lodging them and their progress."""

from __future__ import annotations

from typing import Any

from bot.actions.electoral import long_date


def lodged(result: dict[str, Any]) -> str:
    """Confirm a lodged request: reference, expected date and the service standard."""
    if result.get("already_recorded"):
        return (f"You've already reported this: your reference is {result['reference']}, so I haven't made a second "
                f"report. We expect to deal with it by {long_date(result['expected_by'])}. You can ask me for an "
                "update any time by quoting the reference.")
    return (f"Thank you, I've reported it: your reference is {result['reference']}. {result['service_standard']} "
            f"We expect to deal with it by {long_date(result['expected_by'])}. You can ask me for an update any "
            "time by quoting the reference.")


def progress(result: dict[str, Any]) -> str:
    """Describe a request's progress as the person who lodged it may see it."""
    status = {"open": "open", "in_progress": "in progress", "closed": "closed"}.get(result["status"],
                                                                                  result["status"])
    lines = [f"Your {result['category_label'].lower()} request {result['reference']} is {status}."]
    update = result.get("latest_update")
    if update:
        lines.append(f"Latest update ({long_date(str(update['at'])[:10])}): {update['note']}")
    if result["status"] != "closed":
        lines.append(f"We expect to deal with it by {long_date(result['expected_by'])}.")
    if result.get("overdue"):
        lines.append("I'm sorry, it's now overdue. Would you like me to ask an officer to look into it?")
    return " ".join(lines)


def not_found(reference: str) -> str:
    """Say a reference matches no request."""
    return (f"I can't find a request with the reference {reference}. Please check it. It looks like SR-123456, "
            "and you got it in our reply or email when you told us about the problem.")
