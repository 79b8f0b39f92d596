"""Bin collections: the rounds that empty each property's bins, and the next dates with bank-holiday changes."""
