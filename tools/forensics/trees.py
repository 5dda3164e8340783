"""Gradient-boosted trees evaluated by onnxruntime instead of sklearn's per-tree Python loop.

sklearn's HistGradientBoostingClassifier predicts tree by tree from Python (300 calls per image per model, each
walking every cell); the block and cell detectors ask it about 7,500 cells per page and fusion asks five
calibration folds about one row, so most of that time is overhead. `CompiledTrees` carries the same trees (same
features, thresholds, NaN routing and leaf values, in float64) into one onnxruntime TreeEnsemble (ai.onnx.ml
opset 5) and returns sklearn's `predict_proba` (baseline + the leaves' sum, through the logistic). Built from the
fitted model when it is loaded (nothing new is shipped, retraining changes nothing); a model this cannot carry
(categorical splits, more than two classes), or a runtime without the operator, stays with sklearn.
"""
from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger(__name__)


class CompiledTrees:
    """A binary HistGradientBoostingClassifier's trees in one onnxruntime session; `predict_proba` as sklearn's."""

    def __init__(self, model) -> None:
        self.classes_ = model.classes_
        self.n_features_in_ = int(model.n_features_in_)
        self._baseline = float(np.asarray(model._baseline_prediction).reshape(-1)[0])
        self._session = _session(_ensemble(model, self.n_features_in_))
        self._input = self._session.get_inputs()[0].name

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"expected {self.n_features_in_} features, got {X.shape[1]}")
        return self._session.run(None, {self._input: X})[0].reshape(-1) + self._baseline

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        raw = self.decision_function(X)
        positive = 1.0 / (1.0 + np.exp(-raw))  # scipy.special.expit, as sklearn's binary log-loss
        return np.stack([1.0 - positive, positive], axis=1)


def compile_trees(model):
    """`CompiledTrees` of a fitted binary HistGradientBoostingClassifier; any other model back unchanged."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    if not isinstance(model, HistGradientBoostingClassifier) or len(model.classes_) != 2:
        return model
    if getattr(model, "is_categorical_", None) is not None and np.any(model.is_categorical_):
        return model
    if getattr(model, "_preprocessor", None) is not None:
        return model
    try:
        return CompiledTrees(model)
    except Exception as error:  # no onnx, or an onnxruntime without TreeEnsemble (opset 5): sklearn predicts
        log.warning("gradient-boosted trees stay with sklearn: %s: %s", type(error).__name__, error)
        return model


def _ensemble(model, n_features: int):
    """One ai.onnx.ml TreeEnsemble (opset 5: float64 splits, leaves and sums) holding every tree of `model`."""
    from onnx import TensorProto, helper, numpy_helper

    roots, features, splits, true_ids, true_leaf, false_ids, false_leaf, missing_true, leaf_values = \
        ([] for _ in range(9))
    interior_count = leaf_count = 0
    for predictors in model._predictors:
        nodes = predictors[0].nodes
        is_leaf = nodes["is_leaf"].astype(bool)
        if is_leaf.all():  # a tree of one leaf: one split whose both sides are that leaf
            roots.append(interior_count)
            features.append(np.zeros(1, np.int64)), splits.append(np.zeros(1)), missing_true.append(np.zeros(1, np.int64))
            for ids, leafs in ((true_ids, true_leaf), (false_ids, false_leaf)):
                ids.append(np.full(1, leaf_count, np.int64)), leafs.append(np.ones(1, np.int64))
            leaf_values.append(nodes["value"][:1].astype(np.float64))
            interior_count, leaf_count = interior_count + 1, leaf_count + 1
            continue
        # every node's index among its tree's interior nodes or leaves, offset by the trees before it
        position = np.where(is_leaf, np.cumsum(is_leaf) - 1 + leaf_count, np.cumsum(~is_leaf) - 1 + interior_count)
        inner = nodes[~is_leaf]
        roots.append(int(position[0]))
        features.append(inner["feature_idx"].astype(np.int64))
        splits.append(inner["num_threshold"].astype(np.float64))  # x <= split goes left, as sklearn's numerical split
        missing_true.append(inner["missing_go_to_left"].astype(np.int64))  # NaN goes where sklearn sends it
        for side, ids, leafs in (("left", true_ids, true_leaf), ("right", false_ids, false_leaf)):
            child = inner[side].astype(np.int64)
            ids.append(position[child]), leafs.append(is_leaf[child].astype(np.int64))
        leaf_values.append(nodes["value"][is_leaf].astype(np.float64))
        interior_count, leaf_count = interior_count + len(inner), leaf_count + int(is_leaf.sum())
    features, splits, true_ids, true_leaf, false_ids, false_leaf, missing_true, leaf_values = (
        np.concatenate(part) for part in (features, splits, true_ids, true_leaf, false_ids, false_leaf, missing_true,
                                          leaf_values))
    ensemble = helper.make_node(
        "TreeEnsemble", ["X"], ["Y"], domain="ai.onnx.ml", n_targets=1, aggregate_function=1, post_transform=0,
        tree_roots=roots, nodes_featureids=features.tolist(), nodes_splits=numpy_helper.from_array(splits),
        nodes_modes=numpy_helper.from_array(np.zeros(len(features), np.uint8)),  # 0: BRANCH_LEQ
        nodes_truenodeids=true_ids.tolist(), nodes_trueleafs=true_leaf.tolist(), nodes_falsenodeids=false_ids.tolist(),
        nodes_falseleafs=false_leaf.tolist(), nodes_missing_value_tracks_true=missing_true.tolist(),
        leaf_targetids=[0] * len(leaf_values), leaf_weights=numpy_helper.from_array(leaf_values))
    graph = helper.make_graph([ensemble], "trees",
                              [helper.make_tensor_value_info("X", TensorProto.DOUBLE, [None, n_features])],
                              [helper.make_tensor_value_info("Y", TensorProto.DOUBLE, [None, 1])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("ai.onnx.ml", 5)],
                             ir_version=10)


def _session(model):
    import onnxruntime as ort

    from credlift import threads

    return ort.InferenceSession(model.SerializeToString(), sess_options=threads.onnx_session_options(),
                                providers=["CPUExecutionProvider"])
