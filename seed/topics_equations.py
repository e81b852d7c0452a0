"""Question templates for expressions, linear equations, inequalities, lines and systems.

Each template picks the solution first and builds the equation around it, so answers are exact
integers (or simple fractions) and harder tags add steps or larger coefficients.
"""

from __future__ import annotations

import random
from fractions import Fraction

from seed.drafts import Draft, Template, expression, nonzero, num, numeric, signed

_VARS = "xyzabnmtk"


def _lin(a: int, b: int, var: str) -> str:
    """Format a·var + b, e.g. "3x - 7"."""
    return f"{signed(a, var, first=True)}{signed(b)}" if a else str(b)


def expr_eval(rng: random.Random, level: int) -> Draft:
    x = nonzero(rng, -3 * level, 3 * level) if level > 1 else rng.randint(1, 9)
    a, b, c = nonzero(rng, -9, 9), rng.randint(1, 12), nonzero(rng, -5, 5)
    forms = [
        (f"{_lin(a, b, 'x')}", a * x + b),
        (f"{signed(c, 'x^2', first=True)}{signed(a, 'x')}{signed(b)}", c * x * x + a * x + b),
        (f"{a}(x{signed(b)}) - x^2", a * (x + b) - x * x),
    ]
    text, value = forms[min(rng.randrange(level), len(forms) - 1)]
    return Draft(f"Evaluate {text} when x = {x}.", numeric(value))


def expr_simplify(rng: random.Random, level: int) -> Draft:
    var = rng.choice(_VARS)
    coefs = [nonzero(rng, -4 - 2 * level, 4 + 2 * level) for _ in range(2 + level // 2)]
    consts = [nonzero(rng, -10, 10) for _ in range(1 + level // 2)]
    terms = [signed(c, var, first=i == 0) for i, c in enumerate(coefs)] + [signed(c) for c in consts]
    rest = terms[1:]
    rng.shuffle(rest)
    text = "".join([terms[0], *rest])
    return Draft(f"Simplify {text}.", expression(_lin(sum(coefs), sum(consts), var)))


def distributive(rng: random.Random, level: int) -> Draft:
    var = rng.choice(_VARS)
    a, b, c = nonzero(rng, -3 * level - 2, 3 * level + 2), nonzero(rng, -9, 9), nonzero(rng, -9, 9)
    if level >= 3:
        d, e = nonzero(rng, -6, 6), nonzero(rng, -9, 9)
        return Draft(
            f"Expand and simplify {a}({_lin(b, c, var)}){signed(d)}({_lin(1, e, var)}).",
            expression(_lin(a * b + d, a * c + d * e, var)),
        )
    return Draft(f"Expand {a}({_lin(b, c, var)}).", expression(_lin(a * b, a * c, var)))


def eq_one_step(rng: random.Random, level: int) -> Draft:
    var, x = rng.choice(_VARS), rng.randint(-5 * level, 10 * level)
    a = rng.randint(2, 3 + 3 * level)
    forms = [f"{var} + {a} = {x + a}", f"{var} - {a} = {x - a}", f"{a}{var} = {a * x}"]
    return Draft(f"Solve {rng.choice(forms)} for {var}.", numeric(x))


def eq_two_step(rng: random.Random, level: int) -> Draft:
    var, x = rng.choice(_VARS), rng.randint(-4 * level, 6 * level)
    a, b = nonzero(rng, -2 - 2 * level, 2 + 3 * level), nonzero(rng, -20 * level, 20 * level)
    if a == 1:
        a = 2
    return Draft(f"Solve {_lin(a, b, var)} = {a * x + b} for {var}.", numeric(x))


def eq_both_sides(rng: random.Random, level: int) -> Draft:
    x = rng.randint(-3 * level, 4 * level)
    a, c = rng.randint(2, 4 + 2 * level), rng.randint(1, 3 + level)
    c = c if c != a else a + 1
    b = nonzero(rng, -15, 15)
    d = a * x + b - c * x
    if level >= 4:
        k = rng.randint(2, 5)
        return Draft(f"Solve {k}({_lin(a, b, 'x')}) = {_lin(k * c, k * d, 'x')} for x.", numeric(x))
    return Draft(f"Solve {_lin(a, b, 'x')} = {_lin(c, d, 'x')} for x.", numeric(x))


def eq_fractions(rng: random.Random, level: int) -> Draft:
    den, x = rng.randint(2, 3 + level), rng.randint(-5 * level, 6 * level)
    a, b = nonzero(rng, -5, 5 + level), rng.randint(1, 10)
    right = Fraction(a * x + b, den)
    if level >= 3:
        return Draft(f"Solve ({_lin(a, b, 'x')})/{den} = {num(right)} for x.", numeric(x))
    return Draft(f"Solve x/{den} + {b} = {num(Fraction(x, den) + b)} for x.", numeric(x))


def eq_word(rng: random.Random, level: int) -> Draft:
    fee, rate, hours = (
        rng.randint(5, 10 * level + 10),
        rng.randint(3, 5 * level + 5),
        rng.randint(2, 3 + 2 * level),
    )
    if rng.random() < 0.5:
        return Draft(
            f"A plumber charges a ${fee} call-out fee plus ${rate} per hour. A bill is "
            f"${fee + rate * hours}. How many hours did the job take?",
            numeric(hours, "h"),
            also=(("unit-rate", 0.3),),
        )
    a, b = rng.randint(1, 3), rng.randint(1, 3 + level)
    total = (a + b) * hours * 2
    return Draft(
        f"Two numbers are in the ratio {a}:{b} and add up to {total}. What is the smaller number?",
        numeric(min(a, b) * hours * 2),
        also=(("ratio", 0.3),),
    )


def ineq_solve(rng: random.Random, level: int) -> Draft:
    x = rng.randint(-5 * level, 5 * level)
    a = nonzero(rng, -2 - level, 2 + level) if level >= 3 else rng.randint(2, 5)
    b = nonzero(rng, -20, 20)
    sign = rng.choice(["<", ">", "≤", "≥"])
    flipped = {"<": ">", ">": "<", "≤": "≥", "≥": "≤"}[sign] if a < 0 else sign
    return Draft(f"Solve {_lin(a, b, 'x')} {sign} {a * x + b}.", expression(f"x {flipped} {x}"))


def ineq_compound(rng: random.Random, level: int) -> Draft:
    lo, hi = sorted(rng.sample(range(-4 * level - 2, 4 * level + 3), 2))
    a, b = rng.randint(2, 2 + level), nonzero(rng, -10, 10)
    count = hi - lo - 1
    return Draft(
        f"How many integers x satisfy {a * lo + b} < {_lin(a, b, 'x')} < {a * hi + b}?", numeric(count)
    )


def coord_plane(rng: random.Random, level: int) -> Draft:
    x, y = nonzero(rng, -5 * level, 5 * level), nonzero(rng, -5 * level, 5 * level)
    quadrant = {(True, True): "I", (False, True): "II", (False, False): "III", (True, False): "IV"}[
        (x > 0, y > 0)
    ]
    if level >= 3 and rng.random() < 0.5:
        return Draft(
            f"The point ({x}, {y}) is reflected in the x-axis. What is its new y-coordinate?", numeric(-y)
        )
    return Draft(
        f"In which quadrant is the point ({x}, {y})?",
        {"kind": "choice", "value": quadrant, "options": ["I", "II", "III", "IV"]},
    )


def _two_points(rng: random.Random, level: int) -> tuple[int, int, int, int, Fraction]:
    x1, y1 = rng.randint(-3 * level, 3 * level), rng.randint(-3 * level, 3 * level)
    x2 = x1 + nonzero(rng, -2 * level - 1, 2 * level + 1)
    y2 = y1 + rng.randint(-4 * level, 4 * level)
    return x1, y1, x2, y2, Fraction(y2 - y1, x2 - x1)


def slope(rng: random.Random, level: int) -> Draft:
    x1, y1, x2, y2, m = _two_points(rng, level)
    return Draft(f"What is the slope of the line through ({x1}, {y1}) and ({x2}, {y2})?", numeric(m))


def line_eq(rng: random.Random, level: int) -> Draft:
    m, b = nonzero(rng, -2 - level, 2 + level), rng.randint(-10, 10)
    x = rng.randint(-2 * level, 3 * level)
    if rng.random() < 0.5:
        return Draft(f"For the line y = {_lin(m, b, 'x')}, what is y when x = {x}?", numeric(m * x + b))
    return Draft(f"What is the slope of the line {m * 2}x + 2y = {2 * b}?", numeric(-m))


def line_from_points(rng: random.Random, level: int) -> Draft:
    m, b = nonzero(rng, -1 - level, 1 + level), rng.randint(-8, 8)
    x1, x2 = rng.sample(range(-3 * level, 3 * level + 1), 2)
    return Draft(
        f"Find the equation y = mx + b of the line through ({x1}, {m * x1 + b}) and ({x2}, {m * x2 + b}).",
        expression(f"y = {_lin(m, b, 'x')}"),
    )


def sys_substitution(rng: random.Random, level: int) -> Draft:
    x, y = rng.randint(-2 * level, 3 * level), rng.randint(-2 * level, 3 * level)
    m, a = nonzero(rng, -3, 3), rng.randint(1, 2 + level)
    if a + m == 0:  # the two lines would coincide
        a += 1
    c = y - m * x
    return Draft(f"Solve the system y = {_lin(m, c, 'x')} and {a}x + y = {a * x + y}. What is x?", numeric(x))


def sys_elimination(rng: random.Random, level: int) -> Draft:
    x, y = rng.randint(-2 * level, 3 * level), rng.randint(-2 * level, 3 * level)
    a, b, c, d = (nonzero(rng, -2 - level, 2 + level) for _ in range(4))
    while a * d - b * c == 0:
        d = nonzero(rng, -2 - level, 2 + level)
    left1, left2 = signed(a, "x", first=True) + signed(b, "y"), signed(c, "x", first=True) + signed(d, "y")
    return Draft(f"Solve {left1} = {a * x + b * y} and {left2} = {c * x + d * y}. What is y?", numeric(y))


TEMPLATES: dict[str, Template] = {
    "expr-eval": expr_eval,
    "expr-simplify": expr_simplify,
    "distributive": distributive,
    "eq-one-step": eq_one_step,
    "eq-two-step": eq_two_step,
    "eq-both-sides": eq_both_sides,
    "eq-fractions": eq_fractions,
    "eq-word": eq_word,
    "ineq-solve": ineq_solve,
    "ineq-compound": ineq_compound,
    "coord-plane": coord_plane,
    "slope": slope,
    "line-eq": line_eq,
    "line-from-points": line_from_points,
    "sys-substitution": sys_substitution,
    "sys-elimination": sys_elimination,
}
