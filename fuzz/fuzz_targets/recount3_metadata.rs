//! recount3 metadata tables and `sample_attributes`: any bytes give samples or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rnameta_core::DataSource;
use rnameta_io::recount3;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = recount3::parse_sample_attributes(text);
    }
    let path = rnameta_fuzz::scratch_file(data, "MD");
    if let Ok(table) = recount3::read_metadata_table(&path) {
        for source in [DataSource::Sra, DataSource::Gtex, DataSource::Tcga] {
            let _ = recount3::sample_meta(&table, source);
        }
    }
});
