"""The pandas side of bench/retrieval-pit.mjs: Feast's file-store point-in-time join
(dedup by created_timestamp, merge_asof per view, TTL, input order restored). Prints JSON."""
import json, resource, sys, time
import numpy as np
import pandas as pd

d = sys.argv[1]
VIEWS = [
    ("rfm", ["recency_days", "frequency", "monetary", "tenure_days"], 0),
    ("behavior", ["avg_order_value", "avg_basket_size", "n_unique_products", "return_rate", "avg_days_between_purchases"], 90 * 86400),
]
t0 = time.perf_counter()
ent = pd.read_parquet(d + "entities.parquet")
ent["__row"] = np.arange(len(ent))
frames = {name: pd.read_parquet(d + name + ".parquet") for name, _, _ in VIEWS}
t1 = time.perf_counter()
for name, features, ttl in VIEWS:
    f = frames.pop(name)
    f = f.sort_values(["customer_id", "event_timestamp", "created_timestamp"], ascending=[True, True, False])
    f = f.drop_duplicates(["customer_id", "event_timestamp"], keep="first")
    ts = "__ts_" + name
    f = f.drop(columns=["created_timestamp"]).rename(columns={"event_timestamp": ts}).sort_values(ts)
    ent = ent.sort_values("event_timestamp")
    ent = pd.merge_asof(ent, f, left_on="event_timestamp", right_on=ts, by="customer_id", direction="backward")
    if ttl > 0:
        stale = ent[ts] < ent["event_timestamp"] - pd.Timedelta(seconds=ttl)
        ent.loc[stale, features] = np.nan
    ent = ent.drop(columns=[ts])
ent = ent.sort_values("__row").drop(columns=["__row"]).reset_index(drop=True)
t2 = time.perf_counter()
ent.to_parquet(d + "pandas-out.parquet", index=False)
t3 = time.perf_counter()
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": t3 - t0, "joinSeconds": t2 - t1, "rows": len(ent),
                  "cpuSeconds": ru.ru_utime + ru.ru_stime,
                  "rssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
