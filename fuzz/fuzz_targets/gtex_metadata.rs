//! GTEx SampleAttributesDS and SubjectPhenotypesDS: any bytes give a table or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rnameta_io::gtex;

fuzz_target!(|data: &[u8]| {
    let path = rnameta_fuzz::scratch_file(data, "txt");
    let attributes = gtex::read_sample_attributes(&path);
    let phenotypes = gtex::read_subject_phenotypes(&path);
    if let (Ok(a), Ok(p)) = (attributes, phenotypes) {
        let mut samples = vec![rnameta_core::SampleMeta::new("GTEX-1-2", rnameta_core::DataSource::Gtex)];
        let _ = gtex::fill_sample_meta(&mut samples, &a, &p);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = gtex::subject_id(text);
        let _ = gtex::parse_sex_code(text);
    }
});
