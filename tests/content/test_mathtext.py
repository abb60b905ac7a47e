"""LaTeX → Unicode for the terminal: formulas, and math spans inside Markdown."""

from __future__ import annotations

import pytest

from content.mathtext import latex_to_unicode, to_unicode


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        # Greek letters, upper and lower case, with variants
        (r"\alpha + \beta = \gamma", "α + β = γ"),
        (r"\Sigma \Delta \Omega", "ΣΔΩ"),
        (r"\epsilon \varepsilon \phi \varphi", "εεφφ"),
        # fractions: parentheses only around compound parts
        (r"\frac{a}{b}", "a/b"),
        (r"\frac{1}{1 + e^{-x}}", "1/(1 + e⁻ˣ)"),
        (r"\frac{\partial L}{\partial W}", "∂L/∂W"),
        (r"OH = \frac{H + 2P - FH}{S} + 1", "OH = (H + 2P - FH)/S + 1"),
        (r"\dfrac{(x-\mu)^2}{2\sigma^2}", "(x-μ)²/2σ²"),
        (r"\frac{\lambda}{2} \|w\|^2", "λ/2 ‖w‖²"),
        # super- and subscripts, with a readable fallback
        (r"x^2 + y^{10}", "x² + y¹⁰"),
        (r"e^{-x}", "e⁻ˣ"),
        (r"h_{t-1}", "hₜ₋₁"),
        (r"x_{ij}", "xᵢⱼ"),
        (r"W^{(1)}", "W⁽¹⁾"),
        (r"x^q", "x^q"),
        (r"e^{x_i}", "e^(xᵢ)"),
        (r"\nabla_W L", "∇_W L"),
        (r"W^\top x", "Wᵀ x"),
        (r"W^T", "Wᵀ"),
        (r"x^*", "x*"),
        (r"f'(x)", "f′(x)"),
        # roots
        (r"\sqrt{2}", "√2"),
        (r"\sqrt{d_k}", "√dₖ"),
        (r"\sqrt{x^2 + y^2}", "√(x² + y²)"),
        (r"\sqrt[3]{8}", "∛8"),
        (r"\sqrt[n]{x}", "n√x"),
        # big operators and calculus
        (r"\sum_{i=1}^{n} x_i", "Σᵢ₌₁ⁿ xᵢ"),
        (r"\prod_i p_i", "Πᵢ pᵢ"),
        (r"\int_0^1 f(x) dx", "∫₀¹ f(x) dx"),
        (r"\partial \nabla \infty", "∂∇∞"),
        # operators and relations keep the spacing written around them
        (r"a \cdot b \times c \odot d", "a · b × c ⊙ d"),
        (r"a \leq b \geq c \neq d \approx e", "a ≤ b ≥ c ≠ d ≈ e"),
        (r"a \le b \ge c \ne d", "a ≤ b ≥ c ≠ d"),
        (r"x \in \mathbb{R}^n", "x ∈ ℝⁿ"),
        (r"x \to \infty", "x → ∞"),
        (r"\pm 1", "± 1"),
        # functions
        (r"\log p(x)", "log p(x)"),
        (r"\exp(x)", "exp(x)"),
        (r"\max_{i} x_i", "maxᵢ xᵢ"),
        (r"\min(a, b)", "min(a, b)"),
        (r"\tanh(x)", "tanh(x)"),
        (r"\operatorname{softmax}(z)_k", "softmax(z)ₖ"),
        (r"\operatorname*{argmax}_\theta L", "argmax_θ L"),
        # accents
        (r"\hat{y}", "ŷ"),
        (r"\bar{x}", "x̄"),
        (r"\tilde{h}_t", "h̃ₜ"),
        (r"\vec{v}", "v⃗"),
        (r"\overline{ab}", "a̅b̅"),
        # fonts and wrappers
        (r"\mathbf{W} \mathrm{d}x", "W dx"),
        (r"\boldsymbol{\theta}", "θ"),
        (r"\text{if } x > 0", "if x > 0"),
        (r"\mathbb{E}[X]", "𝔼[X]"),
        (r"\mathbb{R}, \mathbb{N}, \mathbb{Z}", "ℝ, ℕ, ℤ"),
        (r"\mathcal{L}(\theta)", "ℒ(θ)"),
        (r"\mathcal{N}(0, 1)", "𝒩(0, 1)"),
        # delimiters
        (r"\left( \frac{a}{b} \right)", "(a/b)"),
        (r"\left. f \right|_0", "f |₀"),
        (r"\{1, 2\}", "{1, 2}"),
        (r"\|w\|_2", "‖w‖₂"),
        (r"\langle x, y \rangle", "⟨x, y⟩"),
        (r"\lfloor 3.5 \rfloor", "⌊3.5⌋"),
        (r"\ldots \cdots", "…⋯"),
        # spacing commands
        (r"a\,b\;c\quad d\!e", "a b c de"),
        # environments
        (r"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}", "(1, 0; 0, 1)"),
        (r"\begin{bmatrix} a & b \end{bmatrix}", "[a, b]"),
        (r"\begin{aligned} a &= b \\ c &= d \end{aligned}", "a = b\nc = d"),
        # miscellaneous
        (r"\binom{n}{k}", "C(n, k)"),
        (r"\overset{\text{def}}{=}", "="),
        (r"\textcolor{red}{x}", "x"),
        (r"100\%", "100%"),
        (r"\foo{x}", r"\foox"),
    ],
)
def test_formulas_read_as_unicode(latex, text):
    assert latex_to_unicode(latex) == text


@pytest.mark.parametrize(
    "latex",
    [r"\frac{1", "}{{{", "\\", "x^", "x_", r"\sqrt[", r"\begin{pmatrix} 1 &", r"\left", r"\text{",
     "{" * 500 + "x" + "}" * 500, r"\hat", "^^^", "$", "&&", r"\\\\"],
)  # fmt: skip
def test_malformed_formulas_never_raise(latex):
    assert isinstance(latex_to_unicode(latex), str)


def test_deep_nesting_is_copied_rather_than_recursed():
    copied = 5000 - 65  # the 65th brace is read as source, its content copied as written
    assert latex_to_unicode("{" * 5000 + "x" + "}" * 5000) == "{" * copied + "x" + "}" * copied


# --- Markdown -----------------------------------------------------------------------------


def test_inline_and_display_math_in_markdown_are_converted():
    markdown = "シグモイド $\\sigma(x) = \\frac{1}{1+e^{-x}}$ の最大値は $0.25$。\n\n$$\nOH = \\frac{H}{S}\n$$\n"
    assert to_unicode(markdown) == "シグモイド σ(x) = 1/(1+e⁻ˣ) の最大値は 0.25。\n\nOH = H/S\n"


def test_code_spans_and_fences_keep_their_dollars():
    markdown = "`$HOME` と\n\n```sh\necho $PATH $x$\n```\n\n~~~\n$y$\n~~~\nそして $z$"
    assert (
        to_unicode(markdown)
        == "`$HOME` と\n\n```sh\necho $PATH $x$\n```\n\n~~~\n$y$\n~~~\nそして z"
    )


def test_prices_and_escaped_dollars_are_not_math():
    assert to_unicode("$5 and $10") == "$5 and $10"
    assert to_unicode("cost \\$x\\$ here") == "cost \\$x\\$ here"
    assert to_unicode("$ x$ and $x $") == "$ x$ and $x $"


def test_math_spans_do_not_cross_paragraphs():
    assert to_unicode("a $x\n\ny$ b") == "a $x\n\ny$ b"
    assert to_unicode("a $x\ny$ b") == "a x y b"


def test_converted_math_is_escaped_for_markdown():
    assert to_unicode(r"$a * b_q$") == r"a \* b\_q"


def test_an_unclosed_span_stays_as_written():
    assert to_unicode("price $5") == "price $5"
    assert to_unicode("$$ open") == "$$ open"
