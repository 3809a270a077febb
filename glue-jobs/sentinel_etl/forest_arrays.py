"""A fitted isolation forest as plain arrays: stored as data, loaded without pickle, scored with numpy.

A pickled (joblib) model runs whatever code its bytes name when it is loaded, so anyone who can write
the state prefix could run code as the job role. This format holds only numbers: a JSON document whose
arrays are base64 of little-endian float64/int64 bytes (exact, and one byte sequence per model, so the
SHA-256 content address is stable). Loading parses JSON and `numpy.frombuffer`; nothing is executed.

Scoring reproduces scikit-learn 1.5's `IsolationForest.score_samples` operation for operation: X is
cast to float32 as sklearn's `_validate_data` does, each tree is walked with `x[feature] <= threshold`
(float32 promoted to float64, as in the Cython `apply`), depths are summed tree by tree as
`decision_path_length[leaf] + average_path_length[leaf] - 1.0`, and the score is
`2 ** -(depths / denominator)`. test_anomaly.py asserts bit-identical scores against the estimator.

The Spark job walks the trees in the JVM (`sentinel.anomaly.IsolationForestPathLength`, built from
`little_endian_arrays`) and applies only the final power here, with numpy (`score_from_path_length`): numpy's
power (SVML on AVX-512 machines, glibc elsewhere) and Java's `Math.pow` round differently on about a quarter
of these inputs, so the power must be the very function scikit-learn calls.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

FORMAT = "sentinel.isolation-forest.arrays/1"
_LEAF = -1


def _encode(array: np.ndarray, dtype: str) -> dict[str, Any]:
    data = np.ascontiguousarray(array, dtype=dtype)
    return {"dtype": dtype, "shape": list(data.shape), "data": base64.b64encode(data.tobytes()).decode("ascii")}


def _decode(document: Any, dtype: str, what: str) -> np.ndarray:
    if not isinstance(document, dict) or document.get("dtype") != dtype or not isinstance(document.get("data"), str):
        raise ValueError(f"isolation forest {what}: expected a {dtype} array")
    raw = base64.b64decode(document["data"], validate=True)
    array = np.frombuffer(raw, dtype=dtype)
    shape = tuple(int(n) for n in document.get("shape", []))
    if int(np.prod(shape)) != array.size:
        raise ValueError(f"isolation forest {what}: {array.size} values do not fill shape {shape}")
    return array.reshape(shape)


def score_from_path_length(normalised: np.ndarray) -> np.ndarray:
    """The paper's s(x, psi) = 2^(-E[h(x)] / c(psi)) from the normalised path length E[h(x)] / c(psi), with
    the expression scikit-learn evaluates (`2 ** -array`, numpy's float64 power), so it rounds as sklearn does."""
    return 2 ** (-np.asarray(normalised, dtype=np.float64))


@dataclass(frozen=True)
class TreeArrays:
    """One isolation tree: node arrays (children, split feature in X's columns, threshold) and, per node,
    the path length to it and the average path length of the samples that reached it."""

    left: np.ndarray
    right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    decision_path_length: np.ndarray
    average_path_length: np.ndarray

    def leaves(self, X: np.ndarray) -> np.ndarray:
        node = np.zeros(X.shape[0], dtype=np.int64)
        rows = np.arange(X.shape[0])
        active = self.left[node] != _LEAF
        while active.any():
            at = node[active]
            value = X[rows[active], self.feature[at]].astype(np.float64)
            node[active] = np.where(value <= self.threshold[at], self.left[at], self.right[at])
            active = self.left[node] != _LEAF
        return node

    def to_json(self) -> dict[str, Any]:
        return {
            "left": _encode(self.left, "<i8"),
            "right": _encode(self.right, "<i8"),
            "feature": _encode(self.feature, "<i8"),
            "threshold": _encode(self.threshold, "<f8"),
            "decision_path_length": _encode(self.decision_path_length, "<f8"),
            "average_path_length": _encode(self.average_path_length, "<f8"),
        }

    @classmethod
    def from_json(cls, d: Any, position: int) -> TreeArrays:
        what = f"tree {position}"
        if not isinstance(d, dict):
            raise ValueError(f"isolation forest {what}: expected an object")
        tree = cls(
            left=_decode(d.get("left"), "<i8", what),
            right=_decode(d.get("right"), "<i8", what),
            feature=_decode(d.get("feature"), "<i8", what),
            threshold=_decode(d.get("threshold"), "<f8", what),
            decision_path_length=_decode(d.get("decision_path_length"), "<f8", what),
            average_path_length=_decode(d.get("average_path_length"), "<f8", what),
        )
        tree._check(what)
        return tree

    def _check(self, what: str) -> None:
        n = self.left.shape[0]
        if n == 0 or any(
            a.shape != (n,) for a in (self.right, self.feature, self.threshold, self.decision_path_length, self.average_path_length)
        ):
            raise ValueError(f"isolation forest {what}: node arrays differ in length")
        children = np.concatenate([self.left, self.right])
        if ((children != _LEAF) & ((children <= 0) | (children >= n))).any() or ((self.left == _LEAF) != (self.right == _LEAF)).any():
            raise ValueError(f"isolation forest {what}: a child index points outside the tree")


@dataclass(frozen=True)
class ForestArrays:
    """The data of a fitted `IsolationForest` that scoring needs, plus the settings metrics report."""

    trees: tuple[TreeArrays, ...]
    n_features: int
    denominator: float
    offset: float
    n_estimators: int
    max_samples_: int
    contamination: str | float
    random_state: int

    @classmethod
    def from_estimator(cls, estimator: Any) -> ForestArrays:
        subsample = estimator._max_features != estimator.n_features_in_
        trees = []
        for index, (tree, features) in enumerate(zip(estimator.estimators_, estimator.estimators_features_, strict=True)):
            t = tree.tree_
            # With feature subsampling a tree's feature indices refer to its own column subset.
            feature = np.where(t.feature >= 0, np.asarray(features)[np.maximum(t.feature, 0)] if subsample else t.feature, 0)
            trees.append(
                TreeArrays(
                    left=t.children_left.astype(np.int64),
                    right=t.children_right.astype(np.int64),
                    feature=feature.astype(np.int64),
                    threshold=t.threshold.astype(np.float64),
                    decision_path_length=np.asarray(estimator._decision_path_lengths[index], dtype=np.float64),
                    average_path_length=np.asarray(estimator._average_path_length_per_tree[index], dtype=np.float64),
                )
            )
        from sklearn.ensemble._iforest import _average_path_length

        denominator = len(estimator.estimators_) * _average_path_length([estimator._max_samples])
        return cls(
            trees=tuple(trees),
            n_features=int(estimator.n_features_in_),
            denominator=float(denominator[0]),
            offset=float(estimator.offset_),
            n_estimators=int(estimator.n_estimators),
            max_samples_=int(estimator.max_samples_),
            contamination=estimator.contamination,
            random_state=int(estimator.random_state),
        )

    def score_samples(self, X: Any) -> np.ndarray:
        """Exactly `IsolationForest.score_samples`: the opposite of the paper's anomaly score."""
        matrix = np.asarray(X, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[1] != self.n_features:
            raise ValueError(f"isolation forest scores {self.n_features} features, got shape {matrix.shape}")
        if not np.isfinite(matrix).all():
            raise ValueError("isolation forest input contains NaN or infinity")
        depths = np.zeros(matrix.shape[0], order="F")
        for tree in self.trees:
            leaves = tree.leaves(matrix)
            depths += tree.decision_path_length[leaves] + tree.average_path_length[leaves] - 1.0
        denominator = np.asarray([self.denominator])
        return -score_from_path_length(np.divide(depths, denominator, out=np.ones_like(depths), where=denominator != 0))

    def little_endian_arrays(self) -> dict[str, bytes]:
        """The trees' node arrays concatenated in tree order, as little-endian bytes, with each tree's node count:
        the arguments of `sentinel.anomaly.IsolationForestPathLength.fromLittleEndian`."""

        def joined(name: str, dtype: str) -> bytes:
            return np.ascontiguousarray(np.concatenate([getattr(t, name) for t in self.trees]), dtype=dtype).tobytes()

        return {
            "node_counts": np.asarray([t.left.shape[0] for t in self.trees], dtype="<i8").tobytes(),
            "left": joined("left", "<i8"),
            "right": joined("right", "<i8"),
            "feature": joined("feature", "<i8"),
            "threshold": joined("threshold", "<f8"),
            "decision_path_length": joined("decision_path_length", "<f8"),
            "average_path_length": joined("average_path_length", "<f8"),
        }

    def predict(self, X: Any) -> np.ndarray:
        """1 for inliers, -1 for outliers, as `IsolationForest.predict`."""
        decision = self.score_samples(X) - self.offset
        return np.where(decision < 0, -1, 1)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "n_features": self.n_features,
            "denominator": self.denominator,
            "offset": self.offset,
            "n_estimators": self.n_estimators,
            "max_samples": self.max_samples_,
            "contamination": self.contamination,
            "random_state": self.random_state,
            "trees": [tree.to_json() for tree in self.trees],
        }

    @classmethod
    def from_json(cls, d: Any) -> ForestArrays:
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        trees = tuple(TreeArrays.from_json(t, i) for i, t in enumerate(d.get("trees", [])))
        if len(trees) != d.get("n_estimators"):
            raise ValueError(f"isolation forest has {len(trees)} trees, its header says {d.get('n_estimators')}")
        n_features = int(d["n_features"])
        if any(((t.feature < 0) | (t.feature >= n_features)).any() for t in trees):
            raise ValueError("isolation forest: a split names a feature outside the model's features")
        return cls(
            trees=trees,
            n_features=n_features,
            denominator=float(d["denominator"]),
            offset=float(d["offset"]),
            n_estimators=int(d["n_estimators"]),
            max_samples_=int(d["max_samples"]),
            contamination=d["contamination"],
            random_state=int(d["random_state"]),
        )


def dumps(document: dict[str, Any]) -> bytes:
    """Canonical JSON bytes (sorted keys, no whitespace): equal models have equal bytes."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def loads(payload: bytes) -> dict[str, Any]:
    document = json.loads(payload.decode("utf-8"))
    if not isinstance(document, dict):
        raise ValueError("model payload is not a JSON object")
    return document
