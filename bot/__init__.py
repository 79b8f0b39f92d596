"""Python run by Rasa: custom actions, the back-office client, knowledge loader and spaCy pipeline."""
