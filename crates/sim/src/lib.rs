//! Simulated cohorts (being written).
