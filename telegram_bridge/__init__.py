"""The Telegram bridge: a python-telegram-bot process that carries Telegram chats to and from the hub.

It never imports ``api``: it talks to the hub over HTTP with a service token, like the action server.
"""
