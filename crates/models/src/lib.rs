//! Classifiers (being written).
