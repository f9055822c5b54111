"""A Feast-like Python feature server: the peer of `duckfeat serve` in bench/serve-*.mjs.

FastAPI + uvicorn + redis-py (asyncio), as Feast's Python feature server is built: a
pydantic model of Feast's request, the feature service or references resolved against an
in-memory copy of the registry on every request (Feast's registry cache), one pipelined
HMGET per entity over the Redis data `duckfeat materialize` wrote (the same layout: one hash
per entity key, fields `<view>:__ts` and `<view>:__row`, the row a JSON object of feature
name -> value, parsed with the json module's C decoder), and Feast's column-major JSON
response (join keys first, statuses, event timestamps), returned as a dict for FastAPI to
encode. The TTL is checked as duckfeat does, so both servers do the same work.

Usage: serve-python-peer.py --registry defs.json --redis-url redis://127.0.0.1:6379 \
         --key-prefix duckfeat:retail: --port 6567
defs.json: {"views": [{"name", "joinKeys", "features": [{"name", "type"}], "ttlSeconds"}],
            "services": [{"name", "features": ["view:feature" | "view:*"]}]}
"""

import argparse
import json
import time
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

import redis.asyncio as aioredis
import uvicorn
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

EPOCH = "1970-01-01T00:00:00Z"


class GetOnlineFeaturesRequest(BaseModel):
    entities: Dict[str, List[Any]]
    feature_service: Optional[str] = None
    features: Optional[List[str]] = None
    full_feature_names: bool = False


def iso_from_micros(us: int) -> str:
    dt = datetime.fromtimestamp(us / 1_000_000, tz=timezone.utc)
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if us % 1_000_000:
        text += ("." + f"{us % 1_000_000:06d}").rstrip("0")
    return text + "Z"


def decode(value, type_: str):
    if value is None:
        return None
    if type_ == "float64":
        return float(value)  # NaN and infinities are stored as their text
    if type_ == "timestamp":
        return iso_from_micros(int(value))
    if type_ == "int64":
        return int(value)  # more digits than a double holds are stored as text
    return value


def create_app(defs: Dict[str, Any], redis_url: str, key_prefix: str) -> FastAPI:
    views = {v["name"]: v for v in defs["views"]}
    services = {s["name"]: s["features"] for s in defs["services"]}
    client = aioredis.Redis.from_url(redis_url)
    app = FastAPI()

    def resolve(request: GetOnlineFeaturesRequest):
        refs = services.get(request.feature_service) if request.feature_service else request.features
        if refs is None:
            raise HTTPException(400, f"unknown feature service {request.feature_service}")
        picked: Dict[str, List[Dict[str, str]]] = {}
        for ref in refs:
            view_name, _, feature = ref.partition(":")
            view = views.get(view_name)
            if view is None:
                raise HTTPException(400, f"unknown feature view {view_name}")
            wanted = view["features"] if feature == "*" else [f for f in view["features"] if f["name"] == feature]
            picked.setdefault(view_name, []).extend(wanted)
        return picked

    @app.post("/get-online-features")
    async def get_online_features(request: GetOnlineFeaturesRequest) -> Dict[str, Any]:
        picked = resolve(request)
        join_keys: List[str] = []
        for view_name in picked:
            for key in views[view_name]["joinKeys"]:
                if key not in join_keys:
                    join_keys.append(key)
        for key in join_keys:
            if key not in request.entities:
                raise HTTPException(400, f"missing join key {key}")
        rows = len(request.entities[join_keys[0]])
        names = list(join_keys)
        results = [
            {"values": list(request.entities[k]), "statuses": ["PRESENT"] * rows, "event_timestamps": [EPOCH] * rows}
            for k in join_keys
        ]
        now_us = int(time.time() * 1_000_000)
        pipe = client.pipeline(transaction=False)
        plan = []
        for view_name, features in picked.items():
            view = views[view_name]
            fields = [f"{view_name}:__ts", f"{view_name}:__row"]
            for r in range(rows):
                key = ",".join(str(request.entities[k][r]) for k in view["joinKeys"])
                pipe.hmget(f"{key_prefix}{','.join(view['joinKeys'])}:{key}", fields)
            plan.append((view, features))
        replies = await pipe.execute()
        at = 0
        for view, features in plan:
            ttl_us = view["ttlSeconds"] * 1_000_000
            columns = [{"values": [], "statuses": [], "event_timestamps": []} for _ in features]
            for r in range(rows):
                reply = replies[at]
                at += 1
                ts = reply[0]
                row = json.loads(reply[1]) if ts is not None and reply[1] is not None else None
                if row is None:
                    ts = None
                for i, feature in enumerate(features):
                    column = columns[i]
                    if ts is None:
                        column["values"].append(None)
                        column["statuses"].append("NOT_FOUND")
                        column["event_timestamps"].append(EPOCH)
                        continue
                    ts_us = int(ts)
                    column["event_timestamps"].append(iso_from_micros(ts_us))
                    if ttl_us > 0 and ts_us < now_us - ttl_us:
                        column["values"].append(None)
                        column["statuses"].append("OUTSIDE_MAX_AGE")
                        continue
                    value = decode(row.get(feature["name"]), feature["type"])
                    column["values"].append(value)
                    column["statuses"].append("PRESENT" if value is not None else "NULL_VALUE")
            for feature, column in zip(features, columns):
                names.append(f"{view['name']}__{feature['name']}" if request.full_feature_names else feature["name"])
                results.append(column)
        return {"metadata": {"feature_names": names}, "results": results}

    @app.get("/health")
    async def health():
        await client.ping()
        return {"status": "ok"}

    return app


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--registry", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379")
    parser.add_argument("--key-prefix", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6567)
    args = parser.parse_args()
    with open(args.registry) as f:
        defs = json.load(f)
    app = create_app(defs, args.redis_url, args.key_prefix)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
