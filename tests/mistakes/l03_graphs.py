"""Realistic wrong answers for lesson 03_graphs; each must fail a visible check whose message names it."""

from mistakes import Mistake

LESSON = "03_graphs"

MISTAKES = [
    # ---------------------------------------------------------------- exercise 1: mul_backward
    Mistake(
        "ex1",
        "ignores the upstream gradient",
        """
def mul_backward(x, y, dloss_dz):
    return y, x
""",
        words=["upstream", "not multiplied"],
    ),
    Mistake(
        "ex1",
        "swaps x and y",
        """
def mul_backward(x, y, dloss_dz):
    return x * dloss_dz, y * dloss_dz
""",
        words=["swapped", "other input"],
    ),
    Mistake(
        "ex1",
        "adds the upstream gradient",
        """
def mul_backward(x, y, dloss_dz):
    return y + dloss_dz, x + dloss_dz
""",
        words=["added", "multiplies"],
    ),
    Mistake(
        "ex1",
        "passes the upstream gradient on unchanged, as an add node does",
        """
def mul_backward(x, y, dloss_dz):
    return dloss_dz, dloss_dz
""",
        words=["unchanged", "add node"],
    ),
    Mistake(
        "ex1",
        "flips the sign",
        """
def mul_backward(x, y, dloss_dz):
    return -y * dloss_dz, -x * dloss_dz
""",
        words=["sign"],
    ),
    # ---------------------------------------------------------------- exercise 2: forward_and_local
    Mistake(
        "ex2",
        "always takes the y branch of max",
        """
def forward_and_local(x, y, z):
    a = x + y
    b = y
    f = a * b
    values = {"a": a, "b": b, "f": f}
    local = {"da_dx": 1.0, "da_dy": 1.0, "db_dy": 1.0, "db_dz": 0.0, "df_da": b, "df_db": a}
    return values, local
""",
        words=["z > y", "larger"],
    ),
    Mistake(
        "ex2",
        "computes max but its local gradients always for y",
        """
def forward_and_local(x, y, z):
    a = x + y
    b = max(y, z)
    f = a * b
    values = {"a": a, "b": b, "f": f}
    local = {"da_dx": 1.0, "da_dy": 1.0, "db_dy": 1.0, "db_dz": 0.0, "df_da": b, "df_db": a}
    return values, local
""",
        words=["z > y", "winner"],
    ),
    Mistake(
        "ex2",
        "gives the max's gradient to the loser",
        """
def forward_and_local(x, y, z):
    a = x + y
    b = max(y, z)
    f = a * b
    values = {"a": a, "b": b, "f": f}
    local = {"da_dx": 1.0, "da_dy": 1.0, "db_dy": 1.0 if y < z else 0.0, "db_dz": 1.0 if z < y else 0.0,
             "df_da": b, "df_db": a}
    return values, local
""",
        words=["lost"],
    ),
    Mistake(
        "ex2",
        "swaps the multiply node's local gradients",
        """
def forward_and_local(x, y, z):
    a = x + y
    b = max(y, z)
    f = a * b
    values = {"a": a, "b": b, "f": f}
    local = {"da_dx": 1.0, "da_dy": 1.0, "db_dy": 1.0 if y > z else 0.0, "db_dz": 1.0 if z > y else 0.0,
             "df_da": a, "df_db": b}
    return values, local
""",
        words=["swapped", "other factor"],
    ),
    Mistake(
        "ex2",
        "min instead of max",
        """
def forward_and_local(x, y, z):
    a = x + y
    b = min(y, z)
    f = a * b
    values = {"a": a, "b": b, "f": f}
    local = {"da_dx": 1.0, "da_dy": 1.0, "db_dy": 1.0 if y < z else 0.0, "db_dz": 1.0 if z < y else 0.0,
             "df_da": b, "df_db": a}
    return values, local
""",
        words=["smaller"],
    ),
    Mistake(
        "ex2",
        "adds a and b",
        """
def forward_and_local(x, y, z):
    a = x + y
    b = max(y, z)
    f = a + b
    values = {"a": a, "b": b, "f": f}
    local = {"da_dx": 1.0, "da_dy": 1.0, "db_dy": 1.0 if y > z else 0.0, "db_dz": 1.0 if z > y else 0.0,
             "df_da": b, "df_db": a}
    return values, local
""",
        words=["product"],
    ),
    Mistake(
        "ex2",
        "treats the add node's inputs as constants",
        """
def forward_and_local(x, y, z):
    a = x + y
    b = max(y, z)
    f = a * b
    values = {"a": a, "b": b, "f": f}
    local = {"da_dx": 0.0, "da_dy": 0.0, "db_dy": 1.0 if y > z else 0.0, "db_dz": 1.0 if z > y else 0.0,
             "df_da": b, "df_db": a}
    return values, local
""",
        words=["add node", "one for one"],
    ),
    # ---------------------------------------------------------------- exercise 3: grad_f
    Mistake(
        "ex3",
        "always takes the y branch of max",
        """
def grad_f(x, y, z):
    a = x + y
    b = max(y, z)
    return b, b + a, 0.0
""",
        words=["z won"],
    ),
    Mistake(
        "ex3",
        "takes b = y everywhere",
        """
def grad_f(x, y, z):
    a = x + y
    b = y
    return b, b + a, 0.0
""",
        words=["z won", "b = z"],
    ),
    Mistake(
        "ex3",
        "overwrites the first path's gradient at y with the second",
        """
def grad_f(x, y, z):
    a = x + y
    b = max(y, z)
    db_dy = 1.0 if y > z else 0.0
    db_dz = 1.0 if z > y else 0.0
    dy = b * 1.0
    dy = a * db_dy
    return b, dy, a * db_dz
""",
        words=["only the path through b", "add up"],
    ),
    Mistake(
        "ex3",
        "forgets the path through b",
        """
def grad_f(x, y, z):
    a = x + y
    b = max(y, z)
    db_dz = 1.0 if z > y else 0.0
    return b, b, a * db_dz
""",
        words=["only the path through a", "add up"],
    ),
    Mistake(
        "ex3",
        "gives the max's gradient to the loser",
        """
def grad_f(x, y, z):
    a = x + y
    b = max(y, z)
    db_dy = 1.0 if y < z else 0.0
    db_dz = 1.0 if z < y else 0.0
    return b, b + a * db_dy, a * db_dz
""",
        words=["lost"],
    ),
    Mistake(
        "ex3",
        "swaps df/da and df/db",
        """
def grad_f(x, y, z):
    a = x + y
    b = max(y, z)
    db_dy = 1.0 if y > z else 0.0
    db_dz = 1.0 if z > y else 0.0
    return a, a + b * db_dy, b * db_dz
""",
        words=["swapped", "other factor"],
    ),
    Mistake(
        "ex3",
        "never sends a gradient to z",
        """
def grad_f(x, y, z):
    a = x + y
    b = max(y, z)
    db_dy = 1.0 if y > z else 0.0
    return b, b + a * db_dy, 0.0
""",
        words=["reached z"],
    ),
    Mistake(
        "ex3",
        "multiplies z's gradient by df/da",
        """
def grad_f(x, y, z):
    a = x + y
    b = max(y, z)
    db_dy = 1.0 if y > z else 0.0
    db_dz = 1.0 if z > y else 0.0
    return b, b + a * db_dy, b * db_dz
""",
        words=["through b", "df/db"],
    ),
    Mistake(
        "ex3",
        "flips every sign",
        """
def grad_f(x, y, z):
    a = x + y
    b = max(y, z)
    db_dy = 1.0 if y > z else 0.0
    db_dz = 1.0 if z > y else 0.0
    return -b, -(b + a * db_dy), -a * db_dz
""",
        words=["sign"],
    ),
]

# Mutants (automatic mutations of the solution cells) that cannot change the result, by name, with why:
_TIE = "the inputs never tie (the exercise excludes y = z, where max has no derivative), so > and >= agree"
EQUIVALENT = {
    "ex2_code:11:24:Compare:> -> >=": _TIE,
    "ex2_code:12:24:Compare:> -> >=": _TIE,
    "ex3_code:7:19:Compare:> -> >=": _TIE,
    "ex3_code:8:19:Compare:> -> >=": _TIE,
}
