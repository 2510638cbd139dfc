//! Gene id tables: any bytes give a table or an error, and any id a lookup answer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(map) = rnameta_io::gene_ids::GeneIdMap::parse(data, std::path::Path::new("fuzz.tsv"))
    {
        for id in String::from_utf8_lossy(data).split(['\t', '\n', ',']) {
            let _ = map.to_ensembl(id);
        }
    }
});
