"""Realistic wrong answers for lesson 02_chain_rule; each must fail a visible check whose message names it."""

from mistakes import Mistake

LESSON = "02_chain_rule"


def _chain3(
    u="x * x + 1", v="np.log(u)", h="np.sqrt(v)", dg1="2 * x", dg2="1 / u", dg3="1 / (2 * h)", total="dg3 * dg2 * dg1"
):
    return f"""
def chain3(x):
    u = {u}
    v = {v}
    h = {h}
    dg1 = {dg1}
    dg2 = {dg2}
    dg3 = {dg3}
    return {{"u": u, "v": v, "h": h, "dg1": dg1, "dg2": dg2, "dg3": dg3, "dh_dx": {total}}}
"""


MISTAKES = [
    # ---------------------------------------------------------------- exercise 1: dh_dx for (3x + 1)²
    Mistake(
        "ex1",
        "evaluates g2' at x instead of u = g1(x)",
        """
def dh_dx(x):
    return 2 * x * 3
""",
        words=["evaluated at x", "u = g₁(x)"],
    ),
    Mistake(
        "ex1",
        "forgets the inner derivative",
        """
def dh_dx(x):
    return 2 * (3 * x + 1)
""",
        words=["inner derivative"],
    ),
    Mistake(
        "ex1",
        "forgets the factor 2 of the square",
        """
def dh_dx(x):
    return (3 * x + 1) * 3
""",
        words=["factor 2 is missing"],
    ),
    Mistake(
        "ex1",
        "differentiates u² as 2, dropping u",
        """
def dh_dx(x):
    return 2 * 3
""",
        words=["not 2", "u = 3x + 1"],
    ),
    Mistake(
        "ex1",
        "loses the + 1 of the inner function",
        """
def dh_dx(x):
    return 2 * (3 * x) * 3
""",
        words=["+ 1 is lost"],
    ),
    Mistake(
        "ex1",
        "flips the sign",
        """
def dh_dx(x):
    return -2 * (3 * x + 1) * 3
""",
        words=["sign"],
    ),
    # ---------------------------------------------------------------- exercise 2: central_difference
    Mistake(
        "ex2",
        "divides by eps instead of 2 eps",
        """
def central_difference(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / eps
""",
        words=["2ε apart"],
    ),
    Mistake(
        "ex2",
        "uses the forward difference",
        """
def central_difference(f, x, eps=1e-6):
    return (f(x + eps) - f(x)) / eps
""",
        words=["forward difference"],
    ),
    Mistake(
        "ex2",
        "uses the backward difference",
        """
def central_difference(f, x, eps=1e-6):
    return (f(x) - f(x - eps)) / eps
""",
        words=["backward difference"],
    ),
    Mistake(
        "ex2",
        "hard-codes the step instead of using eps",
        """
def central_difference(f, x, eps=1e-6):
    return (f(x + 1e-6) - f(x - 1e-6)) / (2 * 1e-6)
""",
        words=["eps is not used"],
    ),
    Mistake(
        "ex2",
        "writes / 2 * eps without parentheses",
        """
def central_difference(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / 2 * eps
""",
        words=["parentheses"],
    ),
    Mistake(
        "ex2",
        "subtracts the other way round",
        """
def central_difference(f, x, eps=1e-6):
    return (f(x - eps) - f(x + eps)) / (2 * eps)
""",
        words=["sign"],
    ),
    # ---------------------------------------------------------------- exercise 3: chain3
    Mistake("ex3", "evaluates g2' at x instead of u", _chain3(dg2="1 / x"), words=["evaluated at x", "flows into g₂"]),
    Mistake("ex3", "drops the ½ of the square root's derivative", _chain3(dg3="1 / h"), words=["factor ½"]),
    Mistake("ex3", "evaluates g3' at u instead of v", _chain3(dg3="1 / (2 * np.sqrt(u))"), words=["evaluated at u"]),
    Mistake("ex3", "adds the local derivatives", _chain3(total="dg3 + dg2 + dg1"), words=["added", "multiplies"]),
    Mistake("ex3", "leaves g1' out of the product", _chain3(total="dg3 * dg2"), words=["g₁′(x)", "not multiplied"]),
    Mistake("ex3", "differentiates the constant 1 into 1", _chain3(dg1="2 * x + 1"), words=["constant 1"]),
    Mistake("ex3", "takes log as log10", _chain3(v="np.log10(u)", dg2="1 / (u * np.log(10))"), words=["natural"]),
    Mistake("ex3", "forgets the + 1 in g1", _chain3(u="x * x"), words=["+ 1 is missing"]),
]

# Mutants (automatic mutations of the solution cells) that cannot change the result, by name, with why:
EQUIVALENT = {}
