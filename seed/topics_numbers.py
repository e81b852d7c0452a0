"""Question templates for whole numbers, integers and powers; harder tags mean bigger numbers, more steps."""

from __future__ import annotations

import math
import random

from seed.drafts import Draft, Template, choice, nonzero, numeric, scale

_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Ema", "Farid", "Grace", "Hugo", "Ines", "Jamal", "Kofi", "Lena"]
_ITEMS = ["stickers", "marbles", "books", "apples", "cards", "pencils", "shells", "stamps"]


def whole_add(rng: random.Random, level: int) -> Draft:
    hi = scale(level, 20, 100, 1000, 10000, 100000)
    a, b = rng.randint(2, hi), rng.randint(2, hi)
    if level >= 4 and rng.random() < 0.5:
        c = rng.randint(2, hi)
        return Draft(f"Add {a} + {b} + {c}.", numeric(a + b + c))
    if rng.random() < 0.4:
        who, what = rng.choice(_NAMES), rng.choice(_ITEMS)
        return Draft(f"{who} has {a} {what} and is given {b} more. How many {what} now?", numeric(a + b))
    return Draft(f"What is {a} + {b}?", numeric(a + b))


def whole_sub(rng: random.Random, level: int) -> Draft:
    hi = scale(level, 20, 100, 1000, 10000, 100000)
    a, b = sorted((rng.randint(1, hi), rng.randint(1, hi)), reverse=True)
    if rng.random() < 0.4:
        who, what = rng.choice(_NAMES), rng.choice(_ITEMS)
        return Draft(f"{who} had {a} {what} and gave away {b}. How many are left?", numeric(a - b))
    return Draft(f"Subtract: {a} - {b}.", numeric(a - b))


def place_value(rng: random.Random, level: int) -> Draft:
    n = rng.randint(10 ** (level + 1), 10 ** (level + 2) - 1)
    places = ["tens", "hundreds", "thousands", "ten thousands", "hundred thousands"][: level + 1]
    k = rng.randrange(len(places))
    if rng.random() < 0.5:
        digit = (n // 10 ** (k + 1)) % 10
        return Draft(f"What digit is in the {places[k]} place of {n}?", numeric(digit))
    step = 10 ** (k + 1)
    rounded = (n + step // 2) // step * step
    return Draft(f"Round {n} to the nearest {places[k][:-1]}.", numeric(rounded))


def mult(rng: random.Random, level: int) -> Draft:
    hi = scale(level, 5, 9, 12, 15, 25)
    a, b = rng.randint(2, hi), rng.randint(2, hi)
    if rng.random() < 0.4:
        return Draft(
            f"There are {a} boxes with {b} {rng.choice(_ITEMS)} in each. How many in total?", numeric(a * b)
        )
    return Draft(f"What is {a} × {b}?", numeric(a * b))


def long_mult(rng: random.Random, level: int) -> Draft:
    a = rng.randint(10 ** (1 + level // 3), 10 ** (2 + level // 2) - 1)
    b = rng.randint(3 if level < 3 else 11, 9 if level < 2 else 10 ** (1 + level // 3) - 1)
    return Draft(f"Calculate {a} × {b}.", numeric(a * b))


def div(rng: random.Random, level: int) -> Draft:
    b = rng.randint(2, scale(level, 5, 9, 12, 25, 99))
    q = rng.randint(2, scale(level, 10, 12, 50, 200, 999))
    if level >= 3 and rng.random() < 0.5:
        r = rng.randint(1, b - 1)
        return Draft(f"What is the remainder when {b * q + r} is divided by {b}?", numeric(r))
    if rng.random() < 0.4:
        return Draft(
            f"{b * q} {rng.choice(_ITEMS)} are shared equally among {b} children. How many each?", numeric(q)
        )
    return Draft(f"What is {b * q} ÷ {b}?", numeric(q))


def order_ops(rng: random.Random, level: int) -> Draft:
    a, b, c, d = (rng.randint(2, 9 + 3 * level) for _ in range(4))
    forms = [
        (f"{a} + {b} × {c}", a + b * c),
        (f"({a} + {b}) × {c}", (a + b) * c),
        (f"{a} × {b} - {c} + {d}", a * b - c + d),
        (f"{a * b} ÷ {b} + {c} × {d}", a + c * d),
        (f"{a} × ({b} + {c}) - {d}", a * (b + c) - d),
        (f"({a * c} + {b * c}) ÷ {c} × {d}", (a + b) * d),
    ]
    text, value = rng.choice(forms[: 2 + level])
    return Draft(f"Evaluate {text}.", numeric(value))


def factors(rng: random.Random, level: int) -> Draft:
    n = rng.randint(6, scale(level, 30, 60, 120, 300, 1000))
    count = sum(1 for k in range(1, n + 1) if n % k == 0)
    if rng.random() < 0.5:
        return Draft(f"How many positive factors does {n} have?", numeric(count))
    answer = "yes" if count == 2 else "no"
    return Draft(f"Is {n} a prime number?", choice(answer, ["yes", "no"]))


def gcd_lcm(rng: random.Random, level: int) -> Draft:
    g = rng.randint(2, 3 + 2 * level)
    a, b = g * rng.randint(2, 4 + 2 * level), g * rng.randint(2, 4 + 2 * level)
    if rng.random() < 0.5:
        return Draft(f"Find the greatest common divisor of {a} and {b}.", numeric(math.gcd(a, b)))
    return Draft(f"Find the least common multiple of {a} and {b}.", numeric(math.lcm(a, b)))


def int_concept(rng: random.Random, level: int) -> Draft:
    hi = scale(level, 10, 20, 50, 100, 500)
    values = sorted({nonzero(rng, -hi, hi) for _ in range(2 + level)})
    shown = ", ".join(str(v) for v in rng.sample(values, len(values)))
    if rng.random() < 0.5:
        return Draft(f"Which is the smallest of {shown}?", numeric(values[0]))
    v = values[0]
    return Draft(f"What is the absolute value of {v}, written |{v}|?", numeric(abs(v)))


def int_add(rng: random.Random, level: int) -> Draft:
    hi = scale(level, 10, 20, 50, 100, 500)
    a, b = nonzero(rng, -hi, hi), nonzero(rng, -hi, hi)
    if rng.random() < 0.5:
        return Draft(f"What is {a} - ({b})?", numeric(a - b))
    if rng.random() < 0.3:
        return Draft(
            f"At dawn it was {a} °C; by noon it rose by {abs(b)} degrees. What was the noon "
            "temperature in °C?",
            numeric(a + abs(b), "°C"),
        )
    return Draft(f"What is {a} + ({b})?", numeric(a + b))


def int_mult(rng: random.Random, level: int) -> Draft:
    hi = scale(level, 6, 9, 12, 15, 25)
    a, b = nonzero(rng, -hi, hi), nonzero(rng, -hi, hi)
    if level >= 3 and rng.random() < 0.5:
        c = nonzero(rng, -5, 5)
        return Draft(f"Calculate ({a}) × ({b}) × ({c}).", numeric(a * b * c))
    if rng.random() < 0.5:
        return Draft(f"What is ({a * b}) ÷ ({b})?", numeric(a))
    return Draft(f"What is ({a}) × ({b})?", numeric(a * b))


def exponents(rng: random.Random, level: int) -> Draft:
    base = rng.randint(2, scale(level, 5, 9, 12, 15, 20))
    power = rng.randint(2, scale(level, 2, 3, 3, 4, 5))
    if rng.random() < 0.3:
        return Draft(
            f"Write {' × '.join([str(base)] * power)} as a power and evaluate it.", numeric(base**power)
        )
    return Draft(f"Evaluate {base}^{power}.", numeric(base**power))


def exp_rules(rng: random.Random, level: int) -> Draft:
    a, b = rng.randint(2, 6 + level), rng.randint(2, 6 + level)
    var = rng.choice("xyzabmn")
    forms = [
        (f"Simplify {var}^{a} · {var}^{b} to a single power of {var}.", f"{var}^{a + b}"),
        (f"Simplify ({var}^{a})^{b} to a single power of {var}.", f"{var}^{a * b}"),
        (f"Simplify {var}^{a + b} / {var}^{b} to a single power of {var}.", f"{var}^{a}"),
        (f"Simplify {var}^{a} · {var}^{-b} to a single power of {var}.", f"{var}^{a - b}"),
        (f"Simplify ({var}^{a} · {var}^{b})^2 / {var}^{a}.", f"{var}^{a + 2 * b}"),
    ]
    text, value = forms[min(rng.randrange(level + 1), len(forms) - 1)]
    return Draft(text, {"kind": "expression", "value": value})


def roots(rng: random.Random, level: int) -> Draft:
    r = rng.randint(2, scale(level, 10, 15, 25, 40, 99))
    if level >= 4 and rng.random() < 0.5:
        n = r * r + rng.randint(1, 2 * r)
        return Draft(
            f"Between which two consecutive whole numbers does √{n} lie? Give the smaller.",
            numeric(math.isqrt(n)),
        )
    return Draft(f"What is √{r * r}?", numeric(r))


def sci_notation(rng: random.Random, level: int) -> Draft:
    mantissa = rng.randint(11, 99) / 10
    power = rng.randint(2, 3 + 2 * level) * (-1 if level >= 3 and rng.random() < 0.5 else 1)
    value = mantissa * 10.0**power
    plain = f"{value:.{max(0, -power + 1)}f}"
    if rng.random() < 0.5:
        return Draft(
            f"Write {plain} in scientific notation.", {"kind": "numeric", "value": f"{mantissa} × 10^{power}"}
        )
    return Draft(f"Write {mantissa} × 10^{power} as an ordinary number.", {"kind": "numeric", "value": plain})


TEMPLATES: dict[str, Template] = {
    "whole-add": whole_add,
    "whole-sub": whole_sub,
    "place-value": place_value,
    "mult": mult,
    "long-mult": long_mult,
    "div": div,
    "order-ops": order_ops,
    "factors": factors,
    "gcd-lcm": gcd_lcm,
    "int-concept": int_concept,
    "int-add": int_add,
    "int-mult": int_mult,
    "exponents": exponents,
    "exp-rules": exp_rules,
    "roots": roots,
    "sci-notation": sci_notation,
}
