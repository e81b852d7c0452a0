"""What a question template produces, and the formatting helpers every template bank shares."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Draft:
    """One generated question before it gets an id: its text, its answer, and secondary concepts.

    `also` lists (concept id, weight) pairs for questions that assess a second concept; the
    template's own concept keeps the remaining weight.
    """

    text: str
    answer: dict[str, object]
    also: tuple[tuple[str, float], ...] = field(default=())


# A template takes the curriculum's random generator and a difficulty tag 1..5.
Template = Callable[[random.Random, int], Draft]


def num(value: float | int | Fraction) -> str:
    """Format a number the way a textbook prints it: integers bare, others to at most 4 decimals."""
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    if float(value).is_integer():
        return str(int(value))
    return format(round(float(value), 4), ".10g")


def numeric(value: float | int | Fraction, unit: str | None = None) -> dict[str, object]:
    """A numeric answer; `unit` is kept so a checker can demand it."""
    answer: dict[str, object] = {"kind": "numeric", "value": num(value)}
    if unit:
        answer["unit"] = unit
    return answer


def expression(text: str) -> dict[str, object]:
    """An algebraic answer, e.g. "x^2 - 2x - 15"."""
    return {"kind": "expression", "value": text}


def choice(value: str, options: list[str]) -> dict[str, object]:
    """A multiple-choice answer; options are shown in the given order."""
    return {"kind": "choice", "value": value, "options": options}


def signed(coef: int, var: str = "", first: bool = False) -> str:
    """One term of a polynomial with its sign: signed(-3, "x") is " - 3x", first terms omit the gap."""
    if coef == 0:
        return ""
    mag = abs(coef)
    body = f"{'' if mag == 1 and var else mag}{var}"
    if first:
        return f"-{body}" if coef < 0 else body
    return f" - {body}" if coef < 0 else f" + {body}"


def poly(coefs: list[int], var: str = "x") -> str:
    """Format coefficients, highest power first: poly([1, -2, -15]) is "x^2 - 2x - 15"."""
    degree = len(coefs) - 1
    parts: list[str] = []
    for i, c in enumerate(coefs):
        power = degree - i
        name = "" if power == 0 else var if power == 1 else f"{var}^{power}"
        parts.append(signed(c, name, first=not any(parts)))
    return "".join(parts) or "0"


def nonzero(rng: random.Random, lo: int, hi: int) -> int:
    """A random integer in [lo, hi] other than zero (a zero coefficient would vanish from the text)."""
    while True:
        value = rng.randint(lo, hi)
        if value != 0:
            return value


def scale(level: int, *sizes: int) -> int:
    """Pick the number range for a difficulty tag: scale(3, 10, 20, 50, 100, 1000) is 50."""
    return sizes[min(level, len(sizes)) - 1]
