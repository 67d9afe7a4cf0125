"""Telegram update handlers, one module per audience; ``bot.app`` wires them in order."""
