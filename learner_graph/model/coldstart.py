"""Cold start for questions newer than the model: a vector from concepts, similar texts and the tag."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from learner_graph.model.side import QuestionSide

NEIGHBOURS = 5


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


def _by_text(side: QuestionSide, text: str) -> tuple[np.ndarray, float] | None:
    """Mean vector and bias of the most similar known questions by TF-IDF cosine."""
    if not text or not side.texts:
        return None
    if "tfidf" not in side.cache:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        side.cache["tfidf"] = (vectorizer, vectorizer.fit_transform(side.texts))
    vectorizer, matrix = side.cache["tfidf"]
    similarity = (matrix @ vectorizer.transform([text]).T).toarray().ravel()
    best = np.argsort(-similarity)[:NEIGHBOURS]
    best = best[similarity[best] > 0]
    if not len(best):
        return None
    share = similarity[best] / similarity[best].sum()
    return share @ side.vectors[best], float(share @ side.bias[best])


def cold_question(
    side: QuestionSide, meta: Mapping[str, Any]
) -> tuple[np.ndarray, float, list[tuple[int, float]]]:
    """Vector, bias and concepts of an unknown question from its metadata (the average without any)."""
    concepts = _concepts(side, meta)
    found = [x for x in (_by_concepts(side, concepts), _by_text(side, meta.get("text") or "")) if x]
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
    new = []
    for qid, meta in metas.items():
        if qid in side.index:
            continue
        key = (qid, repr(sorted(meta.items())))
        if key not in cold:
            cold[key] = cold_question(side, meta)
        new.append((qid, *cold[key]))
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
