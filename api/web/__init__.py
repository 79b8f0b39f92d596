"""web feature."""
