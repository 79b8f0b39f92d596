"""Names of intents, slots and actions that Python code refers to (the domain is their other home)."""

INTENT_REQUEST_OFFICER = "request_officer"
INTENT_OUT_OF_SCOPE = "out_of_scope"
INTENT_NLU_FALLBACK = "nlu_fallback"
MISSED_INTENTS = frozenset({INTENT_OUT_OF_SCOPE, INTENT_NLU_FALLBACK})

SLOT_OFFICER_OFFERED = "officer_offered"

# After this many misses in a row the bot offers an officer.
MISSES_BEFORE_OFFER = 2
