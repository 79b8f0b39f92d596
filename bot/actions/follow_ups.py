"""Short follow-up questions about the article just given: "what do I need?", "how long does it take?", "is it free?".

A probe asked "how do i regster to vote", got the register-to-vote article, then typed "wat do i need": it was read as
a question about what the assistant can do and got the help menu, though the article's next line says what is needed
(a National Insurance number and a date of birth). A follow-up names no subject of its own: the article just given
is its subject. So when the bot's last replies quoted an article, and the message is one of these questions with no
other topic in it, the article's lines that answer that kind of question are said again, with its link. When no line
does, the message is handled as it would have been.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rasa_sdk import Tracker

from bot.actions.common import council_phone
from bot.knowledge import Article, ArticleError, get_knowledge
from bot.search import terms

DAYS = r"\b(?:mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|weekends?|bank holidays?)\b"
# Each kind of follow-up: how it is asked, the article lines that answer it, and the words of the asking.
FOLLOW_UPS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    (
        "need",
        re.compile(
            r"\b(?:what|wat|wot|wht)\s+(?:do|will|would|does)\s+(?:i|you|we|u)\s+"
            r"(?:need|have to (?:bring|send|have))\b|"
            r"\bwhat\s+(?:documents|docs|id|proof|info|information|details|paperwork)\b|"
            r"\bwhat\s+should i (?:bring|have)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\b(?:need|needs|ready|bring|proof|documents?|photo id|evidence)\b", re.IGNORECASE),
    ),
    (
        "time",
        re.compile(
            r"\bhow\s+(?:long|lng|quick|quickly|soon|fast)\b(?!\s+(?:ago|have i))|\bwhen will (?:it|that|i hear)\b",
            re.IGNORECASE,
        ),
        # A length of time, not any word of time: "- opening hours and how to contact the council" is no answer to
        # "how long does it take?" (a probe got that line).
        re.compile(
            r"\b(?:takes?|within)\b|\b\d+\s*(?:minutes?|hours?|(?:working )?days?|weeks?|months?)\b|"
            r"\b(?:a|one|two|three|four|five|six|ten)\s+(?:minutes?|hours?|(?:working )?days?|weeks?|months?)\b|"
            r"\bstraight away\b|\bat once\b",
            re.IGNORECASE,
        ),
    ),
    (
        "cost",
        re.compile(
            r"\bhow\s+much\b(?!\s+(?:do|does|have|did)\s+(?:i|we|you)\s+(?:owe|pay|paid))(?!\s+is\s+my)|"
            r"\b(?:is|it'?s|its)\s+(?:it|that|this)?\s*free\b|\bdoes\s+(?:it|that|this)\s+cost\b|"
            r"\bis\s+there\s+a\s+(?:fee|charge|cost)\b|\bwhat(?:'s|\s+is|\s+does)\s+(?:it|the|that)\s+(?:cost|charge|fee|price)\b",
            re.IGNORECASE,
        ),
        re.compile(r"£|\bfree\b|\bcosts?\b|\bfees?\b|\bcharges?\b|\bno charge\b", re.IGNORECASE),
    ),
    (
        # "what time do they come" and "what time should i put it out" after the bin days got the council's opening
        # hours and a choice of articles (a probe); the answer said "Please put your bins out by 7am".
        "when",
        re.compile(
            r"\bwhat\s+time\s+(?:do|does|will|should|must|can)\s+(?:they|it|i|we|you|the\s+\w+)\s+"
            r"(?:come|collect|arrive|turn up|get here|put\s+(?:it|them|the\s+bins?|my\s+bins?)\s+out|be\s+out)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\b\d{1,2}(?::\d\d)?\s*(?:am|pm)\b", re.IGNORECASE),
    ),
    (
        "open",
        re.compile(
            r"\bwhat\s+time\s+(?:does|do|is|will)\s+(?:it|they|that|the \w+)\s+(?:open|close|shut)\b|"
            r"\bwhen\s+(?:does|do|is)\s+(?:it|they|that)\s+(?:open|close|shut)\b|\bopening (?:times|hours)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\bopen\b[^.]*\b\d{1,2}(?::\d\d)?\s*(?:am|pm)\b", re.IGNORECASE),
    ),
    (
        # "what help is there" after the answer to "im strugglin to pay my council tax lost my job", and "what do i
        # do" after the answer to being homeless tonight, got the list of what the assistant can do (a probe).
        "help",
        re.compile(
            r"^\W*(?:so\s+|ok\s+|and\s+)?(?:what|wat|wot)\s+(?:help|support|advice)\s+"
            r"(?:is there|can i get|do you do|do you offer|is available)\b|"
            r"^\W*(?:so\s+|ok\s+|and\s+)?(?:what|wat|wot)\s+(?:do|can|should)\s+(?:i|we)\s+"
            r"do(?:\s+now|\s+next|\s+then)?\W*$|^\W*(?:so\s+|ok\s+)?what now\W*$",
            re.IGNORECASE,
        ),
        re.compile(r"\b(?:help|support|advice|call|ring|apply|contact|talk to)\b", re.IGNORECASE),
    ),
    (
        # "and on saturday?" after the opening hours got buttons for libraries, street trading and car parks (a probe).
        "day",
        re.compile(
            rf"^\W*(?:and|what about|how about|wbu)?\s*(?:on\s+|at\s+)?(?:a\s+)?{DAYS}\W*$|"
            rf"^\W*(?:are you|is it)\s+open\s+(?:on\s+|at\s+)?(?:a\s+)?{DAYS}\W*$",
            re.IGNORECASE,
        ),
        re.compile(DAYS, re.IGNORECASE),
    ),
    (
        "contact",
        re.compile(
            r"\bwho\s+do\s+i\s+(?:call|ring|phone|contact|speak to|talk to)\b|"
            r"\bwhat(?:'s|\s+is)\s+(?:the|their|your)\s+(?:number|phone number|email)\b|\b(?:their|the)\s+number\b",
            re.IGNORECASE,
        ),
        re.compile(r"\b0\d{4} ?\d{3} ?\d{3}\b|@", re.IGNORECASE),
    ),
)
# Words a follow-up may have besides the asking ("so what do I need then", "how long does it take please").
FILLER = frozenset(terms("so then ok okay right and but it that this take takes taking cost costs much long quick"))
# How many words of the message may be its own (none of the article's) before it is a new question, not a follow-up.
OWN_WORDS = 0
MOST_WORDS = 12


def replies_just_given(tracker: Tracker, turns: int = 1) -> str:
    """Return what the bot said in reply to the resident's last ``turns`` messages before the latest."""
    replies: list[str] = []
    users = 0
    for event in reversed(list(tracker.events)):
        if event.get("event") == "user":
            users += 1
            if users > turns:
                break
        elif event.get("event") == "bot" and users >= 1:
            replies.insert(0, str(event.get("text") or ""))
    return "\n".join(replies)


# How many of the resident's messages back a follow-up may reach: "and on bank holidays?" after the bin days, a
# question about opening times and a clarifying question was answered from the tips article (a probe).
FOLLOW_UP_TURNS = 3


def article_quoted(said: str, articles: Iterable[Article]) -> Article | None:
    """Return the article the bot's replies ``said`` quote most of, if they quote any."""
    # The whole answer, or the lines of it a follow-up answer quoted ("how much?" after "what do i need?").
    quoted = [(sum(line in said for line in article.answer.splitlines()), article) for article in articles]
    best = max(quoted, key=lambda pair: pair[0], default=(0, None))
    return best[1] if best[0] else None


def follow_up_answer(tracker: Tracker) -> tuple[Article | None, str] | None:
    """Return what answers the latest message as a follow-up to the bot's last answer, and its article; else None.

    The article just given, when there was one; else the sentences of the bot's own last answer ("what time does it
    open" after the polling station was given the council's office hours, not "Polls are open 7am to 10pm": a probe).
    """
    text = str(tracker.latest_message.get("text") or "")
    if tracker.get_slot("requested_slot") or len(text.split()) > MOST_WORDS:
        return None
    kinds = [(kind, asked, answers) for kind, asked, answers in FOLLOW_UPS if asked.search(text)]
    if not kinds:
        return None
    said = replies_just_given(tracker, FOLLOW_UP_TURNS)
    try:
        article = article_quoted(said, get_knowledge().articles())
    except (ArticleError, OSError):
        return None
    if article is not None:
        about_text, lines = (
            f"{article.title} {article.answer} {' '.join(article.keywords)}",
            article.answer.splitlines(),
        )
    else:
        about_text, lines = said, [s for line in said.splitlines() for s in SENTENCE_END.split(line) if s.strip()]
    kind, asked, answers = kinds[0]
    about = set(terms(about_text))
    own = [word for word in terms(asked.sub(" ", text)) if word not in about and word not in FILLER]
    if not lines or len(own) > OWN_WORDS:
        return None  # "how long does a planning application take" after the bins answer is a question of its own
    found = same_day_first([line for line in lines if answers.search(line)], text)
    if not found:
        # Said plainly, not guessed: "how long does it take?" after the parking permits answer got the article about
        # when a registration shows on the register (a probe).
        from bot.actions.knowledge import CLARIFY  # bot.actions.knowledge imports this module

        if kind not in NOT_SAID_WHAT or replies_just_given(tracker).startswith(CLARIFY):
            # After a clarifying question there is no one answer to have left it out ("resident parking permit", then
            # "what do I need?", was told "Sorry, I don't have a list of what you'd need": a probe).
            return None  # "what do I do now?" with nothing in the answer to say is handled as before
        return article, NOT_SAID.format(what=NOT_SAID_WHAT[kind], phone=council_phone())
    source = [f"More: {article.source}"] if article is not None else []
    return article, "\n".join([*found[:2], *source])


def same_day_first(lines: list[str], text: str) -> list[str]:
    """Put the lines about the day asked first ("and on saturday?": the weekend's line, before the weekdays')."""
    asked = {day.lower().rstrip("s") for day in re.findall(DAYS, text, re.IGNORECASE)}
    if asked & {"saturday", "sunday"}:
        asked.add("weekend")
    about = [line for line in lines if any(day in line.lower() for day in asked)]
    return [*about, *(line for line in lines if line not in about)]


NOT_SAID = "Sorry, I don't have {what} for that. Please call us on {phone}, or I can ask a person to help."
NOT_SAID_WHAT = {
    "when": "the time of day",
    "need": "a list of what you'd need",
    "time": "how long it takes",
    "cost": "what it costs",
    "open": "its opening times",
    "contact": "a contact",
}


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
