"""Persistence: SQLAlchemy models, database set-up and migrations, bank sync, export and import.

This package imports ``content`` (the bank's dataclasses and parser) but never the
application, the UI or the engine.
"""
