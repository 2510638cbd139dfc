//! GTEx GCT: any bytes give a dataset or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = rnameta_fuzz::scratch_file(data, "gct");
    if let Ok(dataset) = rnameta_io::gct::read(&path, rnameta_core::DataSource::Gtex) {
        assert_eq!(dataset.counts().ncols(), dataset.n_genes());
    }
});
