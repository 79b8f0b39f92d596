"""Requests for service (missed bins, potholes, street lights ...) and their progress."""
