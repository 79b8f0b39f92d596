"""Custom actions, one module per topic. rasa_sdk imports every module here at start-up."""
