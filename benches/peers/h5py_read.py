"""Peer of the ARCHS4 reads of benches/benches/io.rs: h5py reading the same HDF5 file
(`data/expression`, genes x samples uint32, chunks of 2,048 genes x 64 samples, gzip level 4)
into a samples x genes float32 matrix, whole and in chunks of 1,024 samples.

    python benches/peers/h5py_read.py [--runs 5]
"""

import argparse
import glob

from common import data, emit, import_or_report, median_time

NAMES = ["archs4_read_all/h5py", "archs4_stream_1024/h5py"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    h5py = import_or_report("h5py", NAMES, "h5py")
    import numpy as np

    path = sorted(glob.glob(data("archs4_*.h5")))[0]
    impl = f"h5py {h5py.__version__} (HDF5 {h5py.version.hdf5_version})"

    def read_all():
        with h5py.File(path, "r") as f:
            return np.ascontiguousarray(f["data/expression"][:].T, dtype=np.float32)

    def stream():
        total = 0
        with h5py.File(path, "r") as f:
            ds = f["data/expression"]
            n = ds.shape[1]
            for s in range(0, n, 1024):
                block = np.ascontiguousarray(ds[:, s:s + 1024].T, dtype=np.float32)
                total += block.shape[0]
        return total

    t, _, x = median_time(read_all, a.runs)
    shape = f"{x.shape[0]}x{x.shape[1]}"
    emit(NAMES[0], impl, t, a.runs, shape)
    t, _, _ = median_time(stream, a.runs)
    emit(NAMES[1], impl, t, a.runs, shape)


if __name__ == "__main__":
    main()
