"""The question bank: Markdown files and the parser that turns them into plain dataclasses.

This package knows nothing of SQL, Textual or the engine; it only reads and validates text.
"""

from pathlib import Path

# The bank that ships inside the package; its code snippets are trusted.
BUNDLED_BANK_DIR = Path(__file__).resolve().parent / "bank"
