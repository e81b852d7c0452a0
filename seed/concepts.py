"""The demo syllabus: subjects, chapters, sections and the concept each section teaches.

Every section teaches exactly one concept, so a section's questions assess that concept (a few
word problems also assess a second one). Prerequisites are written space-separated and form a
DAG across chapters and subjects: kinematics needs linear equations, energy needs exponents.
"""

from __future__ import annotations

from dataclasses import dataclass

SUBJECTS = {"math": "Mathematics", "physics": "Physics"}


@dataclass(frozen=True)
class Section:
    """A section of a chapter and the one concept it teaches."""

    slug: str
    concept: str
    name: str
    requires: tuple[str, ...]
    description: str


# One chapter line ("subject.chapter | name"), then its indented sections:
# "section slug | concept id | name | prerequisite concept ids, space-separated, or - [| description]".
_SYLLABUS = """
math.arithmetic | Whole-number arithmetic
  adding | whole-add | Adding whole numbers | - | Column addition with carrying.
  subtracting | whole-sub | Subtracting whole numbers | whole-add | Subtraction with borrowing.
  place-value | place-value | Place value and rounding | whole-add | Digits, places, rounding.
  multiplying | mult | Multiplication facts | whole-add | Times tables and simple products.
  long-multiplication | long-mult | Multi-digit multiplication | mult place-value | Several-digit products.
  dividing | div | Division | mult whole-sub | Sharing equally, quotients and remainders.
  order-of-operations | order-ops | Order of operations | mult div whole-sub | Brackets, products, then sums.
  factors | factors | Factors and multiples | div | Divisibility, factors, primes.
  gcd-lcm | gcd-lcm | GCD and LCM | factors | Greatest common divisor, least common multiple.
math.fractions | Fractions
  meaning | frac-concept | Fractions as parts of a whole | div | Numerator and denominator.
  equivalence | frac-equiv | Equivalent fractions and simplifying | frac-concept gcd-lcm | Lowest terms.
  comparing | frac-compare | Comparing fractions | frac-equiv | Which fraction is larger.
  adding | frac-add | Adding and subtracting fractions | frac-equiv gcd-lcm | Common denominators.
  mixed-numbers | frac-mixed | Mixed numbers | frac-add | Whole parts and improper fractions.
  multiplying | frac-mult | Multiplying fractions | frac-equiv mult | Products of fractions.
  dividing | frac-div | Dividing fractions | frac-mult | Multiplying by the reciprocal.
math.decimals | Decimals and percent
  place-value | dec-place | Decimal place value | place-value frac-concept | Tenths, hundredths.
  adding | dec-add | Adding and subtracting decimals | dec-place | Lining up the point.
  multiplying | dec-mult | Multiplying decimals | dec-place long-mult | Counting decimal places.
  fractions-decimals | dec-frac | Fractions and decimals | dec-place frac-equiv | Converting both ways.
  percent | percent | Percentages | dec-frac | Percent of a quantity.
  percent-change | percent-change | Percent increase and decrease | percent | Discounts and growth.
math.ratios | Ratios and proportion
  ratios | ratio | Ratios | frac-equiv | Simplifying and sharing in a ratio.
  proportions | proportion | Proportions | ratio frac-mult | Solving a/b = c/x.
  unit-rates | unit-rate | Unit rates | ratio div | Price per item, speed as a rate.
math.integers | Integers
  number-line | int-concept | Negative numbers on the number line | whole-sub | Ordering and absolute value.
  adding | int-add | Adding and subtracting integers | int-concept | Signed sums.
  multiplying | int-mult | Multiplying and dividing integers | int-add mult | Sign rules.
math.exponents | Powers and roots
  powers | exponents | Powers and exponents | mult | Repeated multiplication.
  laws | exp-rules | Laws of exponents | exponents int-mult | Product, quotient, power rules.
  square-roots | roots | Square roots | exponents | Perfect squares and estimation.
  scientific-notation | sci-notation | Scientific notation | exp-rules dec-mult | Big and tiny numbers.
math.expressions | Algebraic expressions
  evaluating | expr-eval | Evaluating expressions | order-ops int-mult | Substituting values.
  like-terms | expr-simplify | Combining like terms | expr-eval int-add | Collecting terms.
  distributive | distributive | The distributive property | expr-simplify | Expanding a(b + c).
math.linear-equations | Linear equations
  one-step | eq-one-step | One-step equations | expr-eval | x + a = b and ax = b.
  two-step | eq-two-step | Two-step equations | eq-one-step | ax + b = c.
  both-sides | eq-both-sides | Variables on both sides | eq-two-step distributive | ax + b = cx + d.
  fractions | eq-fractions | Equations with fractions | eq-two-step frac-mult | Clearing denominators.
  word-problems | eq-word | Linear equation word problems | eq-two-step proportion | Equations from stories.
math.inequalities | Inequalities
  solving | ineq-solve | Solving linear inequalities | eq-two-step int-mult | Dividing by a negative flips it.
  compound | ineq-compound | Compound inequalities | ineq-solve | a < bx + c < d.
math.linear-functions | Linear functions
  coordinates | coord-plane | The coordinate plane | int-concept | Points and quadrants.
  slope | slope | Slope | coord-plane frac-equiv int-add | Rise over run.
  slope-intercept | line-eq | Slope-intercept form | slope eq-two-step | y = mx + b.
  two-points | line-from-points | The line through two points | line-eq | Finding m and b from two points.
math.systems | Systems of equations
  substitution | sys-substitution | Solving systems by substitution | line-eq eq-both-sides | Substitution.
  elimination | sys-elimination | Solving systems by elimination | sys-substitution | Adding multiples.
math.polynomials | Polynomials
  adding | poly-add | Adding and subtracting polynomials | expr-simplify exp-rules | Collecting like powers.
  multiplying | poly-mult | Multiplying binomials | poly-add distributive | (x + a)(x + b).
  special-products | special-products | Special products | poly-mult | (a + b)^2 and (a + b)(a - b).
math.factoring | Factoring
  common-factor | factor-gcf | Taking out a common factor | distributive gcd-lcm | ax + ay.
  trinomials | factor-trinomial | Factoring trinomials | poly-mult factor-gcf | x^2 + bx + c as a product.
  difference-of-squares | factor-diff-squares | Difference of squares | special-products factor-trinomial
math.quadratics | Quadratic equations
  by-factoring | quad-factoring | Solving quadratics by factoring | factor-trinomial eq-two-step | Roots.
  square-roots | quad-square-root | Solving by square roots | roots eq-two-step | x^2 = k and (x + a)^2 = k.
  completing-the-square | completing-square | Completing the square | quad-square-root special-products
  formula | quad-formula | The quadratic formula | completing-square roots | (-b ± √(b^2 - 4ac)) / 2a.
  discriminant | discriminant | The discriminant | quad-formula | How many real roots.
physics.measurement | Measurement and vectors
  si-units | si-units | SI units and prefixes | dec-mult sci-notation | Base units, kilo, milli.
  conversion | unit-conversion | Unit conversion | si-units proportion | km/h to m/s and more.
  vectors | vectors | Vectors and scalars | int-add | Magnitude and direction.
  adding-vectors | vec-add | Adding vectors | vectors roots | Components and resultants.
physics.kinematics | Kinematics
  displacement | displacement | Distance and displacement | int-add si-units | Path length vs position change.
  velocity | velocity | Speed and velocity | displacement unit-rate eq-one-step | v = d / t.
  acceleration | acceleration | Acceleration | velocity eq-two-step | a = (v - u) / t.
  equations | kin-equations | Uniform acceleration equations | acceleration eq-fractions exponents | SUVAT.
  free-fall | free-fall | Free fall | kin-equations | Motion under gravity, g = 9.8 m/s^2.
  projectiles | projectile | Projectile motion | free-fall vec-add | Two independent motions.
physics.dynamics | Forces and Newton's laws
  forces | forces | Forces and net force | vec-add | Balanced and unbalanced forces.
  first-law | newton-1 | Newton's first law | forces | Inertia.
  second-law | newton-2 | Newton's second law | newton-1 eq-one-step acceleration | F = ma.
  third-law | newton-3 | Newton's third law | forces | Action and reaction pairs.
  weight | weight-mass | Weight and mass | newton-2 | W = mg.
  friction | friction | Friction | newton-2 weight-mass | f = μN.
physics.energy-momentum | Momentum and energy
  momentum | momentum | Momentum | newton-2 velocity | p = mv.
  conservation-of-momentum | momentum-conservation | Conservation of momentum | momentum eq-both-sides
  work | work | Work | forces | W = Fd.
  kinetic-energy | kinetic-energy | Kinetic energy | exponents velocity | E = mv^2/2.
  potential-energy | potential-energy | Gravitational potential energy | weight-mass | E = mgh.
  energy-conservation | energy-conservation | Conservation of energy | kinetic-energy potential-energy roots
  power | power | Power | work unit-rate | P = W / t.
"""


def chapters() -> list[tuple[str, str, str, list[Section]]]:
    """The syllabus as (subject, chapter slug, chapter name, sections), in teaching order."""
    result: list[tuple[str, str, str, list[Section]]] = []
    for line in _SYLLABUS.strip().splitlines():
        fields = [field.strip() for field in line.split("|")]
        if not line.startswith(" "):
            subject, slug = fields[0].split(".")
            result.append((subject, slug, fields[1], []))
            continue
        slug, concept, name, requires, *rest = fields
        description = rest[0] if rest else name
        requires = "" if requires == "-" else requires
        result[-1][3].append(Section(slug, concept, name, tuple(requires.split()), description))
    return result
