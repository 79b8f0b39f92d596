"""Keep residents' personal data out of Rasa's tracker store and out of every Rasa and action-server log."""
