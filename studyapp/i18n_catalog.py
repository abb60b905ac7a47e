"""Maintaining the Japanese catalog: extract messages, read .po, write .mo.

Run ``python -m studyapp.i18n_catalog`` after editing studyapp.po to rebuild studyapp.mo
(no gettext tools needed). ``python -m studyapp.i18n_catalog --missing`` lists the messages
used in the code that the catalog does not translate yet.
"""

from __future__ import annotations

import argparse
import ast
import struct
import sys
from pathlib import Path

from studyapp.i18n import DOMAIN, LOCALE_DIR

PACKAGE_DIR = Path(__file__).resolve().parent


def po_path(language: str = "ja") -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_po(text: str) -> dict[str, str]:
    """msgid → msgstr from .po text (plain entries; the header has msgid "")."""
    entries: dict[str, str] = {}
    field, msgid, msgstr = None, [], []

    def flush() -> None:
        if field is not None:
            entries["".join(msgid)] = "".join(msgstr)

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            field, msgid, msgstr = "id", [ast.literal_eval(line[6:])], []
        elif line.startswith("msgstr "):
            field = "str"
            msgstr.append(ast.literal_eval(line[7:]))
        elif line.startswith('"') and field == "id":
            msgid.append(ast.literal_eval(line))
        elif line.startswith('"') and field == "str":
            msgstr.append(ast.literal_eval(line))
    flush()
    return entries


def write_mo(entries: dict[str, str]) -> bytes:
    """The GNU .mo binary for ``entries`` (the format Python's gettext module reads)."""
    items = sorted((k.encode(), v.encode()) for k, v in entries.items() if v or k == "")
    header_size, entry_size = 7 * 4, 8
    ids_table = header_size
    strs_table = ids_table + len(items) * entry_size
    data_start = strs_table + len(items) * entry_size
    ids_blob, strs_blob, id_offsets, str_offsets = b"", b"", [], []
    for key, _value in items:
        id_offsets.append((len(key), data_start + len(ids_blob)))
        ids_blob += key + b"\0"
    strs_start = data_start + len(ids_blob)
    for _key, value in items:
        str_offsets.append((len(value), strs_start + len(strs_blob)))
        strs_blob += value + b"\0"
    output = struct.pack("<7I", 0x950412DE, 0, len(items), ids_table, strs_table, 0, 0)
    for length, offset in id_offsets:
        output += struct.pack("<2I", length, offset)
    for length, offset in str_offsets:
        output += struct.pack("<2I", length, offset)
    return output + ids_blob + strs_blob


def extract_messages(root: Path = PACKAGE_DIR) -> dict[str, list[str]]:
    """Every literal passed to ``_(...)`` in the package → the places that use it."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                place = f"{path.relative_to(root.parent)}:{node.lineno}"
                found.setdefault(node.args[0].value, []).append(place)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studyapp.i18n_catalog")
    parser.add_argument("--missing", action="store_true", help="list untranslated messages")
    args = parser.parse_args(argv)
    po = po_path()
    entries = read_po(po.read_text(encoding="utf-8"))
    if args.missing:
        missing = {m: places for m, places in extract_messages().items() if not entries.get(m)}
        for message, places in missing.items():
            print(f"{places[0]}: {message!r}")
        return 1 if missing else 0
    po.with_suffix(".mo").write_bytes(write_mo(entries))
    print(f"wrote {po.with_suffix('.mo')} ({len(entries) - 1} messages)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
