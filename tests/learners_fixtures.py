"""A small content graph written straight to Neo4j, for the learner tests."""

from __future__ import annotations

from neo4j import Driver

# counting <- adding <- multiplying <- fractions ; questions q-<concept>-<n>
CHAIN = ["counting", "adding", "multiplying", "fractions"]


def make_chain(db: Driver, questions_per_concept: int = 3) -> None:
    db.execute_query(
        """
        UNWIND range(0, size($chain) - 1) AS i
        CREATE (c:Concept {id: $chain[i], name: 'Concept ' + $chain[i], subject: 'math'})
        WITH c, i
        UNWIND range(1, $n) AS k
        CREATE (q:Question {id: 'q-' + c.id + '-' + k, text: 'Question ' + k + ' on ' + c.id,
                            difficulty_tag: 1 + (k % 5)})
        CREATE (q)-[:ASSESSES {weight: 1.0}]->(c)
        """,
        chain=CHAIN,
        n=questions_per_concept,
    )
    db.execute_query(
        """
        UNWIND range(1, size($chain) - 1) AS i
        MATCH (c:Concept {id: $chain[i]}), (p:Concept {id: $chain[i - 1]})
        CREATE (c)-[:REQUIRES]->(p)
        """,
        chain=CHAIN,
    )


def attempt(attempt_id: str, question_id: str, correct: bool, at: str, user: str = "u1") -> dict[str, object]:
    return {
        "attempt_id": attempt_id,
        "user_id": user,
        "question_id": question_id,
        "correct": correct,
        "time_spent_ms": 30_000,
        "at": at,
    }
