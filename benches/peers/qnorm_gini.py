"""Peers of benches/benches/preprocess.rs on the same 10,000 samples x 20,000 genes: quantile
normalisation with the `qnorm` package and with a plain numpy argsort, the per-gene Gini
coefficient (BioQC's definition) in numpy, and TPM in numpy.

    python benches/peers/qnorm_gini.py [--runs 3]
"""

import argparse

from common import emit, import_or_report, load, median_time, THREADS

NAMES = ["quantile_fit_transform/qnorm", "quantile_fit_transform/numpy_argsort",
         "gini_per_gene/numpy", "gini_per_gene/numpy_sort_axis0", "tpm/numpy"]


def qn_argsort(x):
    """Textbook numpy quantile normalisation of each row (sample); ties are not averaged."""
    import numpy as np

    order = np.argsort(x, axis=1)
    ref = np.take_along_axis(x, order, axis=1).mean(axis=0)
    out = np.empty_like(x)
    np.put_along_axis(out, order, np.broadcast_to(ref, x.shape), axis=1)
    return out


def gini_axis0(x):
    """BioQC's Gini of each column (gene) across rows (samples), sorting down the columns."""
    import numpy as np

    s = np.sort(x, axis=0)
    n = s.shape[0]
    i = np.arange(1, n + 1, dtype=np.float64)
    weighted = i @ s
    total = s.sum(axis=0, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = 2.0 * weighted / (n * total) - 1.0 - 1.0 / n
    return np.where(total > 0, g, 0.0)


def gini(x):
    """The same Gini, sorting a genes x samples copy along its contiguous last axis (numpy's SIMD
    sort is fastest there); the transposed copy is timed too."""
    import numpy as np

    s = np.sort(np.ascontiguousarray(x.T), axis=1)
    n = s.shape[1]
    i = np.arange(1, n + 1, dtype=np.float64)
    weighted = s @ i
    total = s.sum(axis=1, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = 2.0 * weighted / (n * total) - 1.0 - 1.0 / n
    return np.where(total > 0, g, 0.0)


def tpm(counts, lengths):
    """TPM in float64 per sample, stored as float32 (as rnameta's tpm_inplace)."""
    import numpy as np

    rate = counts / lengths.astype(np.float64)
    return (rate * (1e6 / rate.sum(axis=1, keepdims=True))).astype(np.float32)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    np = import_or_report("numpy", NAMES, "numpy")
    x = load("preprocess_log_counts")
    shape = f"{x.shape[0]}x{x.shape[1]}"
    assert np.allclose(gini(x[:200]), gini_axis0(x[:200]))
    try:
        import qnorm

        t, ts, _ = median_time(lambda: qnorm.quantile_normalize(x, axis=0, ncpus=THREADS), a.runs)
        emit(NAMES[0], f"qnorm {qnorm.__version__} (ncpus={THREADS})", t, a.runs, shape)
    except ImportError as e:
        print('{"name": "%s", "impl": "qnorm", "unavailable": "not installable: %s"}' % (NAMES[0], e))
    t, _, _ = median_time(lambda: qn_argsort(x), a.runs)
    emit(NAMES[1], f"numpy {np.__version__} argsort", t, a.runs, shape)
    t, _, _ = median_time(lambda: gini(x), a.runs)
    emit(NAMES[2], f"numpy {np.__version__} (transposed copy, sort last axis)", t, a.runs, shape)
    t, _, _ = median_time(lambda: gini_axis0(x), a.runs)
    emit(NAMES[3], f"numpy {np.__version__} (sort axis 0)", t, a.runs, shape)
    del x
    counts = load("preprocess_counts")
    lengths = load("preprocess_gene_lengths")[0]
    t, _, _ = median_time(lambda: tpm(counts, lengths), a.runs)
    emit(NAMES[4], f"numpy {np.__version__}", t, a.runs, shape)


if __name__ == "__main__":
    main()
