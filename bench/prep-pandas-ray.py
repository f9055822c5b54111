"""The seed's approach: pandas feature code per cutoff, fanned out on Ray (or sequential).
Usage: python bench/prep-pandas-ray.py TRANSACTIONS.parquet [ray|sequential]
Prints JSON timings (seconds): ray_init, compute, total, rows."""
import json, sys, time
t0 = time.perf_counter()
import pandas as pd

def features(df, cutoff):
    c = pd.Timestamp(cutoff)
    w = df[(df.invoice_date >= c - pd.Timedelta(days=90)) & (df.invoice_date < c)]
    buy = w[~w.is_cancellation]
    hist = df[(~df.is_cancellation) & (df.invoice_date < c)]
    g = buy.groupby('customer_id')
    rfm = pd.DataFrame({
        'recency_days': (c - g.invoice_date.max()).dt.days,
        'frequency': g.invoice_no.nunique(),
        'monetary': g.revenue.sum(),
    })
    rfm['tenure_days'] = (c - hist.groupby('customer_id').invoice_date.min()).dt.days.reindex(rfm.index)
    inv = buy.groupby(['customer_id', 'invoice_no']).agg(first=('invoice_date', 'min'), rev=('revenue', 'sum'), qty=('quantity', 'sum')).reset_index()
    inv = inv.sort_values(['customer_id', 'first', 'invoice_no'])
    inv['gap'] = inv.groupby('customer_id')['first'].diff().dt.days
    gi = inv.groupby('customer_id')
    beh = pd.DataFrame({
        'avg_order_value': gi.rev.mean(), 'avg_basket_size': gi.qty.mean(),
        'n_unique_products': g.stock_code.nunique(),
        'avg_days_between_purchases': gi.gap.mean().fillna(0),
    })
    allinv = w.groupby(['customer_id', 'invoice_no']).is_cancellation.any().groupby('customer_id')
    beh['return_rate'] = allinv.mean().reindex(beh.index)
    lab = df[(~df.is_cancellation) & (df.invoice_date >= c) & (df.invoice_date < c + pd.Timedelta(days=30))]
    beh['purchased'] = beh.index.isin(lab.customer_id.unique()).astype(int)
    out = rfm.join(beh).reset_index()
    out['event_timestamp'] = c
    return out

def cutoffs(df):
    lo, hi = df.invoice_date.min(), df.invoice_date.max()
    c, out = lo + pd.Timedelta(days=90), []
    while c <= hi - pd.Timedelta(days=30):
        out.append(c); c += pd.Timedelta(days=30)
    return out

if __name__ == '__main__':
    path, mode = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else 'ray')
    ray_init = 0.0
    if mode == 'ray':
        import ray
        t = time.perf_counter(); ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False); ray_init = time.perf_counter() - t
    t = time.perf_counter()
    df = pd.read_parquet(path)
    cs = cutoffs(df)
    if mode == 'ray':
        ref = ray.put(df)
        task = ray.remote(features)
        parts = ray.get([task.remote(ref, c) for c in cs])
    else:
        parts = [features(df, c) for c in cs]
    result = pd.concat(parts)
    compute = time.perf_counter() - t
    print(json.dumps({'mode': mode, 'ray_init': ray_init, 'compute': compute, 'total': time.perf_counter() - t0, 'rows': len(result), 'cutoffs': len(cs)}))
    if mode == 'ray':
        ray.shutdown()
