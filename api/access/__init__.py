"""Who may come in, and how often: rate limits, stream caps, request-size limits and the client's source.

Everything here is generic: a feature names a limit (``RateLimits`` field) and a key (a conversation id or
the pseudonymous source of the request) and gets a 429 with ``Retry-After`` when the key has used it up.
"""
