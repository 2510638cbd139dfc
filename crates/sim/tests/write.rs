//! Written files read back by `rnameta-io` equal the in-memory cohort; every project has the files
//! recount3's `locate_url()` lists; same seed, same bytes; the shipped configs are the presets.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use rnameta_core::{DataSource, Dataset, SampleMeta};
use rnameta_io::recount3::{
    apply_sample_meta, read_gene_sums, read_homes_index, read_metadata_table, sample_meta,
    ProjectTable, Recount3Table,
};
use rnameta_io::{archs4::Archs4Reader, gct, gtex, gtf, metasra};
use rnameta_sim::output::{
    as_archs4, progress_bar, write_cohort, Layout, PRED_COLUMNS, SEQ_QC_COLUMNS,
};
use rnameta_sim::truth::read_truth;
use rnameta_sim::{genesets, Preset, SimConfig, SourceCohort};

/// The labels rnameta reads: id, source, study, run, experiment, tissue, sex, sample source.
fn labels(s: &SampleMeta) -> String {
    format!(
        "{} {} {:?} {:?} {:?} {:?} {:?} {:?}",
        s.sample_id, s.data_source, s.study, s.run, s.experiment, s.tissue, s.sex, s.sample_source
    )
}

/// Reads every recount3 project of a source back into one dataset in the cohort's row order.
fn read_recount3(
    layout: &Layout,
    cohort: &SourceCohort,
    source: DataSource,
    metasra: Option<&metasra::MetaSra>,
) -> Dataset {
    let own = match source {
        DataSource::Gtex => Recount3Table::Gtex,
        DataSource::Tcga => Recount3Table::Tcga,
        _ => Recount3Table::Sra,
    };
    let mut projects: Vec<String> = Vec::new();
    for s in cohort.dataset.samples() {
        let p = s.study.clone().unwrap();
        if !projects.contains(&p) {
            projects.push(p);
        }
    }
    let mut rows: BTreeMap<String, (Vec<f32>, SampleMeta)> = BTreeMap::new();
    let mut genes = None;
    for project in &projects {
        let sums = read_gene_sums(&layout.gene_sums(source, project)).unwrap();
        let qc = read_metadata_table(&layout.metadata(source, Recount3Table::RecountQc, project))
            .unwrap();
        let mut counts = sums.read_counts(&qc, false).unwrap();
        let table = read_metadata_table(&layout.metadata(source, own, project)).unwrap();
        let records = sample_meta(&table, source).unwrap();
        assert!(apply_sample_meta(counts.samples_mut(), &records).is_empty());
        if let Some(m) = metasra {
            metasra::fill_sample_metas(counts.samples_mut(), m, &genesets::tissue_terms());
        }
        for (i, s) in counts.samples().iter().enumerate() {
            rows.insert(
                s.sample_id.clone(),
                (counts.counts().row(i).to_vec(), s.clone()),
            );
        }
        genes = Some(counts.genes().clone());
    }
    let order: Vec<&SampleMeta> = cohort.dataset.samples().iter().collect();
    let genes = genes.unwrap();
    let mut matrix = ndarray::Array2::<f32>::zeros((order.len(), genes.len()));
    let mut metas = Vec::new();
    for (i, s) in order.iter().enumerate() {
        let (values, meta) = &rows[&s.sample_id];
        matrix.row_mut(i).assign(&ndarray::ArrayView1::from(values));
        metas.push(meta.clone());
    }
    Dataset::new(matrix, genes, metas).unwrap()
}

#[test]
fn written_files_read_back_as_the_in_memory_cohort() {
    let sim = simulator(tiny(42));
    let cohort = sim.cohort().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = write_cohort(&sim, dir.path(), &progress_bar(0, false)).unwrap();
    assert_eq!(summary.samples["gtex"], cohort.gtex.dataset.n_samples());
    let layout = Layout::new(dir.path());

    // Gene GTF: ids, symbols, chromosomes, biotypes and both lengths come back.
    let from_gtf = gtf::read_gene_annotation(&layout.gtf()).unwrap();
    assert_eq!(&from_gtf, sim.universe().annotation());

    let meta_sra = metasra::read_metasra(&layout.metasra()).unwrap();
    for (src, source, m) in [
        (&cohort.gtex, DataSource::Gtex, None),
        (&cohort.tcga, DataSource::Tcga, None),
        (&cohort.sra, DataSource::Sra, Some(&meta_sra)),
    ] {
        let back = read_recount3(&layout, src, source, m);
        assert_eq!(back.counts(), src.dataset.counts(), "{source} counts");
        let ids: Vec<&str> = back.genes().ids().collect();
        assert_eq!(ids, src.dataset.genes().ids().collect::<Vec<_>>());
        for (a, b) in back.samples().iter().zip(src.dataset.samples()) {
            assert_eq!(labels(a), labels(b), "{source}");
            for key in ["study_title", "study_abstract", "sample_acc"] {
                assert_eq!(a.attributes.get(key), b.attributes.get(key));
            }
        }
    }

    // GTEx GCT + attribute tables.
    let mut g = gct::read(&layout.gtex_gct(), DataSource::Gtex).unwrap();
    assert_eq!(g.counts(), cohort.gtex.dataset.counts());
    let attrs = gtex::read_sample_attributes(&layout.gtex_sample_attributes()).unwrap();
    let pheno = gtex::read_subject_phenotypes(&layout.gtex_subject_phenotypes()).unwrap();
    let report = gtex::fill_sample_meta(g.samples_mut(), &attrs, &pheno).unwrap();
    assert!(report.is_complete(), "{report:?}");
    for (a, b) in g.samples().iter().zip(cohort.gtex.dataset.samples()) {
        assert_eq!(
            (&a.sample_id, &a.tissue, a.sex),
            (&b.sample_id, &b.tissue, b.sex)
        );
    }

    // ARCHS4: the SRA samples as GEO samples.
    let reader = Archs4Reader::open(layout.archs4()).unwrap();
    let a4 = reader.read_all().unwrap();
    let expected = as_archs4(&cohort.sra.dataset).unwrap();
    assert_eq!(a4.counts(), expected.counts());
    for (a, b) in a4.samples().iter().zip(expected.samples()) {
        assert_eq!(
            (&a.sample_id, &a.study, &a.tissue, a.sex, a.sample_source),
            (&b.sample_id, &b.study, &b.tissue, b.sex, b.sample_source)
        );
    }

    // Truth.
    let truth = read_truth(&layout.truth()).unwrap();
    let expected: Vec<_> = [&cohort.gtex, &cohort.tcga, &cohort.sra]
        .iter()
        .flat_map(|c| c.truth.clone())
        .collect();
    assert_eq!(truth, expected);
    let config = SimConfig::from_json_file(&layout.config()).unwrap();
    assert_eq!(&config, sim.config());
}

/// The path of a project's file under the mirror's root, built as the recount3 R package's
/// `locate_url()` builds its URL (LieberInstitute/recount3, `R/locate_url.R`):
/// `<organism>/<project_home>/<metadata|gene_sums>/<last 2 chars>/<project>/<src>.<tag>.<project><ext>`.
fn locate_url(src: &str, kind: &str, project: &str, tag: &str, ext: &str) -> String {
    let shard = &project[project.len() - 2..];
    format!("human/data_sources/{src}/{kind}/{shard}/{project}/{src}.{tag}.{project}{ext}")
}

#[test]
fn every_project_has_the_five_tables_and_gene_sums_where_locate_url_puts_them() {
    let sim = simulator(tiny(42));
    let dir = tempfile::tempdir().unwrap();
    let summary = write_cohort(&sim, dir.path(), &progress_bar(0, false)).unwrap();
    let mirror = dir.path().join("recount3");
    let homes = read_homes_index(&mirror.join("human/homes_index")).unwrap();
    assert_eq!(
        homes,
        ["data_sources/gtex", "data_sources/tcga", "data_sources/sra"]
    );
    let mut projects = 0;
    for src in ["gtex", "tcga", "sra"] {
        let table = ProjectTable::read(&mirror.join(format!(
            "human/data_sources/{src}/metadata/{src}.recount_project.MD.gz"
        )))
        .unwrap();
        assert!(!table.projects().is_empty(), "{src}: no project");
        for project in table.projects() {
            let p = project.project.as_str();
            let gene_sums = mirror.join(locate_url(src, "gene_sums", p, "gene_sums", ".G026.gz"));
            assert!(gene_sums.is_file(), "{}", gene_sums.display());
            let mut keys = None;
            for tag in [
                src,
                "recount_project",
                "recount_qc",
                "recount_seq_qc",
                "recount_pred",
            ] {
                let path = mirror.join(locate_url(src, "metadata", p, tag, ".MD.gz"));
                let t = read_metadata_table(&path).unwrap_or_else(|e| panic!("{e}"));
                // Every table has one row per run of the project, keyed alike.
                let rows: Vec<Vec<String>> = t.rows().iter().map(|r| r[..3].to_vec()).collect();
                assert_eq!(&t.columns()[..3], ["rail_id", "external_id", "study"]);
                let runs: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
                assert_eq!(runs, project.runs, "{}", path.display());
                match &keys {
                    None => keys = Some(rows),
                    Some(k) => assert_eq!(k, &rows, "{}", path.display()),
                }
                let layout: Option<&[&str]> = match tag {
                    "recount_seq_qc" => Some(&SEQ_QC_COLUMNS),
                    "recount_pred" => Some(&PRED_COLUMNS),
                    _ => None,
                };
                if let Some(columns) = layout {
                    assert_eq!(&t.columns()[3..], columns, "{}", path.display());
                }
            }
            // The sequence QC agrees with the gene sums' read length (recount_qc's
            // average mapped length) and its percentages add up.
            let qc = read_metadata_table(&mirror.join(locate_url(
                src,
                "metadata",
                p,
                "recount_qc",
                ".MD.gz",
            )))
            .unwrap();
            let seq_qc = read_metadata_table(&mirror.join(locate_url(
                src,
                "metadata",
                p,
                "recount_seq_qc",
                ".MD.gz",
            )))
            .unwrap();
            let length = qc.require_column("star.average_mapped_length").unwrap();
            for row in 0..seq_qc.n_rows() {
                let get = |name: &str| seq_qc.get_by_name(row, name).unwrap().to_owned();
                assert_eq!(get("max_len"), qc.get(row, length).unwrap());
                let percent: f64 = ["%A", "%C", "%G", "%T", "%N"]
                    .iter()
                    .map(|c| get(c).parse::<f64>().unwrap())
                    .sum();
                assert!((percent - 100.0).abs() < 0.3, "{percent}");
                assert!(get("#bases").parse::<u64>().unwrap() > 0);
            }
            projects += 1;
        }
    }
    assert_eq!(projects, summary.projects);
}

fn file_bytes(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn same_seed_same_bytes_and_another_seed_other_data() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    for dir in &dirs {
        let sim = simulator(tiny(5));
        write_cohort(&sim, dir.path(), &progress_bar(0, false)).unwrap();
    }
    let [a, b] = [0, 1].map(|i| file_bytes(dirs[i].path()));
    assert!(a.len() > 100, "{} files", a.len());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(
            b[path] == *bytes,
            "{} differs between two runs with one seed",
            path.display()
        );
    }
    // Another seed: other counts and other samples, on the same genes (the universe has its own
    // seed). Compared in memory, which is what the files hold (see the round-trip test).
    let (five, six) = (simulator(tiny(5)), simulator(tiny(6)));
    let (x, y) = (five.cohort().unwrap(), six.cohort().unwrap());
    assert_eq!(five.universe(), six.universe());
    assert_ne!(x.gtex.dataset.counts(), y.gtex.dataset.counts());
    assert_ne!(x.sra.truth, y.sra.truth);
    assert_ne!(x.sra.dataset.n_samples(), 0);
}

#[test]
fn shipped_configs_are_the_presets() {
    for preset in Preset::ALL {
        let path = fixture(&format!("sim/{}.json", preset.name()));
        let shipped = SimConfig::from_json_file(&path).unwrap();
        assert_eq!(
            shipped,
            SimConfig::preset(preset),
            "{} differs from the preset",
            path.display()
        );
    }
}

#[test]
fn a_bad_config_file_names_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    let mut config = SimConfig::preset(Preset::Tiny);
    config.tcga.normal_share = 2.0;
    std::fs::write(&path, config.to_json()).unwrap();
    let msg = SimConfig::from_json_file(&path).unwrap_err().to_string();
    assert!(msg.contains("tcga.normal_share"), "{msg}");
    std::fs::write(&path, "{\"seed\": 1,").unwrap();
    let msg = SimConfig::from_json_file(&path).unwrap_err().to_string();
    assert!(msg.contains("bad.json") && msg.contains("line 1"), "{msg}");
}

#[test]
fn the_archs4_preset_streams_blocks_into_one_file() {
    // The archs4 preset's layout at a small size: 700 samples in blocks of 256.
    let mut config = SimConfig::preset(Preset::Archs4);
    config.universe = SimConfig::preset(Preset::Tiny).universe;
    config.archs4.samples = 700;
    config.archs4.block_samples = 256;
    let sim = simulator(config);
    let blocks: Vec<usize> = sim
        .archs4_blocks()
        .map(|b| b.unwrap().dataset.n_samples())
        .collect();
    assert_eq!(blocks.iter().sum::<usize>(), 700);
    assert!(blocks.iter().all(|&n| n >= 1), "{blocks:?}");
    let dir = tempfile::tempdir().unwrap();
    let summary = write_cohort(&sim, dir.path(), &progress_bar(0, false)).unwrap();
    assert_eq!(summary.samples["archs4"], 700);
    let layout = Layout::new(dir.path());
    let reader = Archs4Reader::open(layout.archs4()).unwrap();
    assert_eq!(
        (reader.n_samples(), reader.n_genes()),
        (700, sim.universe().len())
    );
    let truth = read_truth(&layout.truth()).unwrap();
    assert_eq!(truth.len(), 700);
    let samples = reader.samples().unwrap();
    let ids: Vec<&str> = samples.iter().map(|s| s.sample_id.as_str()).collect();
    assert_eq!(
        ids,
        truth
            .iter()
            .map(|t| t.sample_id.as_str())
            .collect::<Vec<_>>()
    );
    // The first block read back equals the first block generated.
    let first = sim.archs4_blocks().next().unwrap().unwrap();
    let rows: Vec<usize> = (0..first.dataset.n_samples()).collect();
    assert_eq!(
        reader.read_samples(&rows).unwrap().counts(),
        first.dataset.counts()
    );
}
