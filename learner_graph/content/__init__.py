"""The content domain: concepts, prerequisites, units, questions, bulk import/export and the audit.

Other domains use this surface; the modules behind it are split by entity (`concepts`,
`units`, `questions`), by concern (`importer`, `traversals`, `audit`) and by shape (`models`,
`document`).
"""

from learner_graph.content.audit import content_version
from learner_graph.content.traversals import dependents, prerequisites, resolve_units, unit_tree

__all__ = ["content_version", "dependents", "prerequisites", "resolve_units", "unit_tree"]
