"""Council Assistant API: back office, conversation hub and web chat in one FastAPI process."""
