"""Question templates for fractions, decimals, percent and ratios; answers use exact fractions."""

from __future__ import annotations

import random
from fractions import Fraction

from seed.drafts import Draft, Template, choice, num, numeric, scale

_SHOPS = ["bakery", "bookshop", "bike shop", "grocer", "shoe store"]


def _frac(rng: random.Random, level: int, proper: bool = True) -> Fraction:
    """A fraction whose denominator grows with the tag; proper (below 1) unless asked otherwise."""
    den = rng.randint(2, scale(level, 6, 10, 12, 16, 24))
    top = den - 1 if proper else 3 * den
    return Fraction(rng.randint(1, top), den)


def _show(f: Fraction) -> str:
    return num(f)


def frac_concept(rng: random.Random, level: int) -> Draft:
    den = rng.randint(3, 4 + 2 * level)
    part = rng.randint(1, den - 1)
    thing = rng.choice(["pizza", "cake", "chocolate bar", "garden", "ribbon"])
    return Draft(
        f"A {thing} is cut into {den} equal pieces and {part} are taken. What fraction is taken?",
        numeric(Fraction(part, den)),
    )


def frac_equiv(rng: random.Random, level: int) -> Draft:
    base = Fraction(rng.randint(1, 5 + level), rng.randint(2, 6 + 2 * level))
    k = rng.randint(2, scale(level, 3, 5, 8, 12, 15))
    big = f"{base.numerator * k}/{base.denominator * k}"
    if rng.random() < 0.6:
        return Draft(f"Simplify {big}.", numeric(base))
    return Draft(f"Fill in the blank: {_show(base)} = ?/{base.denominator * k}.", numeric(base.numerator * k))


def frac_compare(rng: random.Random, level: int) -> Draft:
    a, b = _frac(rng, level), _frac(rng, level)
    while a == b:
        b = _frac(rng, level)
    bigger = _show(max(a, b))
    return Draft(f"Which is larger, {_show(a)} or {_show(b)}?", choice(bigger, [_show(a), _show(b)]))


def frac_add(rng: random.Random, level: int) -> Draft:
    a, b = _frac(rng, level), _frac(rng, level)
    if level == 1:
        b = Fraction(rng.randint(1, a.denominator), a.denominator)
    if rng.random() < 0.4 and a != b:
        a, b = max(a, b), min(a, b)
        return Draft(f"What is {_show(a)} - {_show(b)}? Give the answer in lowest terms.", numeric(a - b))
    return Draft(f"What is {_show(a)} + {_show(b)}? Give the answer in lowest terms.", numeric(a + b))


def frac_mixed(rng: random.Random, level: int) -> Draft:
    whole, part = rng.randint(1, 2 + 2 * level), _frac(rng, level)
    value = whole + part
    if rng.random() < 0.5:
        return Draft(f"Write {whole} {_show(part)} as an improper fraction.", numeric(value))
    return Draft(
        f"Write {_show(value)} as a mixed number.", {"kind": "text", "value": f"{whole} {_show(part)}"}
    )


def frac_mult(rng: random.Random, level: int) -> Draft:
    a, b = _frac(rng, level, proper=level < 4), _frac(rng, level)
    if rng.random() < 0.3:
        n = rng.randint(2, 10 * level) * b.denominator
        return Draft(f"What is {_show(b)} of {n}?", numeric(b * n))
    return Draft(f"Multiply {_show(a)} × {_show(b)} and simplify.", numeric(a * b))


def frac_div(rng: random.Random, level: int) -> Draft:
    a, b = _frac(rng, level, proper=level < 4), _frac(rng, level)
    if rng.random() < 0.3:
        n = rng.randint(2, 3 + level)
        return Draft(
            f"How many pieces of length {_show(b)} m can be cut from {n} m of rope? (Give the exact "
            "quotient.)",
            numeric(n / b),
        )
    return Draft(f"Divide {_show(a)} ÷ {_show(b)} and simplify.", numeric(a / b))


def dec_place(rng: random.Random, level: int) -> Draft:
    digits = level + 1
    value = Fraction(rng.randint(10**digits, 10 ** (digits + 1) - 1), 10**digits)
    text = f"{float(value):.{digits}f}"
    places = ["tenths", "hundredths", "thousandths", "ten-thousandths", "hundred-thousandths"]
    k = rng.randrange(min(digits, len(places)))
    digit = text.split(".")[1][k]
    return Draft(f"What digit is in the {places[k]} place of {text}?", numeric(int(digit)))


def dec_add(rng: random.Random, level: int) -> Draft:
    places = 1 + level // 2
    a = rng.randint(1, 10 ** (places + level)) / 10**places
    b = rng.randint(1, 10 ** (places + level)) / 10**places
    if rng.random() < 0.5:
        a, b = max(a, b), min(a, b)
        return Draft(f"Calculate {a} - {b}.", numeric(round(a - b, places)))
    return Draft(f"Calculate {a} + {b}.", numeric(round(a + b, places)))


def dec_mult(rng: random.Random, level: int) -> Draft:
    a = rng.randint(2, 10 * level + 9) / 10
    b = rng.randint(2, 10 ** (1 + level // 2)) / (10 if level < 3 else 100)
    return Draft(f"Calculate {a} × {b}.", numeric(round(a * b, 4)))


def dec_frac(rng: random.Random, level: int) -> Draft:
    den = rng.choice([2, 4, 5, 8, 10, 20, 25, 40, 50][: 3 + level])
    value = Fraction(rng.randint(1, den - 1), den)
    if rng.random() < 0.5:
        return Draft(f"Write {_show(value)} as a decimal.", numeric(float(value)))
    return Draft(f"Write {float(value)} as a fraction in lowest terms.", numeric(value))


def percent(rng: random.Random, level: int) -> Draft:
    pct = rng.choice([10, 25, 50, 20, 75, 5, 15, 30, 12.5, 35, 45, 8][: 4 + 2 * level])
    base = rng.randint(2, 10 * level) * 40
    if level >= 4 and rng.random() < 0.5:
        part = base * pct / 100
        return Draft(f"{num(part)} is what percent of {base}?", numeric(pct, "%"))
    return Draft(f"What is {num(pct)}% of {base}?", numeric(base * pct / 100))


def percent_change(rng: random.Random, level: int) -> Draft:
    price = rng.randint(2, 20 * level) * 20
    pct = rng.choice([10, 20, 25, 30, 15, 40, 5, 12, 35][: 3 + level])
    shop = rng.choice(_SHOPS)
    if rng.random() < 0.5:
        return Draft(
            f"A {shop} marks down a ${price} item by {pct}%. What is the sale price in dollars?",
            numeric(price * (100 - pct) / 100, "$"),
        )
    new = price * (100 + pct) / 100
    return Draft(
        f"A price rises from ${price} to ${num(new)}. What is the percent increase?", numeric(pct, "%")
    )


def ratio(rng: random.Random, level: int) -> Draft:
    a, b = rng.randint(1, 3 + level), rng.randint(1, 3 + level)
    k = rng.randint(2, 4 * level + 2)
    if rng.random() < 0.5:
        g = Fraction(a, b)
        return Draft(
            f"Simplify the ratio {a * k}:{b * k}.",
            {"kind": "text", "value": f"{g.numerator}:{g.denominator}"},
        )
    total = (a + b) * k
    return Draft(
        f"Share {total} sweets in the ratio {a}:{b}. How many are in the larger share?",
        numeric(max(a, b) * k),
    )


def proportion(rng: random.Random, level: int) -> Draft:
    a, b = rng.randint(2, 4 + 2 * level), rng.randint(2, 4 + 2 * level)
    k = rng.randint(2, 3 + 2 * level)
    if rng.random() < 0.5:
        return Draft(f"Solve for x: {a}/{b} = {a * k}/x.", numeric(b * k))
    return Draft(
        f"If {a} notebooks cost ${b * a}, how much do {a * k} notebooks cost in dollars?",
        numeric(b * a * k, "$"),
    )


def unit_rate(rng: random.Random, level: int) -> Draft:
    per, n = rng.randint(2, 5 * level + 5), rng.randint(2, 3 + 3 * level)
    if rng.random() < 0.5:
        return Draft(
            f"A car travels {per * n} km in {n} hours. What is its speed in km per hour?",
            numeric(per, "km/h"),
        )
    return Draft(
        f"{n} kg of rice costs ${per * n}. What is the price per kilogram in dollars?", numeric(per, "$")
    )


TEMPLATES: dict[str, Template] = {
    "frac-concept": frac_concept,
    "frac-equiv": frac_equiv,
    "frac-compare": frac_compare,
    "frac-add": frac_add,
    "frac-mixed": frac_mixed,
    "frac-mult": frac_mult,
    "frac-div": frac_div,
    "dec-place": dec_place,
    "dec-add": dec_add,
    "dec-mult": dec_mult,
    "dec-frac": dec_frac,
    "percent": percent,
    "percent-change": percent_change,
    "ratio": ratio,
    "proportion": proportion,
    "unit-rate": unit_rate,
}
