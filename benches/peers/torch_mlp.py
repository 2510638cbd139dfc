"""Peer of the MLP benchmarks of benches/benches/neural.rs: the paper's MLP (7,000 -> 128 ReLU ->
dropout 0.3 -> 16 softmax) in PyTorch on the same 10,000 x 7,000 matrix, trained as rnameta trains
it: per-gene standardisation fitted on the training rows (float64 statistics), Glorot-uniform
weights and zero biases (Keras's initialisation), Adam (lr 2e-4, betas 0.9 / 0.999, eps 1e-7),
batches of 64 in a shuffled order, class-balanced cross-entropy weighted per sample and averaged
over the batch. Written as a PyTorch user would write it fast: the statistics in torch over blocks
of rows, the matrix standardised once, `cross_entropy` with class weights summed and divided by the
batch size (what rnameta's loss is), 2 threads.

- mlp_epoch: one fit of one epoch (standardisation and initialisation included, as `Mlp::fit`
  with `epochs: 1`);
- mlp_predict: class probabilities of the 10,000 samples (standardised, no dropout).

    python benches/peers/torch_mlp.py [--runs 5]
"""

import argparse

from common import emit, import_or_report, load, median_time, THREADS

NAMES = ["mlp_epoch/torch", "mlp_predict/torch"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--epochs", type=int, default=1)
    a = p.parse_args()
    torch = import_or_report("torch", NAMES, "PyTorch")
    import numpy as np

    torch.set_num_threads(THREADS)
    x_np, y_np = load("mlp_x"), load("mlp_y")
    n, g = x_np.shape
    k = int(y_np.max()) + 1
    counts = np.bincount(y_np, minlength=k)
    class_weight = torch.tensor(n / (k * counts), dtype=torch.float32)
    y = torch.from_numpy(y_np)
    impl = f"PyTorch {torch.__version__} ({THREADS} threads)"

    def standardiser(x):
        """Per-gene mean and standard deviation in float64, two passes over blocks of rows (no
        float64 copy of the whole matrix), as `Standardiser::fit` computes them."""
        total = torch.zeros(g, dtype=torch.float64)
        for s in range(0, n, 1024):
            total += x[s:s + 1024].sum(0, dtype=torch.float64)
        mean = total / n
        squares = torch.zeros(g, dtype=torch.float64)
        for s in range(0, n, 1024):
            squares += ((x[s:s + 1024].double() - mean) ** 2).sum(0)
        sd = (squares / n).sqrt()
        sd = torch.where(sd > 1e-12, sd, torch.ones_like(sd))
        return mean.float(), sd.float()

    def model():
        m = torch.nn.Sequential(torch.nn.Linear(g, 128), torch.nn.ReLU(), torch.nn.Dropout(0.3),
                                torch.nn.Linear(128, k))
        for layer in (m[0], m[3]):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
        return m

    def fit():
        torch.manual_seed(0)
        x = torch.from_numpy(x_np)
        mean, sd = standardiser(x)
        x = (x - mean) / sd
        m = model()
        opt = torch.optim.Adam(m.parameters(), lr=2e-4, betas=(0.9, 0.999), eps=1e-7)
        m.train()
        for _ in range(a.epochs):
            order = torch.randperm(n)
            for start in range(0, n, 64):
                rows = order[start:start + 64]
                loss = torch.nn.functional.cross_entropy(
                    m(x.index_select(0, rows)), y[rows], weight=class_weight,
                    reduction="sum") / len(rows)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
        return m, mean, sd

    t, _, (m, mean, sd) = median_time(fit, a.runs)
    emit(NAMES[0], impl, t, a.runs,
         f"{n}x{g} -> 128 -> {k}, batch 64, {a.epochs} epoch(s), standardisation included")

    def predict():
        m.eval()
        with torch.no_grad():
            x = torch.from_numpy(x_np)
            out = [torch.softmax(m((x[s:s + 2048] - mean) / sd), dim=1) for s in range(0, n, 2048)]
            return torch.cat(out)

    t, _, _ = median_time(predict, a.runs)
    emit(NAMES[1], impl, t, a.runs, f"{n} samples, chunks of 2,048")


if __name__ == "__main__":
    main()
