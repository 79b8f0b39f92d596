"""Council tax accounts, instalments and payments."""
