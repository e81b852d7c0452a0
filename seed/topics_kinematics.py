"""Question templates for measurement, vectors and kinematics (g = 9.8 m/s^2 throughout)."""

from __future__ import annotations

import math
import random

from seed.drafts import Draft, Template, choice, num, numeric, scale

G = 9.8
_MOVERS = ["car", "cyclist", "train", "runner", "skateboarder", "bus", "motorbike", "tram"]
_PREFIXES = [("kilo", "k", 3), ("centi", "c", -2), ("milli", "m", -3), ("mega", "M", 6), ("micro", "µ", -6)]
_QUANTITIES = [
    ("mass", "kilogram"),
    ("time", "second"),
    ("length", "metre"),
    ("electric current", "ampere"),
    ("temperature", "kelvin"),
]


def si_units(rng: random.Random, level: int) -> Draft:
    if level == 1 and rng.random() < 0.3:
        quantity, unit = rng.choice(_QUANTITIES)
        return Draft(f"What is the SI base unit of {quantity}?", {"kind": "text", "value": unit})
    name, symbol, power = rng.choice(_PREFIXES[: 2 + level])
    value = rng.randint(2, 10 * level)
    base = rng.choice([("m", "metres"), ("g", "grams"), ("s", "seconds"), ("W", "watts")])
    return Draft(
        f"How many {base[1]} are in {value} {symbol}{base[0]} ({name}{base[1]})?",
        numeric(value * 10.0**power, base[0]),
    )


def unit_conversion(rng: random.Random, level: int) -> Draft:
    if rng.random() < 0.5 or level == 1:
        kmh = rng.randint(1, 4 + 6 * level) * 18
        return Draft(f"Convert {kmh} km/h to m/s.", numeric(kmh / 3.6, "m/s"), also=(("proportion", 0.2),))
    minutes = rng.randint(2, 15 * level)
    litres = rng.randint(2, 10 * level)
    return Draft(
        f"A tap fills {litres * minutes} litres in {minutes} minutes. What is the flow in litres per second?",
        numeric(round(litres / 60, 4), "L/s"),
    )


def vectors(rng: random.Random, level: int) -> Draft:
    quantities = [
        "mass",
        "velocity",
        "time",
        "force",
        "temperature",
        "displacement",
        "speed",
        "acceleration",
        "energy",
        "momentum",
        "distance",
        "weight",
    ][: 4 + 2 * level]
    quantity = rng.choice(quantities)
    context = rng.choice(
        ["a falling leaf", "a moving car", "a thrown ball", "a swinging pendulum", "a rocket"]
    )
    kind = (
        "vector"
        if quantity in {"velocity", "force", "displacement", "acceleration", "momentum", "weight"}
        else "scalar"
    )
    if level >= 2 and rng.random() < 0.5:
        east, west = rng.randint(2, 20 * level), rng.randint(2, 20 * level)
        net = east - west
        return Draft(
            f"A box is pushed {east} N east and {west} N west. What is the net force in newtons "
            "(east positive)?",
            numeric(net, "N"),
        )
    return Draft(
        f"Describing {context}, is its {quantity} a vector or a scalar quantity?",
        choice(kind, ["vector", "scalar"]),
    )


def vec_add(rng: random.Random, level: int) -> Draft:
    triples = [(3, 4, 5), (6, 8, 10), (5, 12, 13), (8, 15, 17), (9, 12, 15), (7, 24, 25), (20, 21, 29)]
    a, b, c = rng.choice(triples[: 2 + level])
    k = rng.randint(1, level + 1)
    if level >= 4 and rng.random() < 0.5:
        angle = rng.choice([30, 37, 45, 53, 60])
        speed = rng.randint(5, 50)
        return Draft(
            f"A velocity of {speed} m/s points {angle}° above the horizontal. What is its horizontal "
            "component? Round to 2 decimal places.",
            numeric(round(speed * math.cos(math.radians(angle)), 2), "m/s"),
        )
    first, second = rng.choice([("north", "east"), ("south", "west"), ("east", "south"), ("west", "north")])
    who = rng.choice(["hiker", "scout", "surveyor", "jogger"])
    return Draft(
        f"A {who} walks {a * k} m {first} then {b * k} m {second}. How far is she from the start, in metres?",
        numeric(c * k, "m"),
    )


def displacement(rng: random.Random, level: int) -> Draft:
    legs = [rng.randint(2, 10 * level) for _ in range(1 + level)]
    signs = [1 if i % 2 == 0 else -1 for i in range(len(legs))]
    moves = ", then ".join(f"{d} m {'east' if s > 0 else 'west'}" for d, s in zip(legs, signs, strict=True))
    if rng.random() < 0.5:
        return Draft(
            f"A dog runs {moves}. What total distance does it cover in metres?", numeric(sum(legs), "m")
        )
    net = sum(d * s for d, s in zip(legs, signs, strict=True))
    return Draft(
        f"A dog runs {moves}. What is its displacement in metres (east positive)?", numeric(net, "m")
    )


def velocity(rng: random.Random, level: int) -> Draft:
    mover = rng.choice(_MOVERS)
    v, t = rng.randint(2, scale(level, 10, 20, 30, 40, 60)), rng.randint(2, 5 + 5 * level)
    form = rng.randrange(3 if level >= 3 else 1)
    if form == 0:
        return Draft(
            f"A {mover} covers {v * t} m in {t} s at constant speed. What is its speed in m/s?",
            numeric(v, "m/s"),
        )
    if form == 1:
        return Draft(
            f"A {mover} moves at {v} m/s for {t} s. How far does it go, in metres?", numeric(v * t, "m")
        )
    return Draft(f"How long does a {mover} at {v} m/s take to cover {v * t} m, in seconds?", numeric(t, "s"))


def acceleration(rng: random.Random, level: int) -> Draft:
    mover = rng.choice(_MOVERS)
    a, t = rng.randint(1, 2 + level), rng.randint(2, 2 + 2 * level)
    u = rng.randint(0, 5 * level)
    if level >= 4 and rng.random() < 0.5:
        return Draft(
            f"A {mover} brakes uniformly from {u + a * t} m/s to {u} m/s in {t} s. What is its "
            "acceleration in m/s^2?",
            numeric(-a, "m/s^2"),
        )
    return Draft(
        f"A {mover} accelerates uniformly from {u} m/s to {u + a * t} m/s in {t} s. What is its "
        "acceleration in m/s^2?",
        numeric(a, "m/s^2"),
    )


def kin_equations(rng: random.Random, level: int) -> Draft:
    mover = rng.choice(_MOVERS)
    u, a, t = rng.randint(0, 4 * level), rng.randint(1, 1 + level), rng.randint(2, 2 + 2 * level)
    form = rng.randrange(min(level, 3))
    if form == 0:
        return Draft(
            f"A {mover} starts at {u} m/s and accelerates at {a} m/s^2 for {t} s. How far does it "
            "travel in metres?",
            numeric(u * t + a * t * t / 2, "m"),
        )
    v = u + a * t
    s = (v * v - u * u) / (2 * a)
    if form == 1:
        return Draft(
            f"A {mover} accelerates at {a} m/s^2 from {u} m/s over {num(s)} m. What is its final "
            "speed in m/s?",
            numeric(v, "m/s"),
        )
    return Draft(
        f"A {mover} speeds up from {u} m/s to {v} m/s over {num(s)} m. What is its acceleration in m/s^2?",
        numeric(a, "m/s^2"),
    )


def free_fall(rng: random.Random, level: int) -> Draft:
    t = rng.randint(5, 10 + 10 * level) / 10
    thing = rng.choice(["stone", "coin", "key", "apple", "pebble", "marble"])
    if rng.random() < 0.5 or level == 1:
        return Draft(
            f"A {thing} is dropped from rest. How fast is it falling after {num(t)} s, in m/s?",
            numeric(round(G * t, 2), "m/s"),
        )
    h = round(G * t * t / 2, 2)
    return Draft(
        f"A {thing} is dropped from {num(h)} m. How long does it take to reach the ground, in seconds?",
        numeric(t, "s"),
    )


def projectile(rng: random.Random, level: int) -> Draft:
    t = rng.randint(1, 1 + level)
    h, vx = round(G * t * t / 2, 1), rng.randint(2, 5 + 5 * level)
    if level >= 4 and rng.random() < 0.5:
        v = rng.randint(10, 40)
        return Draft(
            f"A ball is kicked straight up at {v} m/s. What maximum height does it reach, in metres? "
            "Round to 2 decimal places.",
            numeric(round(v * v / (2 * G), 2), "m"),
        )
    return Draft(
        f"A ball rolls off a {num(h)} m high table at {vx} m/s. How far from the table does it land, "
        "in metres?",
        numeric(round(vx * math.sqrt(2 * h / G), 2), "m"),
        also=(("free-fall", 0.3),),
    )


TEMPLATES: dict[str, Template] = {
    "si-units": si_units,
    "unit-conversion": unit_conversion,
    "vectors": vectors,
    "vec-add": vec_add,
    "displacement": displacement,
    "velocity": velocity,
    "acceleration": acceleration,
    "kin-equations": kin_equations,
    "free-fall": free_fall,
    "projectile": projectile,
}
