"""Peer of the DA phase-2 benchmark of benches/benches/neural.rs: one triplet epoch of the published
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

    python benches/peers/tf_da.py [--runs 3]
"""

import argparse
import os
import time

from common import emit, import_or_report, load, THREADS

NAMES = ["da_phase2_epoch/tensorflow"]
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

    model.compile(optimizer=keras.optimizers.Adam(2e-4), loss=triplet_loss)
    pool = Pool(THREADS)

    def epoch(seed):
        t0 = time.perf_counter()
        bias_emb = tf.sigmoid(bias_mapper(bias_x)).numpy()
        source_emb = tf.sigmoid(source_mapper(source_x)).numpy()
        parts = np.array_split(np.arange(len(bias_y)), THREADS)
        mined = pool.map(mine, [(bias_y[s], source_y, bias_emb[s], source_emb, seed + j)
                                for j, s in enumerate(parts)])
        pos = np.concatenate([m[0] for m in mined])
        neg = np.concatenate([m[1] for m in mined])
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
    pool.close()
    totals = sorted((m + f, m, f, v) for m, f, v in results)
    total, mining, fitting, validation = totals[len(totals) // 2]
    emit(NAMES[0], f"TensorFlow {tf.__version__} / Keras {keras.__version__} ({THREADS} threads)",
         total, a.runs,
         f"{half}+{half}x{g}, embedding 512: mining {mining:.2f} s (numpy, {THREADS} processes) + "
         f"fit {fitting:.2f} s; the published validation pass would add {validation:.2f} s")


if __name__ == "__main__":
    main()
