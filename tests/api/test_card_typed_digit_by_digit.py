"""A card number typed a digit (or a few digits) a message is hidden too, in every message that held part of it.

Issue 10: "No card number survives anywhere ... across consecutive messages of one conversation". card_guard read
back to the eighth earlier message holding a digit, so a card sent one digit a message (sixteen messages) was stored
as typed (docs/privacy-redaction.md, round five, row 15). Consecutive messages of one to four digits alone are now
read as one piece; a run is hidden when it makes a card number (13 to 19 digits, a card brand's first digits, the
Luhn check). Short answers that make no card stay as typed.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from api.conversations.models import Message
from api.knowledge_gaps.models import KnowledgeGap
from tests.support.hub import resident_texts, say, start
from tests.support.rasa_fakes import rasa_offering_a_person, rasa_with_knowledge
from tests.support.telegram_hub import SERVICE, outbox, send

CARD_WORDS = "my card number is"
HIDDEN = "[card number removed]"
# Card numbers of every length none of whose shorter runs of 13 digits or more (starting 3, 4, 5 or 6) passes the
# Luhn check on its own: each is hidden as a whole when its last digit comes.
CARDS = {
    13: "4222222222222",  # Visa's old 13-digit numbers
    14: "36227206271667",  # Diners Club
    15: "378282246310005",  # American Express
    16: "4111111111111111",
    17: "65260181590830168",
    18: "661318609139099604",
    19: "4007540091714521173",
}
# Card numbers some of whose digits already make a card (5555 5555 5555 4 passes the Luhn check, and the second to
# eighteenth digits of 6518...7540 do): hidden before the resident has typed the rest, which must be hidden too.
CARDS_COMPLETE_EARLY = ["5555555555554444", "4242424242424242", "6011000990139424124", "6518190937865797540"]


def stored(open_session, database_url: str, sender: str = "resident") -> list[str]:
    """Return what the hub stored of one sender's messages, oldest first."""
    if sender == "resident":
        return resident_texts(open_session, database_url)
    with open_session(database_url) as session:
        return list(session.scalars(select(Message.text).where(Message.sender == sender).order_by(Message.id)))


def warnings(open_session, database_url: str) -> int:
    return sum("card details" in text for text in stored(open_session, database_url, "system"))


def pieces(number: str, sizes: list[int]) -> list[str]:
    """Cut ``number`` into pieces of the given sizes, the last size repeated to the end."""
    cut, start = [], 0
    while start < len(number):
        size = sizes[min(len(cut), len(sizes) - 1)]
        cut.append(number[start : start + size])
        start += size
    return cut


def hidden_run(sent: list[str], number: str) -> list[str]:
    """What the hub stores of a card's pieces: each hidden, the last with the card's last four digits."""
    return [HIDDEN] * (len(sent) - 1) + [f"[card number removed, ending {number[-4:]}]"]


def assert_no_digit_of_the_card_but_its_last_four(texts: list[str], number: str) -> None:
    left = "".join(re.sub(r"ending \d{4}\]", "]", text) for text in texts)
    assert not any(char.isdigit() for char in left), texts
    assert all(ending == number[-4:] for ending in re.findall(r"ending (\d{4})\]", "".join(texts))), texts


# ----- one digit a message, every length a card has -----


@pytest.mark.parametrize("lead", [[], [CARD_WORDS]], ids=["digits only", "card words first"])
@pytest.mark.parametrize("length", sorted(CARDS))
def test_a_card_typed_one_digit_a_message_is_hidden_in_every_message(
    make_client, open_session, database_url, length: int, lead: list[str]
) -> None:
    number = CARDS[length]
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    sent = list(number)

    for text in [*lead, *sent]:
        say(client, conversation_id, auth, text)

    assert stored(open_session, database_url) == [*lead, *hidden_run(sent, number)]
    assert warnings(open_session, database_url) == 1


@pytest.mark.parametrize(
    "sizes",
    [[2], [3], [4, 1, 3, 2, 4, 1, 1], [1, 4], [3, 4, 1], [2, 2, 4, 1, 3]],
    ids=["twos", "threes", "4-1-3-2-4-1-1", "1-4-4-4-3", "3-4-1-1...", "2-2-4-1-3-3"],
)
@pytest.mark.parametrize("lead", [[], [CARD_WORDS]], ids=["digits only", "card words first"])
def test_a_card_typed_a_few_digits_a_message_is_hidden_in_every_message(
    make_client, open_session, database_url, sizes: list[int], lead: list[str]
) -> None:
    number = CARDS[16]
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    sent = pieces(number, sizes)

    for text in [*lead, *sent]:
        say(client, conversation_id, auth, text)

    assert stored(open_session, database_url) == [*lead, *hidden_run(sent, number)]
    assert warnings(open_session, database_url) == 1


@pytest.mark.parametrize("length", [15, 19])
def test_a_longer_card_typed_two_digits_a_message_is_hidden(make_client, open_session, database_url, length) -> None:
    number = CARDS[length]
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    sent = pieces(number, [2])

    for text in [CARD_WORDS, *sent]:
        say(client, conversation_id, auth, text)

    assert stored(open_session, database_url) == [CARD_WORDS, *hidden_run(sent, number)]


def test_the_bots_replies_repeating_each_digit_are_rewritten_too(make_client, open_session, database_url) -> None:
    """The bot echoed each digit ("You said: 4"): read together, its replies held the whole number."""
    number = CARDS[16]
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    replies = [say(client, conversation_id, auth, digit) for digit in number]

    echoes = [text for text in stored(open_session, database_url, "bot") if text.startswith("You said")]
    assert echoes == [f"You said: {HIDDEN}"] * 15 + [f"You said: [card number removed, ending {number[-4:]}]"]
    # The widget is told to replace the fifteen earlier messages and the bot's fifteen echoes of them.
    rewritten = replies[-1]["rewritten"]
    assert [m["text"] for m in rewritten if m["sender"] == "resident"] == [HIDDEN] * 15
    assert [m["text"] for m in rewritten if m["sender"] == "bot"] == [f"You said: {HIDDEN}"] * 15
    assert all(reply["rewritten"] == [] for reply in replies[:-1])


def test_the_knowledge_gaps_the_digits_left_lose_them_too(make_client, open_session, database_url) -> None:
    """Each digit was a question the bot could not answer: the gaps kept for the knowledge team hold none of them."""
    number = CARDS[16]
    client = make_client(rasa_with_knowledge)
    conversation_id, auth = start(client)

    for digit in number:
        say(client, conversation_id, auth, digit)

    with open_session(database_url) as session:
        questions = list(session.scalars(select(KnowledgeGap.question)))
    assert_no_digit_of_the_card_but_its_last_four(questions, number)


# ----- a card whose first digits already make a card number -----


@pytest.mark.parametrize("number", CARDS_COMPLETE_EARLY)
@pytest.mark.parametrize("size", [1, 2])
def test_the_digits_typed_after_a_card_number_hidden_early_are_hidden_too(
    make_client, open_session, database_url, number: str, size: int
) -> None:
    """'5555555555554' is a card number itself: hidden at the thirteenth digit, and the rest as it comes.

    Where the number ends cannot be known then, so no message keeps an ending: the one hidden early named digits
    ten to thirteen, which are no part of the last four.
    """
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    sent = pieces(number, [size])

    for text in [CARD_WORDS, *sent]:
        say(client, conversation_id, auth, text)

    resident = stored(open_session, database_url)
    assert resident[0] == CARD_WORDS
    assert_no_digit_of_the_card_but_its_last_four(resident[1:], number)
    assert all(text.startswith("[card number removed") for text in resident[1:]), resident
    assert_no_digit_of_the_card_but_its_last_four(stored(open_session, database_url, "bot"), number)
    assert warnings(open_session, database_url) == 1


# ----- Telegram -----


def test_telegram_is_told_to_delete_every_digit_of_a_card_typed_one_a_message(make_client) -> None:
    number = CARDS[16]
    client = make_client(rasa_offering_a_person, SERVICE)

    accepted = [send(client, digit, update_id=n) for n, digit in enumerate(number, start=1)]

    assert [a["card_number_hidden"] for a in accepted] == [False] * 15 + [True]
    earlier = accepted[-1]["earlier_hidden"]
    # The fifteen earlier digits, and the bot's echo of each.
    assert {a["message_id"] for a in accepted[:-1]} <= set(earlier) and len(earlier) == 30
    sent = outbox(client)
    echoes = [m["text"] for m in sent if m["message_id"] in earlier]
    assert echoes == [f"You said: {HIDDEN}"] * 15
    assert len([m for m in sent if "card details" in m["text"]]) == 1


def test_telegram_is_told_to_delete_the_digits_after_a_card_number_hidden_early(make_client) -> None:
    number = "5555555555554444"
    client = make_client(rasa_offering_a_person, SERVICE)

    accepted = [send(client, digit, update_id=n) for n, digit in enumerate(number, start=1)]

    assert [a["card_number_hidden"] for a in accepted] == [False] * 12 + [True] * 4
    # The thirteenth message's ending (digits ten to thirteen) is taken back: its message and the bot's echo of it.
    assert accepted[12]["message_id"] in accepted[13]["earlier_hidden"] and len(accepted[13]["earlier_hidden"]) == 2
    assert accepted[14]["earlier_hidden"] == accepted[15]["earlier_hidden"] == []
    assert len([m for m in outbox(client) if "card details" in m["text"]]) == 1


# ----- short numbers that make no card stay as typed -----

SHORT_ANSWERS = [
    # how many bins, the house number, a date in pieces, menu choices
    ["2", "14", "19", "12", "03", "2026", "1", "2"],
    ["2", "1", "3", "4", "1", "2", "2", "1", "3"],
    # a phone number over two or three messages, a council tax reference, a service request
    ["07700", "900123", "CT26041538", "SR-246414"],
    ["0770", "090", "0123", "2", "14"],
    ["1", "2", "1", "2", "3", "19", "12/03", "2026", "4", "5"],
]


@pytest.mark.parametrize("sent", SHORT_ANSWERS, ids=["form answers", "menu choices", "references", "phone", "mixed"])
def test_short_answers_a_message_each_stay_as_typed(make_client, open_session, database_url, sent) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    replies = [say(client, conversation_id, auth, text) for text in sent]

    assert stored(open_session, database_url) == sent
    assert all(reply["rewritten"] == [] for reply in replies)
    assert warnings(open_session, database_url) == 0


def test_answering_how_many_bins_then_a_house_number_then_a_date_stays(make_client, open_session, database_url) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    sent = ["I need more bins", "2", "it's for number", "19", "from", "12", "03", "2026", "thanks"]

    for text in sent:
        say(client, conversation_id, auth, text)

    assert stored(open_session, database_url) == sent


def test_sixteen_short_numbers_that_fail_the_luhn_check_stay(make_client, open_session, database_url) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    sent = list("4111111111111112")

    for text in sent:
        say(client, conversation_id, auth, text)

    assert stored(open_session, database_url) == sent


def test_a_short_answer_after_words_that_follow_a_card_typed_in_pieces_stays(
    make_client, open_session, database_url
) -> None:
    """Only digits sent right after a card's pieces go on with it: after "thanks", "2" is an answer."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    sent = pieces(CARDS[16], [4])

    for text in [*sent, "thanks", "2", "14"]:
        say(client, conversation_id, auth, text)

    assert stored(open_session, database_url) == [*hidden_run(sent, CARDS[16]), "thanks", "2", "14"]
