"""Run the emulator: ``python -m tools.telegram_emulator --port 8081 --token <token>``."""

from tools.telegram_emulator.app import main

main()
