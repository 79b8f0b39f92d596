"""Names of intents, slots and actions that Python code refers to (the domain is their other home)."""

INTENT_REQUEST_OFFICER = "request_officer"
INTENT_OUT_OF_SCOPE = "out_of_scope"
INTENT_NLU_FALLBACK = "nlu_fallback"
MISSED_INTENTS = frozenset({INTENT_OUT_OF_SCOPE, INTENT_NLU_FALLBACK})

SLOT_OFFICER_OFFERED = "officer_offered"
# Why an officer was offered (fallback, locked_out, payment_difficulty ...), for the officer's queue.
SLOT_HANDOFF_REASON = "handoff_reason"

# Intents that are themselves a reason to hand over, with the priority the officer's queue gives them.
HANDOFF_INTENTS = {
    "complaint": ("complaint", "normal"),
    "payment_difficulty": ("payment_difficulty", "high"),
    "emergency": ("emergency", "urgent"),
}
PRIORITY_OF_REASON = {"payment_difficulty": "high", "emergency": "urgent", "locked_out": "high"}

# After this many misses in a row the bot offers an officer.
MISSES_BEFORE_OFFER = 2

# The tasks themselves are declared in the topic modules (bot/actions/electoral.py ...), collected in
# bot/tasks_registry.py.
# Problems reported at a property (the bin is at an address); others are described places.
ADDRESSED_CATEGORIES = frozenset({"missed_bin", "bin_request"})
UNKNOWN = "unknown"  # an answer the resident does not have, e.g. no account number to hand
LATEST = "latest"  # the payment meant is the account's most recent one ("when was my last payment")
# verification_outcome while the back office has failed and the resident is asked whether to try again
# (the answers so far are kept): during the questions, or when the task itself failed (its "yes" stands).
FAILED_DURING_QUESTIONS = "error"
FAILED_AT_THE_END = "submit_error"
FAILED = (FAILED_DURING_QUESTIONS, FAILED_AT_THE_END)
# verification_outcome once the resident dropped the task mid-form ("forget it"): the form ends, nothing is sent.
STOPPED = "stopped"
IDENTITY_SLOTS = ("full_name", "date_of_birth", "postcode", "address_uprn")
ADDRESS_SLOTS = ("postcode", "address_uprn")
# How sure the intent classifier must be that an answer mid-task is really a request for another task.
SWITCH_CONFIDENCE = 0.8
# Every slot the task form may fill: reset when a task starts or ends.
FORM_SLOTS = (
    "opening_words",
    "full_name",
    "date_of_birth",
    "vote_duration",
    "ballot_delivery",
    "ballot_address",
    "proxy_name",
    "proxy_relationship",
    "proxy_reason",
    "new_name",
    "reported_name",
    "report_kind",
    "report_notes",
    "task_confirmed",
    "verification_outcome",
    "problem_location",
    "problem_description",
    "contact_email",
    "answer_misses",
    "document_kind",
)
