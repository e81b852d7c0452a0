"""Question templates for forces, Newton's laws, momentum and energy (g = 9.8 m/s^2)."""

from __future__ import annotations

import math
import random

from seed.drafts import Draft, Template, choice, num, numeric

G = 9.8
_BODIES = ["crate", "trolley", "sled", "box", "cart", "suitcase", "puck", "block"]


def _body(rng: random.Random) -> str:
    return rng.choice(_BODIES)


def forces(rng: random.Random, level: int) -> Draft:
    pushes = [rng.randint(5, 20 * level) for _ in range(1 + level)]
    pulls = [rng.randint(5, 20 * level) for _ in range(1 + level // 2)]
    listed = " and ".join(f"{p} N" for p in pushes)
    return Draft(
        f"A {_body(rng)} is pushed right with forces of {listed} and pulled left with "
        f"{' and '.join(f'{p} N' for p in pulls)}. What is the net force in newtons (right positive)?",
        numeric(sum(pushes) - sum(pulls), "N"),
    )


def newton_1(rng: random.Random, level: int) -> Draft:
    v = rng.randint(2, 10 * level)
    puck = f"A hockey puck slides at {v} m/s on frictionless ice."
    scenes = [
        (
            f"{puck} What is its speed after {level + 2} s, in m/s?",
            numeric(v, "m/s"),
        ),
        (
            f"A spacecraft far from any star coasts at {v * 100} m/s, engines off. What net force acts "
            "on it, in newtons?",
            numeric(0, "N"),
        ),
        (
            f"A {_body(rng)} moves at a steady {v} m/s, pulled with {v * 3} N. What is the friction force "
            "on it, in newtons?",
            numeric(v * 3, "N"),
        ),
    ]
    text, answer = scenes[min(rng.randrange(level), len(scenes) - 1)]
    return Draft(text, answer)


def newton_2(rng: random.Random, level: int) -> Draft:
    m, a = rng.randint(1, 5 + 10 * level), rng.randint(1, 2 + 2 * level)
    form = rng.randrange(min(level, 3))
    body = _body(rng)
    if form == 0:
        return Draft(
            f"What net force gives a {m} kg {body} an acceleration of {a} m/s^2, in newtons?",
            numeric(m * a, "N"),
        )
    if form == 1:
        return Draft(
            f"A net force of {m * a} N acts on a {m} kg {body}. What is its acceleration in m/s^2?",
            numeric(a, "m/s^2"),
        )
    return Draft(
        f"A net force of {m * a} N accelerates a {body} at {a} m/s^2. What is its mass in kg?",
        numeric(m, "kg"),
    )


def newton_3(rng: random.Random, level: int) -> Draft:
    force = rng.randint(10, 100 * level)
    pairs = [
        ("a swimmer pushes the pool wall", "the wall pushes the swimmer"),
        ("a rocket pushes exhaust gas down", "the gas pushes the rocket up"),
        ("a hammer hits a nail", "the nail pushes on the hammer"),
        ("a person leans on a wall", "the wall pushes on the person"),
        ("the Earth pulls a falling apple", "the apple pulls the Earth"),
    ]
    action, reaction = rng.choice(pairs[: 2 + level])
    if level >= 3 and rng.random() < 0.5:
        return Draft(
            f"When {action} with {force} N, how large is the force with which {reaction}, in newtons?",
            numeric(force, "N"),
        )
    return Draft(
        f"When {action} with {force} N, is the reaction force larger, smaller or equal?",
        choice("equal", ["larger", "smaller", "equal"]),
    )


def weight_mass(rng: random.Random, level: int) -> Draft:
    m = rng.randint(1, 10 * level + 10)
    if level >= 3 and rng.random() < 0.5:
        g_moon = 1.6
        return Draft(
            f"An astronaut of mass {m} kg stands on the Moon (g = 1.6 m/s^2). What is her weight in newtons?",
            numeric(round(m * g_moon, 2), "N"),
        )
    if rng.random() < 0.5:
        return Draft(
            f"What is the weight of a {m} kg {_body(rng)} on Earth, in newtons?",
            numeric(round(m * G, 2), "N"),
        )
    return Draft(f"An object weighs {num(m * G)} N on Earth. What is its mass in kg?", numeric(m, "kg"))


def friction(rng: random.Random, level: int) -> Draft:
    mu = rng.choice([0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6])
    m = rng.randint(2, 10 * level + 5)
    normal = m * G
    if level >= 3 and rng.random() < 0.5:
        push = round(normal * mu + rng.randint(5, 20 * level), 1)
        a = (push - mu * normal) / m
        return Draft(
            f"A {m} kg {_body(rng)} is pushed with {num(push)} N across a floor with μ = {mu}. What is "
            "its acceleration in m/s^2? Round to 2 decimal places.",
            numeric(round(a, 2), "m/s^2"),
        )
    return Draft(
        f"A {m} kg {_body(rng)} slides on a floor with coefficient of friction {mu}. What is the "
        "friction force in newtons?",
        numeric(round(mu * normal, 2), "N"),
    )


def momentum(rng: random.Random, level: int) -> Draft:
    m, v = rng.randint(1, 20 * level), rng.randint(1, 5 + 5 * level)
    if level >= 3 and rng.random() < 0.5:
        return Draft(
            f"A {m} kg ball at {v} m/s is stopped in {level / 10} s. What average force acts on it, in N?",
            numeric(round(m * v / (level / 10), 2), "N"),
        )
    return Draft(
        f"What is the momentum of a {m} kg {_body(rng)} moving at {v} m/s, in kg·m/s?",
        numeric(m * v, "kg·m/s"),
    )


def momentum_conservation(rng: random.Random, level: int) -> Draft:
    m1, m2 = rng.randint(1, 5 * level + 5), rng.randint(1, 5 * level + 5)
    v1 = rng.randint(2, 4 * level + 4)
    v = m1 * v1 / (m1 + m2)
    return Draft(
        f"A {m1} kg cart at {v1} m/s hits a resting {m2} kg cart and they stick together. What is "
        "their speed in m/s? Round to 2 decimal places.",
        numeric(round(v, 2), "m/s"),
    )


def work(rng: random.Random, level: int) -> Draft:
    f, d = rng.randint(5, 30 * level), rng.randint(2, 10 * level)
    if level >= 4 and rng.random() < 0.5:
        angle = rng.choice([30, 45, 60])
        return Draft(
            f"A rope pulls a sled with {f} N at {angle}° to the ground over {d} m. How much work is "
            "done, in joules? Round to 1 decimal place.",
            numeric(round(f * d * math.cos(math.radians(angle)), 1), "J"),
        )
    return Draft(
        f"How much work is done pushing a {_body(rng)} {d} m with a force of {f} N, in joules?",
        numeric(f * d, "J"),
    )


def kinetic_energy(rng: random.Random, level: int) -> Draft:
    m, v = rng.randint(1, 10 * level) * 2, rng.randint(1, 5 + 3 * level)
    if level >= 3 and rng.random() < 0.5:
        return Draft(
            f"A {m} kg object has {m * v * v // 2} J of kinetic energy. How fast is it moving, in m/s?",
            numeric(v, "m/s"),
        )
    return Draft(
        f"What is the kinetic energy of a {m} kg object moving at {v} m/s, in joules?",
        numeric(m * v * v // 2, "J"),
    )


def potential_energy(rng: random.Random, level: int) -> Draft:
    m, h = rng.randint(1, 10 * level), rng.randint(1, 10 * level)
    return Draft(
        f"A {m} kg bag is lifted {h} m. How much gravitational potential energy does it gain, in J?",
        numeric(round(m * G * h, 2), "J"),
    )


def energy_conservation(rng: random.Random, level: int) -> Draft:
    h = rng.randint(1, 10 * level)
    if level >= 3 and rng.random() < 0.5:
        v = rng.randint(2, 5 + 3 * level)
        return Draft(
            f"A skateboarder rolls up a ramp at {v} m/s. How high can she rise, in metres? Round to "
            "2 decimal places.",
            numeric(round(v * v / (2 * G), 2), "m"),
        )
    return Draft(
        f"A ball falls from rest through {h} m. Ignoring air resistance, how fast is it moving, in m/s? "
        "Round to 2 decimal places.",
        numeric(round(math.sqrt(2 * G * h), 2), "m/s"),
    )


def power(rng: random.Random, level: int) -> Draft:
    p, t = rng.randint(2, 50 * level), rng.randint(2, 5 + 5 * level)
    if rng.random() < 0.5:
        return Draft(f"A motor does {p * t} J of work in {t} s. What is its power in watts?", numeric(p, "W"))
    return Draft(f"How much energy does a {p} W lamp use in {t} s, in joules?", numeric(p * t, "J"))


TEMPLATES: dict[str, Template] = {
    "forces": forces,
    "newton-1": newton_1,
    "newton-2": newton_2,
    "newton-3": newton_3,
    "weight-mass": weight_mass,
    "friction": friction,
    "momentum": momentum,
    "momentum-conservation": momentum_conservation,
    "work": work,
    "kinetic-energy": kinetic_energy,
    "potential-energy": potential_energy,
    "energy-conservation": energy_conservation,
    "power": power,
}
