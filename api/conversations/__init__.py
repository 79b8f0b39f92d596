"""The conversation hub: owns every conversation, stores every message, routes it to the bot or an officer."""
