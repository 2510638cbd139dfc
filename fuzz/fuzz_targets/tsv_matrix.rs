//! Plain TSV/CSV matrices in both orientations, and label tables: any bytes give a dataset or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rnameta_io::numeric::ValuePolicy;
use rnameta_io::tsv::{self, MatrixOptions, Orientation};

fuzz_target!(|data: &[u8]| {
    let path = rnameta_fuzz::scratch_file(data, "tsv");
    for orientation in [Orientation::GenesInRows, Orientation::SamplesInRows] {
        for policy in [ValuePolicy::NonNegative, ValuePolicy::AnyFinite] {
            let options = MatrixOptions { orientation, policy, data_source: rnameta_core::DataSource::Other };
            if let Ok(dataset) = tsv::read_matrix(&path, options) {
                assert_eq!(dataset.counts().nrows(), dataset.n_samples());
            }
        }
    }
    if let Ok(table) = tsv::read_label_table(&path) {
        let mut samples = vec![rnameta_core::SampleMeta::new("a", rnameta_core::DataSource::Other)];
        let _ = tsv::apply_labels(&mut samples, &table);
    }
    let _ = rnameta_io::detect::detect(&path);
});
