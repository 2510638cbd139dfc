//! Gene annotation tables: any bytes give an annotation or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = rnameta_fuzz::scratch_file(data, "tsv");
    let _ = rnameta_io::annotation::read_gene_table(&path);
});
