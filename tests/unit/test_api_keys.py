import pytest

from learner_graph.api_keys import Role, find_key, generate_demo_keys, hash_secret, parse_api_keys


def test_parses_plain_and_hashed_secrets() -> None:
    digest = hash_secret("s2")
    keys = parse_api_keys(f"app:learner_app:s1, ops:admin:sha256:{digest.upper()}")
    assert [(k.name, k.role) for k in keys] == [("app", Role.LEARNER_APP), ("ops", Role.ADMIN)]
    assert keys[0].sha256 == hash_secret("s1") and keys[1].sha256 == digest
    assert find_key(keys, "s2") == keys[1]
    assert find_key(keys, "nope") is None


def test_every_bad_entry_is_reported_at_once() -> None:
    with pytest.raises(ValueError) as error:
        parse_api_keys("a:learner_app,b:boss:x,c:admin:sha256:abc,d:admin:x,d:admin:y")
    message = str(error.value)
    assert "LG_API_KEYS[0]: expected name:role:secret" in message
    assert "LG_API_KEYS[1] (b): unknown role 'boss'" in message
    assert "LG_API_KEYS[2] (c): sha256 must be 64 hex digits" in message
    assert "LG_API_KEYS[4]: duplicate key name 'd'" in message


def test_demo_keys_cover_every_role_and_parse() -> None:
    keys = parse_api_keys(generate_demo_keys())
    assert {k.role for k in keys} == set(Role)
