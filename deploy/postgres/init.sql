-- Rasa's tracker store gets a database of its own beside the back office's (compose.yaml runs this once).
CREATE DATABASE rasa_tracker;
