"""LaTeX math as readable Unicode, for terminals that cannot typeset it.

``\\frac{1}{1 + e^{-x}}`` becomes ``1/(1 + e⁻ˣ)``, ``\\hat{y}_i`` becomes ``ŷᵢ``,
``W^\\top`` becomes ``Wᵀ``. Two entry points:

- :func:`latex_to_unicode` converts one formula (the text between the dollars);
- :func:`to_unicode` converts every ``$…$`` and ``$$…$$`` span of a Markdown text and leaves
  the rest — code spans and fenced code included — as it was, so the result is still Markdown.

Neither ever raises: malformed LaTeX comes out as readable as it can, never as an error.
The spacing of the source is kept (``a + b`` stays spaced, ``a+b`` stays tight), except the
space that only ends a command name (``\\partial L`` → ``∂L``).
"""

from __future__ import annotations

import re
import unicodedata


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π", "varpi": "ϖ",
    "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ",
    "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}  # fmt: skip

# Symbols that read as part of the next term: a space between them and a following letter
# only ends the command name (``\partial L`` → ``∂L``), so it is dropped.
ORDINARY = GREEK | {
    "partial": "∂", "nabla": "∇", "infty": "∞", "ell": "ℓ", "hbar": "ℏ", "imath": "ı",
    "emptyset": "∅", "varnothing": "∅", "forall": "∀", "exists": "∃", "neg": "¬", "lnot": "¬",
    "prime": "′", "top": "⊤", "intercal": "⊺", "bot": "⊥", "dagger": "†", "degree": "°",
    "angle": "∠", "Re": "ℜ", "Im": "ℑ", "aleph": "ℵ", "checkmark": "✓",
    "sum": "Σ", "prod": "Π", "coprod": "∐", "int": "∫", "iint": "∬", "oint": "∮",
    "ldots": "…", "dots": "…", "cdots": "⋯", "vdots": "⋮", "ddots": "⋱",
    "{": "{", "}": "}", "|": "‖", "_": "_", "%": "%", "&": "&", "#": "#", "$": "$",
    "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|", "vert": "|",
    "lbrace": "{", "rbrace": "}", "backslash": "\\",
}  # fmt: skip

# Operators, relations and named functions: the spacing written around them is kept.
SPACED = {
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "odot": "⊙", "otimes": "⊗",
    "oplus": "⊕", "circ": "∘", "ast": "∗", "star": "⋆", "bullet": "•", "setminus": "∖",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "simeq": "≃", "sim": "∼", "cong": "≅", "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫",
    "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆", "supset": "⊃",
    "supseteq": "⊇", "cup": "∪", "cap": "∩", "land": "∧", "wedge": "∧", "lor": "∨", "vee": "∨",
    "mid": "|", "parallel": "∥", "perp": "⊥", "coloneqq": "≔", "triangleq": "≜",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "leftrightarrow": "↔",
    "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔", "implies": "⟹", "iff": "⟺",
    "mapsto": "↦", "longrightarrow": "⟶", "therefore": "∴", "because": "∵",
    "bmod": "mod", "pmod": "mod",
}  # fmt: skip
FUNCTIONS = _names(
    "log ln lg exp max min sup inf lim liminf limsup arg argmax argmin det dim ker Pr sgn "
    "sin cos tan sinh cosh tanh arcsin arccos arctan sec csc cot deg gcd"
)
SPACES = {",": " ", ":": " ", ";": " ", " ": " ", "quad": " ", "qquad": " ", "!": ""}
# Commands that only change the look of their argument: the argument is kept as it is.
WRAPPERS = _names(
    "mathbf mathrm mathit mathsf mathtt mathnormal boldsymbol bm operatorname boxed "
    "underbrace overbrace"
)
TEXT_MODE = frozenset({"text", "textrm", "textbf", "textit", "textsf", "texttt", "mbox"})
DROPPED = _names(
    "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr middle "
    "limits nolimits displaystyle textstyle scriptstyle nonumber notag"
)
DROPPED_WITH_ARGUMENT = frozenset({"label", "tag", "color", "hspace", "vspace"})
ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
    "tilde": "\u0303", "widetilde": "\u0303", "dot": "\u0307", "ddot": "\u0308",
    "vec": "\u20d7", "check": "\u030c", "breve": "\u0306", "underline": "\u0332",
}  # fmt: skip
MATRIX_BRACKETS = {
    "matrix": ("", ""), "pmatrix": ("(", ")"), "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"),
    "vmatrix": ("|", "|"), "Vmatrix": ("‖", "‖"),
}  # fmt: skip

_DOUBLE_STRUCK = {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"}
_SCRIPT = {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ", "R": "ℛ"}


def _alphabet(start: int, exceptions: dict[str, str]) -> dict[str, str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return {letter: exceptions.get(letter, chr(start + i)) for i, letter in enumerate(letters)}


FONTS = {
    "mathbb": _alphabet(0x1D538, _DOUBLE_STRUCK) | {"1": "𝟙"},
    "mathcal": _alphabet(0x1D49C, _SCRIPT),
    "mathscr": _alphabet(0x1D49C, _SCRIPT),
}

SUPERSCRIPTS = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθιφχ⊤⊺*∗′",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᶥᵠᵡᵀᵀ**′",
        strict=True,
    )
)
SUBSCRIPTS = dict(
    zip(
        "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)

# Characters that make a fraction's numerator or denominator need parentheses.
_COMPOUND = frozenset(" +-−=<>/·×÷±∓,;:≤≥≠≈∈→")
_BRACKET_DEPTH = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}
# "\left( a \right)" and "1 & 0" in a matrix leave spaces that only look loose.
_SPACE_BEFORE_CLOSER = re.compile(r"[ \t]+([,;)\]⟩⌋⌉])")
_SPACE_AFTER_OPENER = re.compile(r"([(\[⟨⌊⌈])[ \t]+")
_SPACE_AROUND_NEWLINE = re.compile(r"[ \t]*\n[ \t]*")
_MAX_DEPTH = 64  # deeper nesting is copied as written rather than recursed into


def latex_to_unicode(latex: str) -> str:
    """One LaTeX formula as readable Unicode text."""
    text = _Reader(latex).read()
    text = _SPACE_BEFORE_CLOSER.sub(r"\1", text)
    text = _SPACE_AFTER_OPENER.sub(r"\1", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    # Precomposed letters where Unicode has them (y + combining hat → ŷ) render more reliably.
    return unicodedata.normalize("NFC", text).strip()


def _script(text: str, table: dict[str, str], mark: str) -> str:
    """``2`` → ``²``; text without a Unicode form for every character → ``^(…)`` / ``_(…)``."""
    text = "".join(text.split())
    if not text:
        return ""
    if all(char in table for char in text):
        return "".join(table[char] for char in text)
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def _operand(text: str) -> str:
    """A fraction part or root argument, parenthesised unless it is one term.

    One term: no operator outside brackets, so ``2σ²`` and ``(x-μ)²`` stay as they are.
    """
    text = text.strip()
    depth = 0
    for char in text:
        depth += _BRACKET_DEPTH.get(char, 0)
        if depth <= 0 and (char in _COMPOUND or char.isspace()):
            return f"({text})"
    return text


class _Reader:
    """A recursive-descent reader over one formula; every method returns plain text."""

    def __init__(self, latex: str):
        self.text = latex
        self.pos = 0
        self.depth = 0
        self.environments: list[str] = []

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def read(self, stop: str = "") -> str:
        """Read up to ``stop`` (not consumed) or the end."""
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if stop and char == stop:
                break
            self.pos += 1
            if char.isspace():
                if out and not out[-1].endswith(" "):
                    out.append(" ")
            elif char == "{":
                out.append(self.group_after_brace())
            elif char == "}":
                continue  # a stray closing brace: nothing to close
            elif char == "^":
                out.append(_script(self.argument(), SUPERSCRIPTS, "^"))
            elif char == "_":
                out.append(_script(self.argument(), SUBSCRIPTS, "_"))
            elif char == "\\":
                out.append(self.command())
            elif char == "&":
                out.append(", " if self.in_matrix() else "")
            elif char == "~":
                out.append(" ")
            elif char == "'":
                out.append("′")
            else:
                out.append(char)
        return "".join(out)

    def in_matrix(self) -> bool:
        return bool(self.environments) and self.environments[-1] in MATRIX_BRACKETS

    def group_after_brace(self) -> str:
        """The text of a ``{…}`` group whose opening brace was just consumed."""
        if self.depth >= _MAX_DEPTH:
            return self.raw_group_after_brace()
        self.depth += 1
        text = self.read(stop="}")
        self.depth -= 1
        if self.peek() == "}":
            self.pos += 1
        return text

    def raw_group_after_brace(self) -> str:
        """The source of a ``{…}`` group, unconverted (text mode and over-deep nesting)."""
        depth, start = 1, self.pos
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\":
                self.pos += 1
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return self.text[start : self.pos - 1]
        return self.text[start:]

    def skip_spaces(self) -> None:
        while self.peek().isspace():
            self.pos += 1

    def skip_spaces_before_operand(self) -> None:
        """Drop spaces followed by a letter, digit or command: ``\\partial L`` reads ``∂L``,
        while ``\\alpha + \\beta`` keeps its spaces around the operator."""
        end = self.pos
        while end < len(self.text) and self.text[end].isspace():
            end += 1
        if end < len(self.text) and (self.text[end].isalnum() or self.text[end] == "\\"):
            self.pos = end

    def argument(self) -> str:
        """The next argument of a command or script: a group, a command, or one character."""
        self.skip_spaces()
        char = self.peek()
        if not char:
            return ""
        self.pos += 1
        if char == "{":
            return self.group_after_brace()
        if char == "\\":
            return self.command(in_argument=True)
        return char

    def raw_argument(self) -> str:
        self.skip_spaces()
        if self.peek() == "{":
            self.pos += 1
            return self.raw_group_after_brace()
        return self.argument()

    def optional_argument(self) -> str:
        self.skip_spaces()
        if self.peek() != "[":
            return ""
        self.pos += 1
        text = self.read(stop="]")
        if self.peek() == "]":
            self.pos += 1
        return text

    def command_name(self) -> str:
        start = self.pos
        while self.peek().isascii() and self.peek().isalpha():
            self.pos += 1
        if self.pos == start and self.pos < len(self.text):
            self.pos += 1  # a one-character command such as \{ or \,
        return self.text[start : self.pos]

    def command(self, in_argument: bool = False) -> str:
        """The text of a command whose backslash was just consumed.

        ``in_argument``: the command is a whole script or command argument (``x_\\theta``), so
        the space after it belongs to the text that follows and is kept.
        """
        name = self.command_name()
        if self.peek() == "*":  # \operatorname*, \sum* …: the star changes only the layout
            self.pos += 1
        if name in ORDINARY:
            if not in_argument:
                self.skip_spaces_before_operand()
            return ORDINARY[name]
        if name in SPACED:
            return SPACED[name]
        if name in FUNCTIONS:
            return name
        if name in SPACES:
            return SPACES[name]
        if name == "\\":
            return "; " if self.in_matrix() else "\n"
        if name in DROPPED:
            self.skip_spaces()
            if self.peek() == "." and name in {"left", "right", "middle"}:
                self.pos += 1  # \left. is an invisible delimiter
            return ""
        if name in DROPPED_WITH_ARGUMENT:
            self.raw_argument()
            return " " if name.endswith("space") else ""
        if name in TEXT_MODE:
            return self.raw_argument()
        if name in WRAPPERS:
            return self.argument()
        if name in FONTS:
            font = FONTS[name]
            return "".join(font.get(char, char) for char in self.argument())
        if name in ACCENTS:
            mark = ACCENTS[name]
            return "".join(char + mark if not char.isspace() else char for char in self.argument())
        if name in {"frac", "dfrac", "tfrac", "cfrac"}:
            numerator, denominator = self.argument(), self.argument()
            return f"{_operand(numerator)}/{_operand(denominator)}"
        if name == "binom":
            n, k = self.argument(), self.argument()
            return f"C({n.strip()}, {k.strip()})"
        if name == "sqrt":
            degree = self.optional_argument().strip()
            radical = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(degree, f"{degree}√")
            return radical + _operand(self.argument())
        if name in {"overset", "underset", "stackrel"}:
            self.argument()  # the small annotation; the symbol under or over it remains
            return self.argument()
        if name == "textcolor":
            self.raw_argument()
            return self.argument()
        if name == "begin":
            environment = self.raw_argument().strip()
            self.environments.append(environment)
            return MATRIX_BRACKETS.get(environment, ("", ""))[0]
        if name == "end":
            environment = self.raw_argument().strip()
            if self.environments and self.environments[-1] == environment:
                self.environments.pop()
            return MATRIX_BRACKETS.get(environment, ("", ""))[1]
        return "\\" + name  # unknown: shown as written, so nothing silently disappears


# --- Markdown with math -------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MARKDOWN_TOKEN = re.compile(r"(?P<code>`+)|(?P<escape>\\.)|(?P<math>\$\$|\$)", re.DOTALL)
# Characters the converted math must not leave for Markdown to interpret.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def to_unicode(markdown: str) -> str:
    """Every ``$…$`` / ``$$…$$`` span of a Markdown text converted; the rest kept as written.

    An inline span opens at a ``$`` followed by a non-space and closes at a ``$`` preceded
    by a non-space and not followed by a digit, so prices such as "$5 and $10" stay text.
    """
    out: list[str] = []
    prose: list[str] = []

    def flush_prose() -> None:
        if prose:
            out.append(_convert_prose("\n".join(prose)))
            prose.clear()

    fence = ""
    for line in markdown.split("\n"):
        opening = _FENCE.match(line)
        if fence:
            out.append(line)
            closes = opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence)
            if closes and not line.strip().strip(fence[0]):
                fence = ""
        elif opening and not (opening[1][0] == "`" and "`" in line[opening.end() :]):
            flush_prose()
            out.append(line)
            fence = opening[1]
        else:
            prose.append(line)
    flush_prose()
    return "\n".join(out)


def _convert_prose(text: str) -> str:
    out: list[str] = []
    position = 0
    while True:
        match = _MARKDOWN_TOKEN.search(text, position)
        if not match:
            out.append(text[position:])
            return "".join(out)
        out.append(text[position : match.start()])
        position = match.end()
        if match["code"]:
            closing = re.compile(rf"(?<!`){match['code']}(?!`)").search(text, position)
            end = closing.end() if closing else position
            out.append(text[match.start() : end])
            position = end
        elif match["escape"]:
            out.append(match[0])
        else:
            end = _closing_dollar(text, position, display=match["math"] == "$$")
            if end is None:
                out.append(match[0])
            else:
                formula = latex_to_unicode(text[position:end])
                out.append(_MARKDOWN_SPECIAL.sub(r"\\\1", formula))
                position = end + len(match["math"])


def _closing_dollar(text: str, start: int, display: bool) -> int | None:
    """Where the span opened just before ``start`` closes, or None when it does not."""
    if display:
        position = start
        while (found := text.find("$$", position)) != -1:
            if text[found - 1] != "\\":
                return found if found > start else None
            position = found + 2
        return None
    if start >= len(text) or text[start].isspace():
        return None
    position = start
    while (found := text.find("$", position)) != -1:
        inside = text[start:found]
        if "\n\n" in inside:
            return None
        if (
            found > start
            and not text[found - 1].isspace()
            and text[found - 1] != "\\"
            and not text[found + 1 : found + 2].isdigit()
        ):
            return found
        position = found + 1
    return None
