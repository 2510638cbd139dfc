//! The library half of `cargo xtask`: the recipe of the built-in models (`builtin`), the
//! simulator's calibration on the LIN baseline (`calibrate`), the paper's experiments, so that the test suite can run
//! them in quick mode, and the tidy checks of the architecture's invariants (`tests/tidy.rs`). The
//! binary (`src/main.rs`) parses the command line.

pub mod builtin;
pub mod calibrate;
pub mod experiment;
pub mod tidy;
