//! Converts a genes x samples count TSV plus a sample label table into an ARCHS4 v2 HDF5 file.
//!
//! ```sh
//! cargo run -p rnameta-io --example archs4_write -- COUNTS.tsv.gz LABELS.tsv OUT.h5
//! ```
//! The labels table's sex / tissue / sample-source columns become `characteristics_ch1`.

use std::path::PathBuf;

use rnameta_io::archs4::{self, WriteOptions};
use rnameta_io::tsv::{self, MatrixOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [counts, labels, out] = args.as_slice() else {
        return Err("usage: archs4_write COUNTS.tsv LABELS.tsv OUT.h5".into());
    };
    let mut data = tsv::read_matrix(counts, MatrixOptions::genes_in_rows())?;
    let table = tsv::read_label_table(labels)?;
    let report = tsv::apply_labels(data.samples_mut(), &table);
    if !report.missing_samples.is_empty() {
        eprintln!("{} samples have no label row", report.missing_samples.len());
    }
    archs4::write(out, &data, &WriteOptions::default())?;
    println!(
        "wrote {} samples x {} genes to {}",
        data.n_samples(),
        data.n_genes(),
        out.display()
    );
    Ok(())
}
