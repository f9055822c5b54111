"""LightGBM peer for bench/train-*.mjs: train on a parquet, report time and test metrics as JSON.
Usage: python bench/train-lightgbm.py TRAIN.parquet LABEL PARAMS_JSON [TEST.parquet] [OUT_MODEL]"""
import json, sys, time
t_start = time.perf_counter()
import lightgbm as lgb
import numpy as np
import pandas as pd


def roc_auc_score(y, p):
    # Mann-Whitney with average ranks for ties (equal to scikit-learn's roc_auc_score).
    ranks = pd.Series(p).rank(method="average").to_numpy()
    pos = np.asarray(y) > 0
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return (ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)

train_path, label, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
df = pd.read_parquet(train_path)
features = [c for c in df.columns if c != label and pd.api.types.is_numeric_dtype(df[c])]
X, y = df[features].to_numpy(dtype=np.float64), df[label].to_numpy()
params = {"objective": "binary", "verbose": -1, "num_threads": 1, **params}
rounds = params.pop("num_iterations", 100)
t0 = time.perf_counter()
booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=rounds)
train_seconds = time.perf_counter() - t0
result = {"train_seconds": train_seconds, "train_auc": roc_auc_score(y, booster.predict(X))}
if len(sys.argv) > 4 and sys.argv[4]:
    test = pd.read_parquet(sys.argv[4])
    p = booster.predict(test[features].to_numpy(dtype=np.float64))
    result["test_auc"] = roc_auc_score(test[label].to_numpy(), p)
if len(sys.argv) > 5:
    booster.save_model(sys.argv[5])
result["process_seconds_inside"] = time.perf_counter() - t_start
print(json.dumps(result))
