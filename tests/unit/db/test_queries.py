import ast
from pathlib import Path

import pytest

from learner_graph.config import PROJECT_ROOT
from learner_graph.db.graph import schema_object_names
from learner_graph.db.queries import CypherFileError, Queries, parse_file


def write(tmp_path: Path, text: str, name: str = "q.cypher") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_parses_named_queries_with_descriptions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "// a file comment\n\n-- name: one\n-- The first.\nRETURN 1;\n\n-- name: two\n-- The second.\n"
        "MATCH (n)\n// inner comment\nRETURN n\n",
    )
    one, two = parse_file(path)
    assert (one.name, one.doc, one.text, one.line) == ("one", "The first.", "RETURN 1", 3)
    assert two.text == "MATCH (n)\n// inner comment\nRETURN n"
    assert two.line == 7


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("RETURN 1\n", 1, "before the first"),
        ("-- name: a\nRETURN 1\n", 2, "one-line '-- description'"),
        ("-- name: a\n-- doc\n\n-- name: b\n-- doc\nRETURN 1\n", 1, "has no body"),
        ("-- name: Bad-Name\n-- doc\nRETURN 1\n", 1, "bad query name"),
        ("-- name: a\n-- doc\nRETURN 1\n-- name: a\n-- doc\nRETURN 2\n", 4, "defined twice"),
        ("-- name: a\n-- doc\nRETURN 1\n-- stray\n", 4, "inside a query body"),
    ],
)
def test_malformed_file_names_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CypherFileError) as error:
        parse_file(path)
    assert str(error.value).startswith(f"{path}:{line}: ")
    assert message in str(error.value)


def test_same_name_in_two_files_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "-- name: a\n-- doc\nRETURN 1\n", "x.cypher")
    write(tmp_path, "-- name: a\n-- doc\nRETURN 2\n", "y.cypher")
    with pytest.raises(CypherFileError, match=r"y\.cypher:1: .*already defined at .*x\.cypher:1"):
        Queries.load(tmp_path)


def test_unknown_query_name_is_a_key_error(tmp_path: Path) -> None:
    write(tmp_path, "-- name: a\n-- doc\nRETURN 1\n")
    queries = Queries.load(tmp_path)
    assert queries["a"] == "RETURN 1"
    with pytest.raises(KeyError, match="no Cypher query named 'b'"):
        queries["b"]


def test_project_cypher_files_load_and_schema_names_are_known() -> None:
    queries = Queries.load(PROJECT_ROOT / "cypher")
    names = schema_object_names(queries)
    assert {"concept_id", "question_id", "user_id", "attempt_id"} <= set(names)
    assert len(names) == len(queries.from_file("schema.cypher"))


def _query_names_in_code() -> tuple[set[str], set[str]]:
    """(names the package passes to a query call, every string literal of the package)."""
    called: set[str] = set()
    literals: set[str] = set()
    for path in (PROJECT_ROOT / "learner_graph").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            name = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
                if node.func.attr in {"read", "write", "read_plain", "write_plain"}:
                    name = node.args[0]
            elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
                if node.value.attr == "queries":
                    name = node.slice
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                called.add(name.value)
    return called, literals


def test_every_query_used_in_code_exists_and_every_query_is_used() -> None:
    queries = Queries.load(PROJECT_ROOT / "cypher")
    schema = {q.name for q in queries.from_file("schema.cypher")}  # applied by file, not by name
    called, literals = _query_names_in_code()
    assert len(called) > 40  # the scan sees the call sites
    assert sorted(called - set(queries.names())) == []  # no call names a missing query
    assert sorted(set(queries.names()) - schema - literals) == []  # no query is dead text
