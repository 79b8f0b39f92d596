"""Where a parsed message goes: the task its intent starts, the article it gets, or a question back.

The actions ask this module what to do with the resident's latest message (action_start_task,
action_answer_from_knowledge, action_offer_payment_help and action_handle_miss all call ``instead`` or
``for_missed``), and `make knowledge-eval` asks ``route`` the same, so the score measures what residents get.
A task request redirected to an article that belongs to a task of its own (bin days) starts that task.

The never-misroute rule lives here: a message that names a different service from the task or answer its
intent resembles ("register my baby's birth" is not registering to vote; library hours are not office
hours) is answered with that service's article instead, and a question the classifier took for a task is
answered by a strong search match. A real emergency (danger words) or a real problem report (a bin that was
not emptied) is never redirected, and neither is a task request in the resident's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge import Article
from bot.names import HANDOFF_INTENTS, INTENT_REQUEST_OFFICER, MISSED_INTENTS
from bot.search import Decision, chosen_article, decide, ranker_for
from bot.tasks_registry import TASKS
from bot.topics import topic_of

# Intents whose rules start something on the resident's behalf: a task form or an officer handoff.
STARTING = TASKS | frozenset(HANDOFF_INTENTS) | {INTENT_REQUEST_OFFICER}
CLARIFY = "(clarifying question)"

# Intents whose rule's first action asks ``instead`` (action_start_task, action_answer_from_knowledge,
# action_offer_payment_help): only these can be answered from another article. A complaint's rule speaks
# first and an officer request hands over at once, so those are never redirected (route says so too).
REDIRECTABLE = TASKS | {"payment_difficulty"}
# The teams whose articles belong to a task's own service: "am I registered to vote" names the register to
# vote article, which is the electoral task's business, not another service.
OWN_TEAMS = {"electoral": frozenset({"Electoral Services"}), "payments": frozenset({"Revenues"})}
# Search scores (BM25, see bot/search.py) a match needs to overrule an intent: a question needs less than a
# statement, and an article the message names (its title or a keyword) less than one it merely shares words with.
QUESTION_SCORE = 5.0
STATEMENT_SCORE = 10.0
NAMED_SCORE = 7.0
# How far the best match must be ahead of the next for search to pick it over the intent.
MARGIN = 1.15

# A message naming one of these services is about that service's article, whatever the task it resembles.
# Patterns match the lower-cased message; the first that matches wins.
DISTINCTIVE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), slug)
    for pattern, slug in (
        (r"\b(birth|baby'?s?|newborn|new born)\b", "register-a-birth"),
        (r"\bregist\w*\s+(a|the|my|his|her|their|our)?\s*(\w+'?s?\s+)?death\b|\bdeath certificate", "register-a-death"),
        (r"\blibrar(y|ies)\b", "libraries"),
        (r"\bleisure cent|\bswimming\b|\bswim\b|\bpool\b|\bgym\b", "leisure-centres"),
        (r"\bgarden waste\b|\bbrown bin", "garden-waste"),
        (
            r"\b(what|which) day\b.*\b(bins?|recycling|rubbish|waste|collect\w*|picked up|emptied)\b"
            r"|\b(bin|bins|collection|recycling|rubbish) days?\b"
            r"|\bwhen\b.*\b(bins?|recycling|rubbish)\b.*\b(collected|picked up|emptied)\b",
            "bin-collection-day",
        ),
        (r"\bbark(s|ing)?\b", "barking-dogs"),
        # Asked of the register's task ("what's my elector number" read as check_registration), it is the article's:
        # where the number is printed and who can tell it, never a check that would not say it anyway.
        (r"\belector(al)?( roll| register)? (number|no\b|ref)|\bvot(er|ing) number\b", "elector-number"),
    )
)
# A report of something that went wrong stays a report, even if it names a bin the articles describe.
PROBLEM = re.compile(
    r"\b(missed|wasn'?t|was not|weren'?t|didn'?t|did not|not been|never|forgot|skipped|broken|"
    r"damaged|stolen|overflowing|dumped)\b"
)
# ... and so does a statement that something is there or has stopped working ("there's graffiti on the bus
# shelter", "the street light outside number 12 is out"), or that asks for something to be done.
REPORT = re.compile(
    r"\b(there (is|are)|there'?s|report\w*|(is|are|has gone|have gone) out|not working|"
    r"(need|want) (a|an|another) (new|replacement)|please (come|send|fix|collect|remove|clear)|"
    # "street light out in Priory Gardens", "has been out since last week", "pothole outside 4 High Street": a
    # problem and where it is, told as a report (a probe got the street-lighting article, with no report).
    r"(lights?|lamps?|lamp ?posts?) (is |are )?(out|off|flickering|not working)|(been|gone) out|"
    # "dog poo all over the pavement outside 3 Weald Mews": a few words may come between the problem and the place.
    r"(pot ?holes?|fly.?tipping|graffiti|dumped \w+|street ?lights?|dog (poo|poop|mess|fouling|dirt|muck)|fouling)"
    r"( [a-z']+){0,4}? (outside|on|in|at|near|by|behind|opposite) "
    # "outside 19 rowan close": the whole house number ("1" then "9" has no word boundary between them; a probe's
    # "the street light outside 19 rowan close TN41 6PA is flickering all night" got the street lighting advice).
    r"(\d+|the |[a-z]+ (road|lane|street|close|way|avenue|drive|gardens|mews|park|hill)))\b"
)
# Danger words keep an emergency an emergency: a barking dog is not, a dog attack is.
DANGER = re.compile(
    r"\b(fire|flood\w*|gas|smoke|attack\w*|bit|bitten|bite|injur\w*|hurt|blood|danger\w*|"
    r"collaps\w*|unconscious|threat\w*|weapon|knife|police|ambulance|999)\b"
)
# An emergency clear enough to leave a form whatever the question: someone hurt, gas, fire, danger to life now.
# DANGER alone is not: "a deep pothole about a foot wide, it's dangerous, cars are swerving round it" describes the
# pothole, and "someone will get hurt" a risk to report, not an injury to call 999 about.
CLEAR_EMERGENCY = re.compile(
    r"\b(?:someone|somebody|some one|anyone|a (?:man|woman|child|kid|boy|girl|person|driver|cyclist)|people|"
    r"my \w+|he|she|they|i|we)(?:'s| is| are| was| were| has| have|'ve)?(?: just| been| got| badly| seriously)*"
    r" (?:hurt|injured|bleeding|unconscious|trapped|collapsed|not breathing|knocked (?:down|over|out))\b"
    r"|\b(?:bleeding|unconscious|not breathing|can'?t breathe|life[- ]threatening|danger to life|dying)\b"
    r"|\bgas (?:leak\w*|smell\w*)|\bsmell\w* (?:of )?gas\b|\bcarbon monoxide\b"
    r"|\b(?:on fire|fire|flames|smoke (?:coming|pouring|everywhere))\b"
    r"|\b(?:call|called|calling|ring|rang|need|send) (?:an? |the )?(?:999|ambulance|police|fire brigade)\b"
    r"|\b(?:weapon|knife|gun|attacked|attacking|electric(?:al)? shock|live (?:wires?|cables?)|"
    r"exposed (?:wires?|cables?)|sparking)\b"
    # "a big tree has come down ... and theres wires hanging down" was made a routine fallen-tree report (a probe).
    r"|\b(?:wires?|cables?|power ?lines?|electricity lines?)\b[^.?!]{0,20}?\b(?:down|hanging|dangling|"
    r"on the (?:road|ground|floor|pavement)|across the (?:road|street|pavement))\b"
    r"|\b(?:down|fallen|hanging|dangling|snapped|broken) (?:power |electric(?:ity|al)? |overhead )?"
    r"(?:wires?|cables?|power ?lines?)\b"
    # The council's own out-of-hours emergencies: a home flooding, a dangerous structure coming down.
    r"|\bflood\w* (?:into|in) (?:my|our|the|a|his|her|their) (?:house|home|flat|kitchen|property)\b"
    r"|\b(?:house|home|flat) is flooding\b"
    r"|\b(?:wall|building|roof|house|chimney|ceiling|scaffolding)s?\b[^.?!]{0,30}?\b(?:collapsed|collapsing|"
    r"falling down|coming down|caving in|fallen in|about to (?:fall|collapse|come down))\b"
)
# Not being able to pay one's council tax is the payment-difficulty task (an officer, raised priority) however
# the rest is worded; help with food or heating bills is the cost-of-living article's.
HARDSHIP = re.compile(
    r"\b(can'?t|cannot|can not|unable to|struggl\w*|afford|behind|debt|arrears|bailiffs?|"
    r"lost my job|redundant)\b"
)
# "cant pay ct this month, lost my job" got the benefits change-of-circumstances article (a probe): "ct" is council tax.
OWN_ACCOUNT = re.compile(
    r"\b(council tax|c ?tax|ct|my bill|my payments?|instalments?|direct debit|(?:this|next) month'?s? (?:payment|bill)|"
    r"pay (?:it|less|later)|(?:this|next) month)\b"
)

# Intents the classifier gives too readily to questions about other services; a question (not a report or a
# request) parsed as one of them is answered from a strongly matching article instead.
OVERRIDABLE = frozenset(
    {
        "report_problem",
        "payment_difficulty",
        "recovery_notice",
        "emergency",
        "council_tax_balance",
        "report_death_or_left",
    }
)
QUESTION = re.compile(
    r"^(how|what|whats|when|where|which|who|why|is|are|do|does|did|can|will|should|am i|if)\b|\?\s*$"
    r"|\b(how (much|many|long|often|do|can)|who (is|are|do|does|fixes|looks)|what (can|should|do))\b"
)
# An outright request for a person, whatever else the message says ("my bill is wrong and I want to speak to a
# real person"): it hands over, never answers from an article. Not "can a person register someone else".
WANTS_A_PERSON = re.compile(
    r"\b(speak|talk|chat|get through)(ing)? (to|with) (a |an |some |one |your )?(real |actual |live |proper )?"
    r"(person|human|officer|someone|somebody|advis[eo]r|agent|member of staff|staff|people)\b"
    r"|\b(real|actual|live|proper) (person|human)\b|\bhuman,? please\b"
)


# A missed collection, however it is spelt ("my bin wsn't collected" was read as a bin day question): a report.
MISSED_COLLECTION = re.compile(
    # "wasn't", "wsn't", "wadn't", "weren't" (not "won't": a bin that won't be collected is a question), and
    # "collected" as typed ("colected", "colleted", "collectd").
    r"\b(?:missed|w(?!on)\w{0,3}n'?t|was not|not been|never|ha(?:s|ve)n'?t been|"
    r"didn'?t get|did not get|not)\b[^.?!]{0,30}\b(?:col+e?c?t+e?d|emptied|picked up|taken)\b|"
    r"\bmissed (?:my |our |the )?(?:bins?|collection|recycling)\b|\b(?:bins?|recycling) (?:was|were|got) missed\b",
    re.IGNORECASE,
)


def reports_a_missed_collection(text: str) -> bool:
    """Say whether ``text`` tells of a collection that did not happen (see MISSED_COLLECTION)."""
    return bool(MISSED_COLLECTION.search(text.replace("\u2019", "'")))


def is_a_clear_emergency(text: str) -> bool:
    """Say whether ``text`` tells of a clear emergency (see CLEAR_EMERGENCY), not only of something dangerous."""
    return bool(CLEAR_EMERGENCY.search(text.lower().replace("\u2019", "'")))


def wants_a_person(text: str) -> bool:
    """Say whether ``text`` asks outright to speak to a person (see WANTS_A_PERSON)."""
    return bool(WANTS_A_PERSON.search(text.lower().replace("\u2019", "'")))


# What is left to pay on one's own account is a balance request however it is worded ("do I still owe",
# "how much is left on my bill"), never a question for an article that happens to share "council tax".
REQUEST = re.compile(
    r"\b(report|my (account|balance|bill)|balance|i (still )?owe|owed?|owing|outstanding|arrears|"
    r"left (to pay|on (my|the))|behind (on|with)|still (got|have) to pay)\b"
)
# Words of a task's own service: a message using them is about that service, whatever other one it names
# ("someone on the register here has died" is for the electoral register, not registering a death).
OWN_SERVICE = {
    "electoral": re.compile(
        r"\b(vot(e|es|er|ers|ing)|elect\w*|the (electoral )?(register|roll)|poll\w*|ballot|"
        r"proxy|postal|surname|my name|maiden|(is|are) different now|"
        r"chang(e|ed) (my|our|his|her))\b"
    ),
    "payments": re.compile(
        r"\b(council tax|payments?|paid|balance|receipts?|statement|reminder|summons|"
        r"final notice|account)\b"
    ),
}
# A category button's payload in the report form ("missed_bin"), not words to search.
PAYLOAD_WORD = re.compile(r"[a-z]+(_[a-z]+)+")
# Tasks offered as a button beside close articles. Not the council tax account tasks: a balance request with a
# typo ("balanve") is still a balance request, and is better started than questioned.
CLARIFIED_TASKS = frozenset({"report_problem", "report_death_or_left"})
# Chasing something up is asking after a request: "it's really late, can someone chase it up?" got the article on
# council tax after a death, whose keywords named a "late mother" (a probe).
_CHASE = r"\bchas(?:e|ing)\b[^.?!]{0,20}?\bup\b|\bchase (?:it|this|that|my|the|them)\b|\bstill waiting\b"
CHASES_UP = re.compile(
    _CHASE + r"|\bany (?:update|news|progress)\b|\bwhat'?s happening with (?:it|my (?:report|request))\b",
    re.IGNORECASE,
)
# Asking for it to be chased, not only for news: "any news on SR-117074?" in the chat that reported it opened an
# officer's case without being asked (a probe); only these words hand a request to an officer to chase.
ASKS_TO_CHASE = re.compile(_CHASE + r"|\bhurry (?:it |them |this )?up\b|\bspeed (?:it|this|things) up\b", re.IGNORECASE)
# Asking after something already reported is the progress task, whatever service it names.
PROGRESS = re.compile(r"\b(reported|update|progress|any news|reference|ref)\b")
# Withdrawing a report: a reference, "after all", or a cancelling word with the report or request it cancels
# ("the bin was collected after all" names bin days, "cancel SR-... the fly-tipping has gone" fly-tipping).
# "Cancel my garden waste collection" names no report: it is the article's.
CANCELLING = re.compile(
    r"\b(sr[\s-]?\d{6}|after all|no longer need\w*|"
    r"(cancel\w*|cancle|canx|withdraw\w*|scrap|delete|undo|take back|close|call off|ignore|remove)\b.*"
    r"\b(report\w*|reprot|request|ticket|crew)|"
    r"(report\w*|request)\b.*\b(cancel\w*|withdraw\w*|not needed|no longer|any ?more|no more))\b"
)
# When a bin goes out is the bin-day lookup's question, whichever bin it names ("do i put the food caddy out this
# week or next" names the food caddy article, but wants the day).
COLLECTION_TIME = re.compile(
    r"\b(what day|which day|which week|this week|next week|tomorrow|tonight|bin day|"
    r"collection days?|go(es)? out|put \w+( \w+){0,2} out|picked up|collected|emptied)\b"
)
# Statements a few intents yield to a strong match ("household support fund" is no payment difficulty, nor a
# section 21 notice a council tax recovery notice).
STATEMENT_OVERRIDABLE = frozenset({"payment_difficulty", "recovery_notice", "emergency", "report_problem"})


def instead(text: str, intent: str, articles: list[Article], confidence: float = 1.0) -> Decision:
    """Return what answers ``text`` better than its intent's own action; an empty Decision when the intent stands.

    In order: a button's payload ("/report_problem") stands, as the resident chose it; danger words keep an
    emergency; a distinctive service named (DISTINCTIVE) gets its article; then search may overrule the intent
    (``_searched``). ``confidence`` is the classifier's; it is not used yet, as wrong intents came as sure as
    right ones on the evaluation set.
    """
    lowered = text.lower().replace("\u2019", "'").strip()
    danger = DANGER.search(lowered) or CLEAR_EMERGENCY.search(lowered)
    if lowered.startswith("/") or PAYLOAD_WORD.fullmatch(lowered) or (intent == "emergency" and danger):
        return Decision()
    own = _own_article(intent, articles)
    if intent not in REDIRECTABLE and own is None:
        return Decision()
    by_slug = {article.slug: article for article in articles}
    named = [by_slug[slug] for pattern, slug in DISTINCTIVE if slug in by_slug and pattern.search(lowered)]
    if named:
        if intent in ("report_problem", "ask_bin_day") and _keeps_task(lowered, intent):
            return Decision()
        # The intent stands when any service named is its own: "when is my brown bin collected" names garden
        # waste too, but it is a bin-day question.
        if any(intent in article.intents for article in named):
            return Decision()
        return Decision(answer=_named_more_strongly(lowered, named[0], intent, articles) or named[0])
    return _searched(lowered, intent, own, articles)


def _named_more_strongly(lowered: str, article: Article, intent: str, articles: list[Article]) -> Article | None:
    """Return another article the message names clearly more strongly than ``article``, if there is one.

    "I've had a baby, how do I update my housing application" mentions a baby, but names the housing register.
    """
    ranked = ranker_for(articles).rank(lowered, limit=5)
    score = next((hit.score for hit in ranked if hit.article is article), 0.0)
    return next(
        (
            hit.article
            for hit in ranked
            if hit.named
            and hit.article is not article
            and intent not in hit.article.intents
            and hit.score >= max(NAMED_SCORE, MARGIN * score)
        ),
        None,
    )


def _own_article(intent: str, articles: list[Article]) -> Article | None:
    """Return the general article that answers ``intent`` (opening hours for opening_hours), if there is one."""
    return next((article for article in articles if intent in article.intents and not article.when), None)


def _keeps_task(lowered: str, intent: str) -> bool:
    """Whether the message reads as the task its intent starts, whatever articles it also matches."""
    if DANGER.search(lowered) or REQUEST.search(lowered):
        return True
    if intent == "report_problem":
        # "someone nicked my recycling bin", "the lid on my green bin has snapped off": a replacement to ask for, not
        # the new-bin article alone (a probe was left with "You can ask in this chat" and no way to).
        from bot.actions.form_answers import BIN_TO_REPLACE  # it imports this module's registry users

        return bool(
            PROBLEM.search(lowered)
            or REPORT.search(lowered)
            or MISSED_COLLECTION.search(lowered)
            # A question about it ("how much for a new one", "can you fix it") is the article's, which gives the price.
            or (
                not QUESTION.search(lowered)
                and not re.search(r"\b(?:can|could) you\b", lowered)
                and bool(
                    BIN_TO_REPLACE.search(lowered)
                    or (
                        re.search(r"\b(?:nicked|pinched|taken|gone missing)\b", lowered)
                        and re.search(r"\bbins?\b", lowered)
                    )
                )
            )
        )
    if intent == "payment_difficulty":
        return bool(HARDSHIP.search(lowered) and OWN_ACCOUNT.search(lowered))
    if intent == "report_death_or_left":
        return bool(OWN_SERVICE["electoral"].search(lowered))
    if intent == "request_progress":
        return bool(PROGRESS.search(lowered))
    if intent == "cancel_service_request":
        return bool(CANCELLING.search(lowered))
    if intent == "ask_bin_day":
        return bool(COLLECTION_TIME.search(lowered))
    return False


def _searched(lowered: str, intent: str, own: Article | None, articles: list[Article]) -> Decision:
    """Return a strongly matching article for a message whose intent is a poor fit, or an empty Decision.

    A question whose best two matches are close gets a clarifying question instead of the task: the
    articles as buttons, and the task itself as one (its payload starts it).
    """
    if intent in TASKS | {"payment_difficulty", "emergency"} and _keeps_task(lowered, intent):
        return Decision()
    ranker = ranker_for(articles)
    ranked = ranker.rank(lowered, limit=len(articles))
    own_score = next((hit.score for hit in ranked if hit.article is own), 0.0)
    hits = [hit for hit in ranked if intent not in hit.article.intents][:5]
    if not hits:
        return Decision()
    best, runner_up = hits[0], (hits[1].score if len(hits) > 1 else 0.0)
    clear = best.score >= MARGIN * runner_up
    # Another service named outright: its title or keyword, in words the intent's own article does not use
    # ("cemetery opening times" is not the office's opening hours) or from another team than the task's.
    named = [hit for hit in hits if hit.named]
    if named and named[0].score >= NAMED_SCORE and (len(named) == 1 or named[0].score >= MARGIN * named[1].score):
        hit = named[0]
        if own is not None and (not ranker.uses(own, hit.naming) or hit.score >= MARGIN * own_score):
            return Decision(answer=hit.article)
        topic = topic_of(intent)
        own_service = OWN_SERVICE.get(topic)
        if (
            own is None
            and hit.article.owner not in OWN_TEAMS.get(topic, frozenset())
            and not (own_service and own_service.search(lowered))
        ):
            return Decision(answer=hit.article)
    if intent not in OVERRIDABLE:
        return Decision()
    question = bool(QUESTION.search(lowered))
    if not question and intent not in STATEMENT_OVERRIDABLE:
        return Decision()
    if best.score < (QUESTION_SCORE if question else STATEMENT_SCORE):
        return Decision()
    if clear:
        return Decision(answer=best.article)
    if question and intent in CLARIFIED_TASKS:
        close = tuple(hit.article for hit in hits[:2] if hit.score * MARGIN >= best.score)
        return Decision(choices=close, task=intent)
    return Decision()


def for_missed(text: str, articles: list[Article]) -> Decision:
    """Return what search makes of a message no intent answers: a chosen button's article, or the best match."""
    chosen = chosen_article(text, articles)
    if chosen is not None:
        return Decision(answer=chosen)
    return decide(ranker_for(articles).rank(text, forgive_typos=True))


@dataclass(frozen=True)
class Route:
    """What a message leads to.

    ``first`` is what the resident gets (an article slug, a task or intent name, or CLARIFY), ``top3`` what
    they get or are offered, ``starts`` the task or handoff begun, if any.
    """

    first: str | None
    top3: tuple[str, ...] = ()
    starts: str | None = None


def route(text: str, intent: str, articles: list[Article], confidence: float = 1.0) -> Route:
    """Return where ``text``, parsed as ``intent`` with ``confidence``, goes with the current articles."""
    if intent in MISSED_INTENTS:
        decision = for_missed(text, articles)
        if decision.answer is None and not decision.choices:
            return Route(None, tuple(hit.article.slug for hit in ranker_for(articles).rank(text)))
        return _answered(decision)
    decision = instead(text, intent, articles, confidence)
    task = task_of_article(decision.answer) if intent in TASKS else None
    if task is not None:
        return Route(task, (task,), starts=task)
    if decision.answer is not None or decision.choices:
        return _answered(decision)
    if intent in STARTING:
        return Route(intent, (intent,), starts=intent)
    answer = next((a for a in articles if intent in a.intents and not a.when), None)
    name = answer.slug if answer else intent
    return Route(name, (name,))


def task_of_article(article: Article | None) -> str | None:
    """Return the task an article belongs to (bin days: the lookup by address), if it has one.

    A task request redirected to such an article starts that task instead: the article would only say "ask me".
    """
    if article is None:
        return None
    return next((intent for intent in article.intents if intent in TASKS), None)


def _answered(decision: Decision) -> Route:
    """Return the route of a decision that answers or asks (a single choice is answered outright)."""
    if decision.answer is not None:
        return Route(decision.answer.slug, (decision.answer.slug,))
    if len(decision.choices) == 1 and not decision.task:
        return Route(decision.choices[0].slug, (decision.choices[0].slug,))
    offered = tuple(article.slug for article in decision.choices)
    return Route(CLARIFY, (*offered, decision.task) if decision.task else offered)
