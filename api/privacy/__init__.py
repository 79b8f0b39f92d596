"""Residents' rights over what the council holds.

The retention purge, subject access export and erasure, and the audit log of who viewed, exported or erased
a conversation.
"""
