"""Peer of benches/benches/forest.rs: scikit-learn's RandomForestClassifier (100 trees, n_jobs=2)
on the same 20,000 x 500 matrix (first half train, second half test), 16 classes.

    python benches/peers/random_forest.py [--runs 3]
"""

import argparse

from common import emit, import_or_report, load, median_time, THREADS

NAMES = ["forest_fit/sklearn", "forest_predict/sklearn"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    sklearn = import_or_report("sklearn", NAMES, "scikit-learn")
    from sklearn.ensemble import RandomForestClassifier

    x, y = load("forest_x"), load("forest_y")
    h = x.shape[0] // 2
    impl = f"scikit-learn {sklearn.__version__} (n_jobs={THREADS})"

    def fit():
        rf = RandomForestClassifier(n_estimators=100, n_jobs=THREADS, random_state=0)
        rf.fit(x[:h], y[:h])
        return rf

    t, _, rf = median_time(fit, a.runs)
    acc = float((rf.predict(x[h:]) == y[h:]).mean())
    emit(NAMES[0], impl, t, a.runs, f"{h}x{x.shape[1]}, 16 classes, 100 trees, test accuracy {acc:.4f}")
    t, _, _ = median_time(lambda: rf.predict_proba(x[h:]), max(a.runs, 5))
    emit(NAMES[1], impl, t, max(a.runs, 5), f"{x.shape[0] - h} samples")


if __name__ == "__main__":
    main()
