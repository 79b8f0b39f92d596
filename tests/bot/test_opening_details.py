"""Details a resident gives in the message that starts a task are used, not asked for again (issue 12 journeys).

The form starts as Rasa 3.6 starts it: action_start_task's slots, then the form's activation, which sends every
slot of the form already filled to validate_task_form to be checked as an answer. The details only fill the
questions: each is still checked, and the identity check still runs on them before anything is said.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.task_form import ValidateTaskForm, start_task_events
from tests.support.backoffice_fake import FakeBackOffice, slots_of
from tests.support.trackers import bot, make_tracker, message

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain" / "electoral.yml").read_text())
# The form's slots in the domain's order: Rasa sends the filled ones in this order when the form starts.
FORM_SLOTS = DOMAIN["forms"]["task_form"]["required_slots"]
RITA = "am i on the electoral roll? im Rita Richardson, 19 Rowan Close TN41 6PA, dob 26/1/78"


def started(text: str, intent: str, **slots: Any) -> dict[str, Any]:
    """The slots action_start_task sets for ``text`` read as ``intent``."""
    return slots_of(start_task_events(make_tracker(message(text, intent), slots=slots)))


def start(text: str, intent: str, backoffice: FakeBackOffice, **slots: Any) -> tuple[dict[str, Any], list[str]]:
    """Start the task and the form as Rasa does; return the slots after the form's first step and what was said."""
    opening = message(text, intent)
    set_at_start = start_task_events(make_tracker(opening, slots=slots))
    now = slots | slots_of(set_at_start)
    prefilled = [{"event": "slot", "name": s, "value": now[s]} for s in FORM_SLOTS if now.get(s) is not None]
    action = {"event": "action", "name": "task_form"}
    tracker = make_tracker(opening, *set_at_start, action, *prefilled, slots=now | {"requested_slot": None})
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(backoffice.client()).run(dispatcher, tracker, DOMAIN))
    return now | slots_of(events), [m["text"] for m in dispatcher.messages]


def checks(backoffice: FakeBackOffice) -> list[dict[str, Any]]:
    """The identity checks the back office was asked for."""
    return [json.loads(c.content) for c in backoffice.calls if c.url.path == "/api/v1/electoral/verifications"]


def test_the_details_in_an_opening_message_are_checked_not_asked_again() -> None:
    backoffice = FakeBackOffice("verified")
    slots, said = start(RITA, "check_registration", backoffice)
    [check] = checks(backoffice)
    given = (check["full_name"], check["date_of_birth"], check["uprn"])
    assert given == ("Rita Richardson", "1978-01-26", 100099500102)
    assert slots["identity_verified"] is True
    assert slots["requested_slot"] is None  # nothing is asked again
    assert (slots["full_name"], slots["date_of_birth"]) == (None, None)  # cleared once checked, as typed answers are
    assert said == []


def test_details_from_the_opening_message_still_have_to_pass_the_identity_check() -> None:
    backoffice = FakeBackOffice("not_verified")
    slots, _ = start(RITA, "check_registration", backoffice)
    assert len(checks(backoffice)) == 1
    assert slots["identity_verified"] is False
    assert slots["verification_outcome"] == "not_verified"


def test_the_opening_details_only_fill_the_questions() -> None:
    slots = started(RITA, "check_registration")
    assert {k: slots.get(k) for k in ("full_name", "date_of_birth", "postcode", "address_uprn")} == {
        "full_name": "Rita Richardson",
        "date_of_birth": "26/1/78",
        "postcode": "TN41 6PA",
        "address_uprn": "19 Rowan Close",
    }
    assert "identity_verified" not in slots


def test_a_detail_that_does_not_fit_is_asked_for_again_with_the_reason() -> None:
    backoffice = FakeBackOffice("verified")
    text = "am I registered to vote? I'm Rita Richardson, 99 Nowhere Street TN41 6PA, born 26/1/1978"
    slots, said = start(text, "check_registration", backoffice)
    assert checks(backoffice) == []
    assert slots["requested_slot"] == "address_uprn"
    assert (slots["full_name"], slots["date_of_birth"]) == ("Rita Richardson", "1978-01-26")
    assert any("isn't in the council's list for TN41 6PA" in s for s in said)  # 99 is not a house there


@pytest.mark.parametrize(
    "text",
    [
        "is my neighbour at 3 Oak Road TN41 6PA on the register?",
        "can you check her registration, Jane Smith 1/2/1950, TN41 6PA",
        "Is John Smith on the electoral roll",
        "my mum Jane Smith 19 Rowan Close TN41 6PA wants to know if she's registered",
    ],
)
def test_details_about_someone_else_are_not_taken(text: str) -> None:
    slots = started(text, "check_registration")
    assert not {"full_name", "date_of_birth", "address_uprn"} & {k for k, v in slots.items() if v}


OWN_DETAILS_AFTER = "I'm Rita Richardson, born 26/01/1978, 19 Rowan Close TN41 6PA"


@pytest.mark.parametrize(
    "first",
    [
        "is my husband Tom Richardson registered to vote?",
        "my neighbour Janice Dunn says I'm not on the register.",
        "My daughter Emma Richardson told me to check if I can vote!",
    ],
)
def test_the_resident_s_own_details_after_someone_else_s_name_are_checked_as_theirs(first: str) -> None:
    # A probe: all the details were dropped and asked for again, because the message spoke of another person.
    backoffice = FakeBackOffice("verified")
    slots, said = start(f"{first} {OWN_DETAILS_AFTER}", "check_registration", backoffice)
    [check] = checks(backoffice)
    assert (check["full_name"], check["date_of_birth"], check["uprn"]) == (
        "Rita Richardson",
        "1978-01-26",
        100099500102,
    )
    assert slots["identity_verified"] is True and slots["requested_slot"] is None
    assert said == []


@pytest.mark.parametrize(
    "text",
    [
        "is my husband Tom Richardson registered? I'm asking for him, 19 Rowan Close TN41 6PA, born 2/3/1975",
        "I'm Rita Richardson and my husband Tom Richardson, 19 Rowan Close TN41 6PA, wants to know if he can vote",
        "my mum Janice Dunn wants to check. I'm her daughter, she was born 26/01/1950, TN41 6PA",
        "my husband Tom Richardson asked me. I am at 19 Rowan Close TN41 6PA, born 2/3/1975",
    ],
)
def test_details_that_may_be_the_other_person_s_are_still_not_taken(text: str) -> None:
    slots = started(text, "check_registration")
    assert not {"full_name", "date_of_birth", "postcode", "address_uprn"} & {k for k, v in slots.items() if v}


@pytest.mark.parametrize(
    "text",
    ["check if I'm registered please", "hello im wondering whether im registered", "Am I registered to vote?"],
)
def test_the_words_of_a_request_are_not_a_name(text: str) -> None:
    assert not started(text, "check_registration").get("full_name")


def test_a_name_given_in_a_verified_conversation_is_checked_again() -> None:
    # It may be someone else at the keyboard (test_confused_resident: a probe was answered with the first person's
    # record): the check runs again on the details given, which the form clears once checked, as always.
    slots = started(RITA, "check_registration", identity_verified=True)
    assert slots["identity_verified"] is False
    assert slots.get("full_name") == "Rita Richardson" and slots.get("date_of_birth")


def test_a_problem_reported_at_an_address_keeps_the_address() -> None:
    backoffice = FakeBackOffice()
    slots, said = start("my bin wasn't collected at 19 Rowan Close TN41 6PA", "report_problem", backoffice)
    assert (slots["service_category"], slots["postcode"]) == ("missed_bin", "TN41 6PA")
    assert slots["address_uprn"] == "100099500102"
    assert slots["requested_slot"] == "problem_description"
    assert said == []


def test_a_postcode_alone_still_asks_which_address() -> None:
    backoffice = FakeBackOffice()
    slots, _ = start("my bin wasn't collected, TN41 6PA", "report_problem", backoffice)
    assert slots["postcode"] == "TN41 6PA"
    assert slots["requested_slot"] == "address_uprn"


def test_the_reported_person_s_details_are_not_taken_as_the_resident_s() -> None:
    slots = started("I'm Tom Hart, my neighbour at 3 Oak Road TN41 6PA died", "report_death_or_left")
    assert not slots.get("full_name")
    # The address given is the neighbour's: where the person lived is what the report asks for (session 11's probe).
    assert (slots.get("postcode"), slots.get("address_uprn")) == ("TN41 6PA", "3 Oak Road")


ACCOUNT_QUESTION = {"requested_slot": "account_reference", "account_reference": None}


def at_the_account_number(
    text: str, task: str, *, intent: str = "inform_account", confidence: float = 0.9
) -> tuple[dict[str, Any], list[str]]:
    """Answer the account number question of ``task`` with ``text``; return the slots set and what was said."""
    mapped = {"event": "slot", "name": "account_reference", "value": text}
    tracker = make_tracker(message(text, intent, confidence), mapped, slots={"pending_task": task, **ACCOUNT_QUESTION})
    tracker.slots["account_reference"] = text
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTaskForm(FakeBackOffice(accounts=True).client()).run(dispatcher, tracker, DOMAIN))
    return slots_of(events), [m["text"] for m in dispatcher.messages]


def test_a_payment_reference_at_the_account_number_is_explained() -> None:
    slots, said = at_the_account_number("PAY-12345678", "council_tax_balance")
    assert slots["account_reference"] is None
    assert slots["requested_slot"] == "account_reference"
    assert "pending_task" not in slots
    [reply] = said
    assert "PAY-12345678 is a payment reference" in reply
    assert "top of your council tax bill" in reply and "CT12345678" in reply
    assert "I've kept it" not in reply  # a balance needs no payment


def test_a_payment_reference_at_the_account_number_is_kept_for_the_payment_asked_about() -> None:
    slots, said = at_the_account_number("PAY 1234 5678", "payment_received")
    assert slots["payment_reference"] == "PAY-12345678"
    assert slots["account_reference"] is None
    assert "I've kept it" in said[0]


def test_a_payment_reference_read_as_another_task_does_not_lose_the_form() -> None:
    slots, said = at_the_account_number(
        "my payment reference is PAY-12345678", "council_tax_balance", intent="payment_received", confidence=0.95
    )
    assert "pending_task" not in slots  # still the balance
    assert slots["requested_slot"] == "account_reference"
    assert "is a payment reference" in said[0]


def test_a_payment_reference_given_with_other_details_is_explained() -> None:
    slots, said = at_the_account_number("PAY-12345678, TN41 6PA, 26/1/78", "council_tax_balance")
    assert slots["postcode"] == "TN41 6PA"
    assert slots["account_reference"] is None
    assert any("is a payment reference" in s for s in said)


def test_details_in_a_request_for_another_task_mid_form_are_checked_too() -> None:
    # Mid-form the form is already running, so Rasa sends nothing to be checked: the form checks them itself.
    backoffice = FakeBackOffice("verified")
    tracker = make_tracker(
        message(RITA, "check_registration", 0.95), slots={"pending_task": "council_tax_balance", **ACCOUNT_QUESTION}
    )
    dispatcher = CollectingDispatcher()
    slots = slots_of(asyncio.run(ValidateTaskForm(backoffice.client()).run(dispatcher, tracker, DOMAIN)))
    assert slots["pending_task"] == "check_registration"
    [check] = checks(backoffice)
    assert (check["date_of_birth"], check["uprn"]) == ("1978-01-26", 100099500102)
    assert slots["identity_verified"] is True
    assert (slots["full_name"], slots["date_of_birth"]) == (None, None)
    assert slots["requested_slot"] is None


def test_the_address_line_is_kept_when_the_postcode_came_from_an_entity() -> None:
    # DIET's postcode entity fills the postcode before the task starts; the address line beside it was dropped.
    slots, _ = start(
        "my bin wasn't collected at 19 Rowan Close TN41 6PA", "report_problem", FakeBackOffice(), postcode="TN41 6PA"
    )
    assert slots["address_uprn"] == "100099500102"
    assert slots["requested_slot"] == "problem_description"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my lodger moved out in october, Tom Baker", "Tom Baker"),
        ("My father Arthur Bloggs has died", "Arthur Bloggs"),
        ("my husband passed away, his name was john gray", "John Gray"),
        ("my tenant at 19 Rowan Close has left", None),
        ("My Dad died", None),
        # In lower case just before what happened (a probe was asked the name again, then refused its postcode).
        ("i need to report that janice dunn has died", "Janice Dunn"),
        ("mrs joan smith passed away last week", "Joan Smith"),
        ("to say that the man next door has moved out", None),
        ("i need to report that my mum has died", None),
    ],
)
def test_a_report_that_names_the_person_is_not_asked_their_name_again(text: str, name: str | None) -> None:
    # "my lodger moved out in october, Tom Baker" was asked "What is the person's full name?" (a probe).
    assert started(text, "report_death_or_left").get("reported_name") == name


def test_an_address_with_its_street_type_shortened_counts_with_its_postcode() -> None:
    # "bin not colected 😡 TN43 3EH 10 priory gdns" was asked which address at TN43 3EH (a probe).
    told = started("bin not colected \U0001f621 TN43 3EH 10 priory gdns", "report_problem")
    assert (told.get("postcode"), told.get("address_uprn")) == ("TN43 3EH", "10 priory gdns")


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("somebody has dumped a load of mattresses in the lane behind priory gardens", True),
        ("theres a huge pile of rubbish bags dumped on mill lane", True),
        ("a massive pothole on Rowan Close, Ashbury outside number 19", False),
        ("street light out on Weald Mews", False),
        # The third probe: described after the place.
        ("theres a massive pothole on the high street outside boots, nearly came off my bike", True),
        ("there is a pothole on Mill Lane, please can you fix it", False),
    ],
)
def test_a_report_that_says_what_is_wrong_and_where_is_not_asked_to_describe_it(text: str, described: bool) -> None:
    # A probe: "somebody has dumped a load of mattresses in the lane behind priory gardens" got "Please describe the
    # problem in a few words".
    slots, _ = start(text, "report_problem", FakeBackOffice())
    assert (slots.get("problem_description") == text) is described
    assert (slots["requested_slot"] == "problem_description") is not described


def test_a_place_on_a_street_with_its_type_shortened_is_the_reports_place() -> None:
    # The second probe: "on the high st in ashbury outside the co-op" was asked "Where is it?" again.
    text = "theres a massive pothole on the high st in ashbury outside the co-op, nearly came off my bike"
    assert started(text, "report_problem")["problem_location"] == "the high st in ashbury outside the co-op"


def test_both_names_in_a_change_of_name_request_are_not_asked_again() -> None:
    # The second probe: "change of name pls. Old name Janice Dunn new name Janice Patel-Dunn" was asked both again.
    told = started("change of name pls. Old name Janice Dunn new name Janice Patel-Dunn", "changed_name")
    assert (told["full_name"], told["new_name"]) == ("Janice Dunn", "Janice Patel-Dunn")


def test_report_it_after_an_answer_inviting_a_report_reports_that_kind_of_problem() -> None:
    # The second probe: "ok can you report it then please" after the street lighting answer was asked for a reference.
    invited = bot(
        "Street lights are ours to fix. You can report a broken street light in this chat. Tell us the number"
    )
    tracker = make_tracker(invited, message("ok can you report it then please", "report_problem"))
    assert slots_of(start_task_events(tracker))["service_category"] == "street_light"


@pytest.mark.parametrize(("typed", "intent"), [("rowan close", "nlu_fallback"), ("Mill Lane", "report_problem")])
def test_a_place_typed_after_an_answer_inviting_a_report_is_where_the_problem_is(typed: str, intent: str) -> None:
    # A probe: "rowan close" after the street lights answer got "Sorry, I didn't quite get that", and "mill lane"
    # after the potholes answer was asked "Where is it?".
    from bot.actions.fallback import ActionHandleMiss

    invited = bot(
        "Street lights are ours to fix. You can report a broken street light in this chat. Tell us the number"
    )
    tracker = make_tracker(invited, message(typed, intent))
    started_here = slots_of(start_task_events(tracker, task="report_problem"))
    assert (started_here["service_category"], started_here["problem_location"]) == ("street_light", typed)
    if intent == "nlu_fallback":
        events = asyncio.run(ActionHandleMiss().run(CollectingDispatcher(), tracker, {}))
        assert slots_of(events)["problem_location"] == typed


def test_a_missed_bin_report_that_says_which_bin_is_not_asked_to_describe_it() -> None:
    # The second probe: "bins not been emptied again!! 3rd week running. green one" was asked which bin was missed.
    text = "bins not been emptied again!! 3rd week running. green one"
    assert started(text, "report_problem")["problem_description"] == text
    assert started("my bin wasn't collected", "report_problem").get("problem_description") is None


@pytest.mark.parametrize(
    ("text", "old", "new"),
    [
        ("change my name from Jodie Kemp to Jodie Walsh pls", "Jodie Kemp", "Jodie Walsh"),
        ("please change my name to Janice Smith, I was Janice Dunn", "Janice Dunn", "Janice Smith"),
    ],
)
def test_a_change_of_name_asked_in_one_sentence_keeps_both_names(text: str, old: str, new: str) -> None:
    # The third probe: the first went to street naming and alcohol licences, the second was asked the new name again.
    told = started(text, "changed_name")
    assert (told["full_name"], told["new_name"]) == (old, new)


def test_the_register_update_offered_after_a_death_knows_the_person_died() -> None:
    # Checked through the hub: after "my husband passed away" and the button, it asked "Has the person died?".
    offer = bot("We are sorry for your loss. ... I can also let our electoral services team know now, if you like.")
    tracker = make_tracker(offer, message("/report_death_or_left", "report_death_or_left"))
    assert slots_of(start_task_events(tracker))["report_kind"] == "died"


@pytest.mark.parametrize(
    ("slug", "kind"),
    [
        ("potholes", "pothole"),
        ("graffiti", "graffiti"),
        ("dog-fouling", "dog_fouling"),
        ("council-trees", "fallen_tree"),
    ],
)
@pytest.mark.parametrize("intent", ["nlu_fallback", "report_problem", "polling_station", "ask_bin_day"])
@pytest.mark.parametrize(
    "typed",
    [
        "Station Road",
        "outside 19 rowan close",
        "Rowan close by number 19",
        "near the priory walk entrance",
        # The second probe of session 11, after the noise, trees and potholes answers.
        "its at 21 rowan close",
        "its on the high street ashbury by the co-op",
    ],
)
def test_a_place_typed_after_any_answer_offering_a_report_in_this_chat_is_where_it_is(
    slug: str, kind: str, intent: str, typed: str
) -> None:
    # The second probe of session 10: "Station Road" after the potholes answer ("Or report it in this chat") and "Oak
    # Lane" after the graffiti one were lost; only answers saying "You can report" took a bare place.
    from bot.actions.fallback import ActionHandleMiss
    from bot.actions.task_form import place_as_said  # stored without "its at" (the third probe of session 11)
    from bot.knowledge import get_knowledge

    article = get_knowledge().article(slug)
    answered = bot(f"{article.answer}\nMore: {article.source}")
    # As on the stack: the words the answer was given for are kept for its offer (they were the place, once).
    tracker = make_tracker(answered, message(typed, intent), slots={"opening_words": slug})
    started_here = slots_of(start_task_events(tracker, task="report_problem"))
    assert (started_here["service_category"], started_here["problem_location"]) == (kind, place_as_said(typed))
    if intent == "nlu_fallback":
        events = asyncio.run(ActionHandleMiss().run(CollectingDispatcher(), tracker, {}))
        assert slots_of(events)["problem_location"] == place_as_said(typed)
    else:
        # Checked on the stack: "Station Road" was read as polling_station (0.46) and asked for a postcode.
        from bot.actions.tasks import ActionStartTask

        events = asyncio.run(ActionStartTask().run(CollectingDispatcher(), tracker, {}))
        assert (slots_of(events)["pending_task"], slots_of(events)["problem_location"]) == (
            "report_problem",
            place_as_said(typed),
        )


@pytest.mark.parametrize(
    "typed",
    ["is it dangerous to walk past?", "what about the bins near the school", "deep one near the bus stop", "thanks"],
)
def test_more_than_a_place_after_an_answer_offering_a_report_is_not_taken_as_where_it_is(typed: str) -> None:
    from bot.actions.task_form import place_for_the_invited_report
    from bot.knowledge import get_knowledge

    article = get_knowledge().article("council-trees")
    tracker = make_tracker(bot(article.answer), message(typed, "out_of_scope"))
    assert place_for_the_invited_report(tracker, typed) is None


def test_an_address_typed_after_an_answer_offering_a_report_is_not_what_would_you_like_me_to_do() -> None:
    # The second probe of session 11: "21 rowan close TN41 6PA" after the noise answer got "What would you like me to do
    # with that?".
    from bot.actions.tasks import ActionDetailsWithoutTask
    from bot.knowledge import get_knowledge

    article = get_knowledge().article("noise-nuisance")
    tracker = make_tracker(bot(article.answer), message("21 rowan close TN41 6PA", "inform"))
    events = asyncio.run(ActionDetailsWithoutTask().run(CollectingDispatcher(), tracker, {}))
    started_here = slots_of(events)
    assert (started_here["pending_task"], started_here["service_category"]) == ("report_problem", "noise")


@pytest.mark.parametrize(
    ("slug", "opening", "kind"),
    [
        ("noise-nuisance", "my nieghbour plays loud music every nite till 3am", "noise"),
        ("dead-animals", "dead fox in the road", "dead_animal"),
    ],
)
def test_the_words_that_got_an_answer_offering_a_report_describe_it_when_they_say_what_is_wrong(
    slug: str, opening: str, kind: str
) -> None:
    # The second probe of session 11: each, then where it was, was asked "Please describe the problem".
    from bot.knowledge import get_knowledge

    article = get_knowledge().article(slug)
    tracker = make_tracker(
        message(opening, "out_of_scope"),
        bot(article.answer),
        message("its at 21 rowan close", "inform"),
        slots={"opening_words": opening},
    )
    started_here = slots_of(start_task_events(tracker, task="report_problem"))
    assert (started_here["service_category"], started_here["problem_description"]) == (kind, opening)
    assert started_here["problem_location"] == "21 rowan close"


@pytest.mark.parametrize(
    ("text", "intent", "name"),
    [
        ("postal vote. jodie kemp 18/04/1989 10 priory gardens TN43 3EH", "request_postal_vote", "Jodie Kemp"),
        (
            "am i registered to vote? kathleen gray 17/08/1984 5 priory walk TN44 3LW",
            "check_registration",
            "Kathleen Gray",
        ),
    ],
)
def test_a_name_in_lower_case_beside_a_date_of_birth_and_postcode_is_not_asked_again(
    text: str, intent: str, name: str
) -> None:
    # The second probe of session 11: both were asked "What is your full name?"; with capitals they were read.
    assert started(text, intent)["full_name"] == name
