"""Peer of benches/benches/forest.rs: scikit-learn's RandomForestClassifier on the same data.

The data are rnameta_models::synthetic::Synthetic, reimplemented here bit for bit (splitmix64 of a
counter, Box-Muller), so no file is exchanged. Prints one JSON line per measurement:
{"bench": ..., "impl": "sklearn", "seconds": ..., "accuracy": ...}.

    python benches/peers/random_forest.py            # the benchmark (20,000 x 500, 16 classes)
    python benches/peers/random_forest.py --check syn.csv N P K INF SEP SEED
        # asserts that the generator equals the CSV written by
        # `cargo run -p rnameta-models --example synthetic_csv -- syn.csv N P K INF SEP SEED`
"""
import json
import sys
import time

import numpy as np

M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def splitmix64(x):
    x = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = x + GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def normal(seed, stream, a, b):
    with np.errstate(over="ignore"):
        key = splitmix64(np.uint64(seed) ^ (np.uint64(stream) * GOLDEN))
        c = (np.asarray(a, dtype=np.uint64) << np.uint64(32)) | np.asarray(b, dtype=np.uint64)
        h1 = splitmix64(key ^ (c * np.uint64(2)))
        h2 = splitmix64(key ^ (c * np.uint64(2) + np.uint64(1)))
    scale = 1.0 / float(1 << 53)
    u1 = ((h1 >> np.uint64(11)) + np.uint64(1)).astype(np.float64) * scale
    u2 = (h2 >> np.uint64(11)).astype(np.float64) * scale
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def synthetic(n, p, k, informative, separation, seed):
    inf = min(informative, p)
    cc, jj = np.meshgrid(np.arange(k), np.arange(inf), indexing="ij")
    centres = separation * normal(seed, 1, cc, jj)
    y = np.arange(n) % k
    x = np.empty((n, p), dtype=np.float32)
    cols = np.arange(p, dtype=np.uint64)
    for start in range(0, n, 1000):
        rows = np.arange(start, min(n, start + 1000), dtype=np.uint64)
        z = normal(seed, 2, rows[:, None], cols[None, :])
        z[:, :inf] += centres[y[start:start + len(rows)]]
        x[start:start + len(rows)] = z.astype(np.float32)
    return x, y


def check(path, n, p, k, inf, sep, seed):
    d = np.loadtxt(path, delimiter=",", dtype=np.float32)
    x, y = synthetic(n, p, k, inf, sep, seed)
    assert (d[:, 0].astype(int) == y).all()
    diff = np.abs(d[:, 1:] - x).max()
    print(json.dumps({"check": path, "max_abs_diff": float(diff)}))
    assert diff <= 1e-5, diff


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--check":
        a = sys.argv[2:]
        check(a[0], int(a[1]), int(a[2]), int(a[3]), int(a[4]), float(a[5]), int(a[6]))
        return
    from sklearn.ensemble import RandomForestClassifier

    # Same shapes and seed as benches/benches/forest.rs.
    x, y = synthetic(20_000, 500, 16, 50, 0.5, 1)
    h = 10_000
    for _ in range(3):
        rf = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0)
        t = time.perf_counter()
        rf.fit(x[:h], y[:h])
        secs = time.perf_counter() - t
        acc = float((rf.predict(x[h:]) == y[h:]).mean())
        print(json.dumps({"bench": "forest_fit_10000x500_16", "impl": "sklearn",
                          "seconds": secs, "accuracy": acc}), flush=True)


if __name__ == "__main__":
    main()
