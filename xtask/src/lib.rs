//! The library half of `cargo xtask`: the paper's experiments, so that the test suite can run
//! them in quick mode. The binary (`src/main.rs`) parses the command line.

pub mod experiment;
