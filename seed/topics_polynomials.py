"""Question templates for polynomials, factoring and quadratic equations.

Quadratics are built from chosen roots (or a chosen vertex), so factored forms and solutions are
known exactly; harder tags bring a leading coefficient, bigger roots, or irrational solutions.
"""

from __future__ import annotations

import math
import random

from seed.drafts import Draft, Template, expression, nonzero, numeric, poly, signed


def _roots(rng: random.Random, level: int) -> tuple[int, int]:
    span = 3 + 2 * level
    return nonzero(rng, -span, span), nonzero(rng, -span, span)


def _factor(root: int, lead: int = 1) -> str:
    """The factor that vanishes at `root`, e.g. _factor(5) is "(x - 5)"."""
    return f"({signed(lead, 'x', first=True)}{signed(-root)})"


def _solutions(*values: float) -> dict[str, object]:
    shown = sorted({round(v, 3) for v in values})
    return {"kind": "set", "value": ", ".join(f"{v:g}" for v in shown)}


def poly_add(rng: random.Random, level: int) -> Draft:
    degree = 1 + min(level, 3)
    p = [nonzero(rng, -9, 9) for _ in range(degree + 1)]
    q = [rng.randint(-9, 9) for _ in range(degree + 1)]
    q[0] = q[0] or 1
    if rng.random() < 0.5:
        total = [a - b for a, b in zip(p, q, strict=True)]
        return Draft(f"Simplify ({poly(p)}) - ({poly(q)}).", expression(poly(total)))
    total = [a + b for a, b in zip(p, q, strict=True)]
    return Draft(f"Simplify ({poly(p)}) + ({poly(q)}).", expression(poly(total)))


def poly_mult(rng: random.Random, level: int) -> Draft:
    r, s = _roots(rng, level)
    a, c = (1, 1) if level < 3 else (rng.randint(1, level - 1), rng.randint(1, 3))
    product = [a * c, -(a * s + c * r), r * s]
    return Draft(f"Expand {_factor(r, a)}{_factor(s, c)}.", expression(poly(product)))


def special_products(rng: random.Random, level: int) -> Draft:
    k, a = nonzero(rng, -3 - 2 * level, 3 + 2 * level), rng.randint(1, 1 + level // 2)
    if rng.random() < 0.5:
        return Draft(
            f"Expand ({signed(a, 'x', first=True)}{signed(k)})^2.",
            expression(poly([a * a, 2 * a * k, k * k])),
        )
    m = abs(k)
    return Draft(
        f"Expand ({signed(a, 'x', first=True)} + {m})({signed(a, 'x', first=True)} - {m}).",
        expression(poly([a * a, 0, -m * m])),
    )


def factor_gcf(rng: random.Random, level: int) -> Draft:
    g = rng.randint(2, 3 + 2 * level)
    inner = [nonzero(rng, -9, 9) for _ in range(2 + level // 3)]
    if math.gcd(*inner) != 1:
        inner[-1] = 1
    with_x = level >= 3
    outer = f"{g}x" if with_x else str(g)
    expanded = poly([g * c for c in inner] + ([0] if with_x else []))
    return Draft(f"Factor out the greatest common factor: {expanded}.", expression(f"{outer}({poly(inner)})"))


def factor_trinomial(rng: random.Random, level: int) -> Draft:
    r, s = _roots(rng, level)
    a = 1 if level < 4 else rng.randint(2, 3)
    expanded = poly([a, -a * (r + s), a * r * s]) if a > 1 else poly([1, -(r + s), r * s])
    lead = "" if a == 1 else str(a)
    return Draft(f"Factor {expanded} completely.", expression(f"{lead}{_factor(r)}{_factor(s)}"))


def factor_diff_squares(rng: random.Random, level: int) -> Draft:
    a, m = rng.randint(1, 1 + level), rng.randint(1, 3 + 3 * level)
    lead = f"{a}x" if a > 1 else "x"
    return Draft(f"Factor {poly([a * a, 0, -m * m])}.", expression(f"({lead} + {m})({lead} - {m})"))


def quad_factoring(rng: random.Random, level: int) -> Draft:
    r, s = _roots(rng, level)
    if level >= 4 and rng.random() < 0.5:
        k = rng.randint(2, 4)
        return Draft(f"Solve {poly([k, -k * (r + s), k * r * s])} = 0.", _solutions(r, s))
    return Draft(f"Solve {poly([1, -(r + s), r * s])} = 0 by factoring.", _solutions(r, s))


def quad_square_root(rng: random.Random, level: int) -> Draft:
    m, h = rng.randint(1, 5 + 4 * level), rng.randint(-2 * level, 2 * level)
    if level <= 2:
        k = rng.randint(1, 3 * level)
        lead = "" if k == 1 else str(k)
        return Draft(f"Solve {lead}x^2 = {k * m * m}.", _solutions(m, -m))
    return Draft(f"Solve (x{signed(h)})^2 = {m * m}.", _solutions(-h + m, -h - m))


def completing_square(rng: random.Random, level: int) -> Draft:
    h, k = nonzero(rng, -2 - level, 2 + level), rng.randint(-5 * level, 5 * level)
    b, c = 2 * h, h * h + k
    return Draft(f"Write x^2{signed(b, 'x')}{signed(c)} in the form (x + h)^2 + k. What is k?", numeric(k))


def quad_formula(rng: random.Random, level: int) -> Draft:
    while True:
        a, b, c = rng.randint(1, 1 + level), nonzero(rng, -4 - 2 * level, 4 + 2 * level), nonzero(rng, -9, 9)
        disc = b * b - 4 * a * c
        if disc > 0 and (level >= 3 or math.isqrt(disc) ** 2 == disc):
            break
    x1, x2 = (-b + math.sqrt(disc)) / (2 * a), (-b - math.sqrt(disc)) / (2 * a)
    hint = "" if math.isqrt(disc) ** 2 == disc else " Round to 3 decimal places."
    return Draft(f"Use the quadratic formula to solve {poly([a, b, c])} = 0.{hint}", _solutions(x1, x2))


def discriminant(rng: random.Random, level: int) -> Draft:
    a, b, c = nonzero(rng, -1 - level, 1 + level), rng.randint(-8, 8), nonzero(rng, -9, 9)
    disc = b * b - 4 * a * c
    if rng.random() < 0.5:
        return Draft(f"What is the discriminant of {poly([a, b, c])} = 0?", numeric(disc))
    count = 2 if disc > 0 else 1 if disc == 0 else 0
    return Draft(f"How many real solutions does {poly([a, b, c])} = 0 have?", numeric(count))


TEMPLATES: dict[str, Template] = {
    "poly-add": poly_add,
    "poly-mult": poly_mult,
    "special-products": special_products,
    "factor-gcf": factor_gcf,
    "factor-trinomial": factor_trinomial,
    "factor-diff-squares": factor_diff_squares,
    "quad-factoring": quad_factoring,
    "quad-square-root": quad_square_root,
    "completing-square": completing_square,
    "quad-formula": quad_formula,
    "discriminant": discriminant,
}
