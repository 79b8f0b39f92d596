"""Officers who take escalated conversations."""
