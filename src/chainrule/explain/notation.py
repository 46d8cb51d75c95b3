r"""The formulas ``chainrule explain`` writes, in plain Unicode and in LaTeX.

The mathematics does not change with the language, so it lives here rather than in
``lang/*.json``. Each entry is a pair ``(terminal, latex)``; the LaTeX strings are
raw strings for GitHub's ``$...$`` math.
"""

from __future__ import annotations

__all__ = ["DERIVATIVES", "LOSSES", "derivative_formula", "loss_formulas"]

#: Per loss: the loss itself and its derivative with respect to one output.
LOSSES = {
    "mse": (
        ("C = 1/(mN) Σᵣ Σⱼ (aⱼ − yⱼ)²", "∂C/∂aⱼ = 2(aⱼ − yⱼ)/(mN)"),
        (r"C = \frac{1}{mN} \sum_r \sum_j (a_j - y_j)^2",
         r"\frac{\partial C}{\partial a_j} = \frac{2}{mN}(a_j - y_j)"),
    ),
    "sse": (
        ("C = 1/m Σᵣ ½ Σⱼ (aⱼ − yⱼ)²", "∂C/∂aⱼ = (aⱼ − yⱼ)/m"),
        (r"C = \frac{1}{m} \sum_r \frac{1}{2} \sum_j (a_j - y_j)^2",
         r"\frac{\partial C}{\partial a_j} = \frac{1}{m}(a_j - y_j)"),
    ),
    "cross_entropy": (
        ("C = −1/m Σᵣ Σⱼ yⱼ log aⱼ", "∂C/∂aⱼ = −yⱼ/(m aⱼ)"),
        (r"C = -\frac{1}{m} \sum_r \sum_j y_j \log a_j",
         r"\frac{\partial C}{\partial a_j} = -\frac{y_j}{m\, a_j}"),
    ),
    "binary_cross_entropy": (
        ("C = −1/(mN) Σᵣ Σⱼ [yⱼ log aⱼ + (1 − yⱼ) log(1 − aⱼ)]",
         "∂C/∂aⱼ = (aⱼ − yⱼ)/(mN aⱼ(1 − aⱼ))"),
        (r"C = -\frac{1}{mN} \sum_r \sum_j \big[y_j \log a_j + (1 - y_j) \log(1 - a_j)\big]",
         r"\frac{\partial C}{\partial a_j} = \frac{a_j - y_j}{mN\, a_j (1 - a_j)}"),
    ),
}

#: Per activation: its derivative, written with a = σ(z) where that is shorter.
DERIVATIVES = {
    "sigmoid": ("σ'(z) = a(1 − a)", r"\sigma'(z) = a(1 - a)"),
    "tanh": ("σ'(z) = 1 − a²", r"\sigma'(z) = 1 - a^2"),
    "relu": ("σ'(z) = 1 if z > 0, else 0", r"\sigma'(z) = [z > 0]"),
    "leaky_relu": ("σ'(z) = 1 if z > 0, else α",
                   r"\sigma'(z) = 1 \text{ if } z > 0, \text{ else } \alpha"),
    "elu": ("σ'(z) = 1 if z > 0, else a + α",
            r"\sigma'(z) = 1 \text{ if } z > 0, \text{ else } a + \alpha"),
    "softplus": ("σ'(z) = 1/(1 + e⁻ᶻ)", r"\sigma'(z) = 1/(1 + e^{-z})"),
    "identity": ("σ'(z) = 1", r"\sigma'(z) = 1"),
    "softmax": ("∂aⱼ/∂zₖ = aⱼ([j = k] − aₖ)",
                r"\partial a_j / \partial z_k = a_j([j = k] - a_k)"),
}


def loss_formulas(loss: str, latex: bool = False) -> tuple[str, str]:
    """``(C, ∂C/∂a_j)`` of ``loss`` for the terminal, or for LaTeX when ``latex``."""
    plain, tex = LOSSES[loss]
    return tex if latex else plain


def derivative_formula(activation: str, latex: bool = False) -> str:
    r""":math:`\sigma'` of ``activation`` for the terminal, or for LaTeX when ``latex``."""
    plain, tex = DERIVATIVES.get(activation, ("σ'(z)", r"\sigma'(z)"))
    return tex if latex else plain
