//! recount3 gene sums: any bytes give gene sums or an error; what reads converts without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = rnameta_fuzz::scratch_file(data, "gene_sums");
    if let Ok(sums) = rnameta_io::recount3::read_gene_sums(&path) {
        let _ = sums.to_dataset();
    }
});
