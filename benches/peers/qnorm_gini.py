"""Python peers of benches/benches/preprocess.rs: quantile normalisation with the `qnorm` package
and with plain numpy argsort, and the per-gene Gini coefficient in numpy, on the same data.

The data are generated exactly as the Rust bench does (same shapes, seed and counter-based hash):
10,000 samples x 20,000 genes of ln(1 + count) as float32. Prints one JSON line per measurement:
{"bench": ..., "impl": ..., "seconds": ...} (the best of --repeat runs).

    python3 benches/peers/qnorm_gini.py [--samples 10000] [--genes 20000] [--ncpus 2] [--repeat 3]
"""

import argparse
import json
import time

import numpy as np
import qnorm

SEED = 42
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)


def mix(z):
    """SplitMix64's finaliser on uint64 arrays (wrapping arithmetic), as `mix` in the Rust bench."""
    z = (z ^ (z >> np.uint64(30))) * M1
    z = (z ^ (z >> np.uint64(27))) * M2
    return z ^ (z >> np.uint64(31))


def log_counts(samples, genes, seed):
    with np.errstate(over="ignore"):
        g = np.arange(genes, dtype=np.uint64)
        gold_g = np.uint64((0xD1B54A32D192ED03 * (seed + 1)) % 2**64)
        bits = np.uint64(1) + mix(g + gold_g) % np.uint64(20)
        offset = np.uint64((seed * 0x9E3779B97F4A7C15) % 2**64)
        x = np.empty((samples, genes), dtype=np.float32)
        block = max(1, 2**22 // genes)
        for s0 in range(0, samples, block):
            s = np.arange(s0, min(samples, s0 + block), dtype=np.uint64)[:, None]
            h = mix(s * np.uint64(genes) + g[None, :] + offset)
            count = (h >> (np.uint64(64) - bits[None, :])) >> (h & np.uint64(15))
            x[s0:s0 + len(s)] = np.log1p(count.astype(np.float64)).astype(np.float32)
    return x


def qn_argsort(x):
    """Textbook numpy quantile normalisation of each row (sample); ties are not averaged."""
    order = np.argsort(x, axis=1)
    ref = np.take_along_axis(x, order, axis=1).mean(axis=0)
    out = np.empty_like(x)
    np.put_along_axis(out, order, np.broadcast_to(ref, x.shape), axis=1)
    return out


def gini(x):
    """BioQC's Gini of each column (gene) across rows (samples)."""
    s = np.sort(x, axis=0)
    n = s.shape[0]
    i = np.arange(1, n + 1, dtype=np.float64)
    weighted = i @ s
    total = s.sum(axis=0, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = 2.0 * weighted / (n * total) - 1.0 - 1.0 / n
    return np.where(total > 0, g, 0.0)


def gini_contiguous(x):
    """The same Gini, sorting a genes x samples copy along its contiguous last axis (numpy's
    SIMD sort is fastest there); the transpose is timed too."""
    s = np.sort(np.ascontiguousarray(x.T), axis=1)
    n = s.shape[1]
    i = np.arange(1, n + 1, dtype=np.float64)
    weighted = s @ i
    total = s.sum(axis=1, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = 2.0 * weighted / (n * total) - 1.0 - 1.0 / n
    return np.where(total > 0, g, 0.0)


def best(f, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--samples", type=int, default=10_000)
    p.add_argument("--genes", type=int, default=20_000)
    p.add_argument("--ncpus", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--skip-argsort", action="store_true")
    p.add_argument("--only-gini", action="store_true")
    a = p.parse_args()
    x = log_counts(a.samples, a.genes, SEED)
    shape = f"{a.samples}x{a.genes}"
    # Both Gini versions agree (a check that the faster layout computes the same thing).
    small = x[:200]
    assert np.allclose(gini(small), gini_contiguous(small))
    if a.only_gini:
        a.skip_argsort = True
    # qnorm normalises columns; axis=0 normalises the rows (samples) of a samples x genes array.
    if not a.only_gini:
        t = best(lambda: qnorm.quantile_normalize(x, axis=0, ncpus=a.ncpus), a.repeat)
        print(json.dumps({"bench": f"quantile_fit_transform/{shape}", "impl": f"qnorm {qnorm.__version__} ncpus={a.ncpus}", "seconds": t}))
    if not a.skip_argsort:
        t = best(lambda: qn_argsort(x), a.repeat)
        print(json.dumps({"bench": f"quantile_fit_transform/{shape}", "impl": "numpy argsort", "seconds": t}))
    t = best(lambda: gini(x), a.repeat)
    print(json.dumps({"bench": f"gini_per_gene/{shape}", "impl": f"numpy {np.__version__} sort axis 0", "seconds": t}))
    t = best(lambda: gini_contiguous(x), a.repeat)
    print(json.dumps({"bench": f"gini_per_gene/{shape}", "impl": f"numpy {np.__version__} transposed copy, sort last axis", "seconds": t}))


if __name__ == "__main__":
    main()
