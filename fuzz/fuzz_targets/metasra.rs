//! MetaSRA JSON: any bytes give annotations or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = rnameta_fuzz::scratch_file(data, "json");
    if let Ok(metasra) = rnameta_io::metasra::read_metasra(&path) {
        let mut samples = vec![rnameta_core::SampleMeta::new("SRS1", rnameta_core::DataSource::Sra)];
        let _ = rnameta_io::metasra::fill_sample_metas(&mut samples, &metasra, &Default::default());
    }
});
