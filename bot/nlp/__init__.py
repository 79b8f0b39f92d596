"""The project's spaCy pipeline: blank English plus rules for council entities (no downloaded model)."""
