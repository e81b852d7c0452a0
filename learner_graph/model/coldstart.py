"""Cold start for questions newer than the model: a vector from concepts, similar texts and the tag."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from learner_graph.model.side import QuestionSide

NEIGHBOURS = 5
TEXT_CHUNK = 256  # rows of the dense similarity block (256 × known questions floats)


def _concepts(side: QuestionSide, meta: Mapping[str, Any]) -> list[tuple[int, float]]:
    out = []
    for item in meta.get("concept_ids") or []:
        cid, weight = (item, 1.0) if isinstance(item, str) else (item[0], float(item[1]))
        if cid in side.concept_index:
            out.append((side.concept_index[cid], weight))
    return out


def _by_concepts(side: QuestionSide, concepts: list[tuple[int, float]]) -> tuple[np.ndarray, float] | None:
    """Mean vector and bias of the known questions that share the concepts (weighted by overlap)."""
    if not concepts:
        return None
    mix = np.zeros(len(side.concept_ids))
    for k, weight in concepts:
        mix[k] = weight
    overlap = side.concept_matrix @ mix
    if overlap.sum() <= 0:
        return None
    share = overlap / overlap.sum()
    return share @ side.vectors, float(share @ side.bias)


def _tfidf(side: QuestionSide) -> tuple[Any, Any]:
    if "tfidf" not in side.cache:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        side.cache["tfidf"] = (vectorizer, vectorizer.fit_transform(side.texts))
    return side.cache["tfidf"]


def _by_texts(side: QuestionSide, texts: Sequence[str]) -> list[tuple[np.ndarray, float] | None]:
    """`_by_text` for many texts with one TF-IDF transform (one call costs ~10 ms of overhead)."""
    if not side.texts or not any(texts):
        return [None] * len(texts)
    vectorizer, matrix = _tfidf(side)
    queries = vectorizer.transform(list(texts))
    out: list[tuple[np.ndarray, float] | None] = []
    for start in range(0, len(texts), TEXT_CHUNK):
        similarities = (queries[start : start + TEXT_CHUNK] @ matrix.T).toarray()
        out.extend(_neighbours(side, texts[start : start + TEXT_CHUNK], similarities))
    return out


def _neighbours(
    side: QuestionSide, texts: Sequence[str], similarities: np.ndarray
) -> list[tuple[np.ndarray, float] | None]:
    out: list[tuple[np.ndarray, float] | None] = []
    for text, similarity in zip(texts, similarities, strict=True):
        top = np.argpartition(-similarity, NEIGHBOURS)[:NEIGHBOURS] if len(similarity) > NEIGHBOURS else None
        best = np.argsort(-similarity)[:NEIGHBOURS] if top is None else top[np.argsort(-similarity[top])]
        best = best[similarity[best] > 0]
        if not text or not len(best):
            out.append(None)
            continue
        share = similarity[best] / similarity[best].sum()
        out.append((share @ side.vectors[best], float(share @ side.bias[best])))
    return out


def _by_text(side: QuestionSide, text: str) -> tuple[np.ndarray, float] | None:
    """Mean vector and bias of the most similar known questions by TF-IDF cosine."""
    return _by_texts(side, [text])[0]


def cold_question(
    side: QuestionSide, meta: Mapping[str, Any], by_text: tuple[np.ndarray, float] | None | bool = True
) -> tuple[np.ndarray, float, list[tuple[int, float]]]:
    """Vector, bias and concepts of an unknown question from its metadata (the average without any).

    `by_text` is the text neighbours' result when the caller computed it for many questions at once.
    """
    concepts = _concepts(side, meta)
    if by_text is True:
        by_text = _by_text(side, meta.get("text") or "")
    found = [x for x in (_by_concepts(side, concepts), by_text) if x]
    vector = np.mean([v for v, _ in found], axis=0) if found else np.zeros(side.dim)
    biases = [b for _, b in found]
    tag = meta.get("difficulty_tag")
    if tag is not None and int(tag) in side.tag_bias:
        biases.append(side.tag_bias[int(tag)])
    return vector, float(np.mean(biases)) if biases else 0.0, concepts


def extend(side: QuestionSide, metas: Mapping[str, Mapping[str, Any]]) -> QuestionSide:
    """A copy of `side` that also knows the questions of `metas` (cold-start vectors)."""
    # Cold vectors are kept on the side: the candidates of every request would otherwise repeat the
    # TF-IDF search for each unknown question (seconds per request on a curriculum the model half knows).
    cold: dict[tuple[str, str], tuple[np.ndarray, float, list[tuple[int, float]]]] = side.cache.setdefault(
        "cold", {}
    )
    keys = {qid: (qid, repr(sorted(meta.items()))) for qid, meta in metas.items() if qid not in side.index}
    missing = [qid for qid, key in keys.items() if key not in cold]
    texts = _by_texts(side, [str(metas[qid].get("text") or "") for qid in missing])
    for qid, by_text in zip(missing, texts, strict=True):
        cold[keys[qid]] = cold_question(side, metas[qid], by_text)
    new = [(qid, *cold[key]) for qid, key in keys.items()]
    if not new:
        return side
    lengths = np.array([len(concepts) for *_, concepts in new])
    return replace(
        side,
        question_ids=side.question_ids + [qid for qid, *_ in new],
        bias=np.concatenate([side.bias, [b for _, _, b, _ in new]]),
        vectors=np.vstack([side.vectors, [v for _, v, _, _ in new]]),
        concept_ptr=np.concatenate([side.concept_ptr, side.concept_ptr[-1] + np.cumsum(lengths)]),
        concept_idx=np.concatenate([side.concept_idx, [k for *_, cs in new for k, _ in cs]]).astype(np.int64),
        concept_w=np.concatenate([side.concept_w, [w for *_, cs in new for _, w in cs]]),
        texts=side.texts + [str(metas[qid].get("text") or "") for qid, *_ in new] if side.texts else [],
    )


def with_questions(side: QuestionSide, question_ids: Sequence[str],
                   metas: Mapping[str, Mapping[str, Any]] | None) -> tuple[QuestionSide, np.ndarray]:
    """The side (extended when some ids are unknown) and the index of each id in it."""
    get = side.index.get
    found = np.array([get(qid, -1) for qid in question_ids], dtype=np.int64)
    if len(found) and found.min() < 0:
        unknown = {qid for qid, i in zip(question_ids, found, strict=True) if i < 0}
        side = extend(side, {qid: (metas or {}).get(qid, {}) for qid in unknown})
        get = side.index.get
        found = np.array([get(qid, -1) for qid in question_ids], dtype=np.int64)
    return side, found
