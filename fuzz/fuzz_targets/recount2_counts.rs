//! recount2 gene count tables: any bytes give a dataset or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = rnameta_fuzz::scratch_file(data, "tsv");
    let _ = rnameta_io::recount2::read_counts_gene(&path);
});
