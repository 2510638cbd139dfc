"""Shared helpers of the Python peers: where the workloads are, timing, and the JSON lines that
`cargo xtask bench` reads.

Every peer prints one JSON line per measurement to standard output:
    {"name": ..., "impl": ..., "seconds": <median>, "runs": N, "detail": ...}
or, when its package cannot be imported, {"name": ..., "impl": ..., "unavailable": <reason>}.
The workloads are the `.npy` / HDF5 files that `benches/examples/bench_data.rs` writes (the same
numbers the Rust benchmarks generate), in $RNAMETA_BENCH_DATA or target/bench-data.
"""

import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("RNAMETA_BENCH_DATA", os.path.join(HERE, "..", "..", "target", "bench-data"))
THREADS = int(os.environ.get("RNAMETA_BENCH_THREADS", "2"))


def data(name):
    return os.path.join(DATA, name)


def load(name):
    import numpy as np

    return np.load(data(name + ".npy"))


def median_time(f, runs, setup=None):
    """Median wall time of `runs` calls of f() (setup() before each, untimed); also the last result."""
    times = []
    result = None
    for _ in range(runs):
        arg = setup() if setup else None
        t = time.perf_counter()
        result = f(arg) if setup else f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times, result


def emit(name, impl, seconds, runs, detail=""):
    print(json.dumps({"name": name, "impl": impl, "seconds": seconds, "runs": runs,
                      "detail": detail}), flush=True)


def unavailable(names, impl, reason):
    for name in names:
        print(json.dumps({"name": name, "impl": impl, "unavailable": reason}), flush=True)


def import_or_report(module, names, impl):
    """Imports `module`, or reports every measurement in `names` as unavailable and exits 0."""
    try:
        return __import__(module)
    except Exception as e:  # ImportError, or a broken binary wheel
        unavailable(names, impl, f"not installable: import {module} failed: {type(e).__name__}: {e}")
        sys.exit(0)
