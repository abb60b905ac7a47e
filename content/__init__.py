"""The question bank: Markdown files and the parser that turns them into plain dataclasses.

This package knows nothing of SQL, Textual or the engine; it only reads and validates text.
"""
