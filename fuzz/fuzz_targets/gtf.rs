//! GTF: any bytes give a gene annotation or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = rnameta_io::gtf::parse_attributes(text);
    }
    let path = rnameta_fuzz::scratch_file(data, "gtf");
    let _ = rnameta_io::gtf::read_gene_annotation(&path);
});
