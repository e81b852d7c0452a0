"""learner-graph: a learner knowledge graph in Neo4j that says what each student should practise next."""

__version__ = "0.1.0"
