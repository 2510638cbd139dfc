//! Criterion benchmarks of rnameta; see `benches/`.
