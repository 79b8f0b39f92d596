"""The officer console: sign-in, the queue of handoffs, live chat with residents and the supervisor dashboard."""
