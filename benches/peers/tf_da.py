"""Peers of the DA benchmarks of benches/benches/neural.rs.

da_phase2_epoch: one triplet epoch of the published
domain-adaptation model (Wartmann et al. 2020, Keras / TensorFlow), the algorithm as its code runs
it, on the same data shape: 5,000 source + 5,000 bias samples x 2,000 genes, 16 classes, mappers
2,000 -> 512 with a sigmoid embedding, margin 5, batch 64, Adam.

One epoch, as the published `train_bias_mapper` does it:
1. embeddings of every bias and source sample through the bias and source mappers;
2. triplet mining on the CPU in numpy, per anchor, split over a multiprocessing pool (the
   published code uses 20 workers; here one per core): a random positive of the anchor's class;
   the distances to every source sample of another class; a random semi-hard negative
   (d(a,p) < d(a,n) < d(a,p) + margin), else the farthest one;
3. `fit` of the siamese model for one epoch on the triplets (the frozen source mapper runs on the
   positive and negative of every batch) with the triplet loss
   `mean(max(d(a,p) - d(a,n) + margin, 0))`, `d = sqrt(max(sum of squares, epsilon))`.
The published code also passes the same triplets as validation data, which costs one more
forward pass over them; that pass is timed apart and not counted (rnameta does not do it).

This is our own implementation of the published algorithm, not the published code. Weights start
at random (Glorot), as the published bias mapper does; the time of an epoch hardly depends on them.

da_fit: a whole fit at the paper's shape (`da_paper_x.npy`: 5,480 source + 1,721 bias samples x
6,974 genes, 16 classes; DA_PAPER_SHAPE in benches/src/lib.rs), the work `DomainAdaptation::fit`
does with its default settings, in Keras: inputs standardised with source statistics; phase 1, 10
epochs of the source mapper (6,974 -> 512, sigmoid) and the classifier (dropout 0.5, 128 ReLU, 16
softmax) on the source samples, class-balanced sample weights, Adam 2e-4, batches of 64; phase 2,
the bias mapper started as a copy of the source mapper, 10 epochs as above (embeddings, the
published per-anchor mining in a process pool, one `fit` epoch on the triplets, no validation
pass). One run by default (a fit takes minutes): `--runs` counts the phase-2 epochs' runs, and the
whole fit runs `max(1, runs // 3)` times.

    python benches/peers/tf_da.py [--runs 3]
"""

import argparse
import os
import time

from common import emit, import_or_report, load, THREADS

NAMES = ["da_phase2_epoch/tensorflow", "da_fit/tensorflow"]
# Source-domain samples of da_paper_x.npy (DA_PAPER_SHAPE in benches/src/lib.rs): the first rows.
PAPER_SOURCE = 5480
MARGIN = 5.0


def mine(args):
    """Mining for one slice of anchors (runs in a worker process)."""
    import numpy as np

    bias_y, source_y, bias_emb, source_emb, seed = args
    rng = np.random.default_rng(seed)
    pos, neg = [], []
    for i in range(len(bias_y)):
        same = np.where(source_y == bias_y[i])[0]
        p = same[rng.integers(len(same))]
        d_pos = np.sqrt(np.sum(np.square(bias_emb[i] - source_emb[p])))
        other = np.where(source_y != bias_y[i])[0]
        d_neg = np.sqrt(np.sum(np.square(bias_emb[i][None, :] - source_emb[other]), axis=1))
        semi = other[(d_neg > d_pos) & (d_neg < d_pos + MARGIN)]
        pos.append(p)
        neg.append(semi[rng.integers(len(semi))] if len(semi) else other[np.argmax(d_neg)])
    return pos, neg


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    tf = import_or_report("tensorflow", NAMES, "TensorFlow")
    import numpy as np
    from multiprocessing import Pool

    tf.config.threading.set_intra_op_parallelism_threads(THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    x, y = load("da_x"), load("da_y")
    half = x.shape[0] // 2
    source_x, source_y, bias_x, bias_y = x[:half], y[:half], x[half:], y[half:]
    # Inputs standardised with source-domain statistics, as rnameta does.
    mean = source_x.mean(axis=0, dtype=np.float64)
    sd = np.where(source_x.std(axis=0, dtype=np.float64) > 1e-12,
                  source_x.std(axis=0, dtype=np.float64), 1.0)
    source_x = ((source_x - mean) / sd).astype(np.float32)
    bias_x = ((bias_x - mean) / sd).astype(np.float32)
    g = x.shape[1]
    keras = tf.keras

    source_mapper = keras.Sequential([keras.layers.Dense(512)])
    bias_mapper = keras.Sequential([keras.layers.Dense(512)])
    source_mapper.build((None, g))
    bias_mapper.build((None, g))
    model = siamese(tf, g, source_mapper, bias_mapper)
    pool = Pool(THREADS)

    def mine_all(bias_emb, source_emb, bias_y, source_y, seed):
        parts = np.array_split(np.arange(len(bias_y)), THREADS)
        mined = pool.map(mine, [(bias_y[s], source_y, bias_emb[s], source_emb, seed + j)
                                for j, s in enumerate(parts)])
        return (np.concatenate([m[0] for m in mined]), np.concatenate([m[1] for m in mined]))

    def epoch(seed):
        t0 = time.perf_counter()
        bias_emb = tf.sigmoid(bias_mapper(bias_x)).numpy()
        source_emb = tf.sigmoid(source_mapper(source_x)).numpy()
        pos, neg = mine_all(bias_emb, source_emb, bias_y, source_y, seed)
        t1 = time.perf_counter()
        order = np.random.default_rng(seed).permutation(len(bias_y))
        triplets = [bias_x[order], source_x[pos[order]], source_x[neg[order]]]
        model.fit(triplets, np.zeros(len(order), np.float32), epochs=1, batch_size=64, verbose=0,
                  shuffle=False)
        t2 = time.perf_counter()
        model.evaluate(triplets, np.zeros(len(order), np.float32), batch_size=64, verbose=0)
        t3 = time.perf_counter()
        return t1 - t0, t2 - t1, t3 - t2

    results = [epoch(run) for run in range(a.runs)]
    totals = sorted((m + f, m, f, v) for m, f, v in results)
    total, mining, fitting, validation = totals[len(totals) // 2]
    impl = f"TensorFlow {tf.__version__} / Keras {keras.__version__} ({THREADS} threads)"
    emit(NAMES[0], impl, total, a.runs,
         f"{half}+{half}x{g}, embedding 512: mining {mining:.2f} s (numpy, {THREADS} processes) + "
         f"fit {fitting:.2f} s; the published validation pass would add {validation:.2f} s")

    fit_runs = max(1, a.runs // 3)
    fits = sorted(whole_fit(tf, np, mine_all, seed) for seed in range(fit_runs))
    total, phase1, mining, fitting = fits[len(fits) // 2]
    emit(NAMES[1], impl, total, fit_runs,
         f"{PAPER_SOURCE}+{7201 - PAPER_SOURCE}x6974, embedding 512, 10 + 10 epochs: phase 1 "
         f"{phase1:.1f} s, phase 2 mining {mining:.1f} s + embeddings and fit {fitting:.1f} s")
    pool.close()


def siamese(tf, g, source_mapper, bias_mapper):
    """The published phase-2 model, compiled: anchors through the bias mapper, positives and
    negatives through the frozen source mapper, sigmoid embeddings stacked for the triplet loss
    (margin 5), Adam 2e-4 (epsilon 1e-7, Keras's default)."""
    keras = tf.keras
    source_mapper.trainable = False
    anchor_in, pos_in, neg_in = (keras.Input(shape=(g,)) for _ in range(3))
    out = keras.layers.Lambda(lambda t: tf.stack(t, -1))([
        keras.layers.Activation("sigmoid")(bias_mapper(anchor_in)),
        keras.layers.Activation("sigmoid")(source_mapper(pos_in)),
        keras.layers.Activation("sigmoid")(source_mapper(neg_in))])
    model = keras.Model([anchor_in, pos_in, neg_in], out)

    def triplet_loss(_, pred):
        eps = keras.backend.epsilon()
        d_pos = tf.sqrt(tf.maximum(tf.reduce_sum(tf.square(pred[:, :, 0] - pred[:, :, 1]), 1), eps))
        d_neg = tf.sqrt(tf.maximum(tf.reduce_sum(tf.square(pred[:, :, 0] - pred[:, :, 2]), 1), eps))
        return tf.reduce_mean(tf.maximum(d_pos - d_neg + MARGIN, 0.0))

    model.compile(optimizer=keras.optimizers.Adam(2e-4, epsilon=1e-7), loss=triplet_loss)
    return model


def whole_fit(tf, np, mine_all, seed):
    """One DA fit on da_paper_x (see the module docs): (total, phase 1, phase-2 mining, rest of
    phase 2) in seconds; the data's loading is not timed."""
    keras = tf.keras
    keras.utils.set_random_seed(seed)
    x, y = load("da_paper_x"), load("da_paper_y").astype(np.int64)
    source_x, source_y = x[:PAPER_SOURCE], y[:PAPER_SOURCE]
    bias_x, bias_y = x[PAPER_SOURCE:], y[PAPER_SOURCE:]
    t0 = time.perf_counter()
    mean = source_x.mean(axis=0, dtype=np.float64)
    sd = source_x.std(axis=0, dtype=np.float64)
    sd = np.where(sd > 1e-6, sd, 1.0)
    source_x = ((source_x - mean) / sd).astype(np.float32)
    bias_x = ((bias_x - mean) / sd).astype(np.float32)
    g, k = x.shape[1], int(y.max()) + 1
    counts = np.bincount(source_y, minlength=k)
    weights = (len(source_y) / (k * counts))[source_y].astype(np.float32)

    source_mapper = keras.Sequential([keras.Input((g,)), keras.layers.Dense(512)])
    classifier = keras.Sequential([keras.layers.Activation("sigmoid"), keras.layers.Dropout(0.5),
                                   keras.layers.Dense(128, activation="relu"),
                                   keras.layers.Dense(k, activation="softmax")])
    inp = keras.Input((g,))
    phase1 = keras.Model(inp, classifier(source_mapper(inp)))
    phase1.compile(optimizer=keras.optimizers.Adam(2e-4, epsilon=1e-7),
                   loss="sparse_categorical_crossentropy")
    phase1.fit(source_x, source_y, sample_weight=weights, epochs=10, batch_size=64, shuffle=True,
               verbose=0)
    t1 = time.perf_counter()

    bias_mapper = keras.Sequential([keras.Input((g,)), keras.layers.Dense(512)])
    bias_mapper.set_weights(source_mapper.get_weights())
    model = siamese(tf, g, source_mapper, bias_mapper)
    source_emb = tf.sigmoid(source_mapper(source_x)).numpy()
    mining = 0.0
    for epoch in range(10):
        m0 = time.perf_counter()
        bias_emb = tf.sigmoid(bias_mapper(bias_x)).numpy()
        pos, neg = mine_all(bias_emb, source_emb, bias_y, source_y, seed * 100 + epoch)
        mining += time.perf_counter() - m0
        order = np.random.default_rng(seed * 100 + epoch).permutation(len(bias_y))
        triplets = [bias_x[order], source_x[pos[order]], source_x[neg[order]]]
        model.fit(triplets, np.zeros(len(order), np.float32), epochs=1, batch_size=64,
                    verbose=0, shuffle=False)
    t2 = time.perf_counter()
    return t2 - t0, t1 - t0, mining, t2 - t1 - mining


if __name__ == "__main__":
    main()
