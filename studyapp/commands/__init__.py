"""Handlers of the command-line commands, one module per command group."""
