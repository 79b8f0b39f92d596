"""The hub's side of the Telegram channel: which chat is which conversation, updates seen, messages delivered."""
