#!/usr/bin/env Rscript
# Peer of the LIN benchmarks of benches/benches/lin.rs: the published LIN, phenopredict's own R code
# (leekgroup/phenopredict, GPL-2, not copied here: its R/aaa_utils.R, R/build_predictor.R,
# R/test_predictor.R and R/optimize_numRegions.R are sourced from a checkout, unchanged), with
# limma and quadprog, on the same matrix rnameta's benchmark fits: `lin_x.npy` (5,000 samples x
# 2,000 genes, float32) and `lin_y.npy` (16 classes), written by benches/examples/bench_data.rs.
#
# - lin_fit/phenopredict: optimize_numRegions over phenopredict's candidates (10, 20, 30, 60, 80,
#   100, 150, 200 genes per class; what `Lin::fit` searches by default), then build_predictor at the
#   chosen number: what `Lin::fit` does;
# - lin_predict/phenopredict: test_predictor's labels of the 5,000 samples (projectCellType, a
#   quadprog projection per sample): what `Lin::predict_proba` does.
#
# Each line's detail compares phenopredict's result with rnameta's on the same matrix
# (`lin_ours_*` files that bench_data writes with LinParams::default()): the chosen number, the
# selected genes, the largest coefficient difference on shared genes and the predictions.
#
#   Rscript benches/peers/phenopredict.R [--runs 1]
# with $RNAMETA_PHENOPREDICT the checkout (default target/phenopredict) and $RNAMETA_BENCH_DATA
# the workloads (default target/bench-data). Prints the JSON lines of benches/peers/common.py.

args <- commandArgs(trailingOnly = TRUE)
runs <- 1
if (length(args) >= 2 && args[1] == "--runs") runs <- as.integer(args[2])
here <- tryCatch(dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE)))),
                 error = function(e) ".")
root <- normalizePath(file.path(here, "..", ".."))
data <- Sys.getenv("RNAMETA_BENCH_DATA", file.path(root, "target", "bench-data"))
checkout <- Sys.getenv("RNAMETA_PHENOPREDICT", file.path(root, "target", "phenopredict"))
names <- c("lin_fit/phenopredict", "lin_predict/phenopredict")

json_string <- function(s) paste0('"', gsub('"', '\\\\"', gsub("\\\\", "\\\\\\\\", s)), '"')
unavailable <- function(impl, reason) {
  for (n in names) {
    cat(sprintf('{"name": %s, "impl": %s, "unavailable": %s}\n', json_string(n), json_string(impl),
                json_string(reason)))
  }
  quit(status = 0)
}
emit <- function(name, impl, seconds, runs, detail) {
  cat(sprintf('{"name": %s, "impl": %s, "seconds": %.6f, "runs": %d, "detail": %s}\n',
              json_string(name), json_string(impl), seconds, runs, json_string(detail)))
}

for (p in c("limma", "quadprog", "GenomicRanges")) {
  if (!requireNamespace(p, quietly = TRUE)) {
    unavailable("phenopredict (R)", paste0("R package ", p, " missing: apt-get install r-base-core ",
                                          "r-bioc-limma r-cran-quadprog r-bioc-genomicranges"))
  }
}
sources <- file.path(checkout, "R", c("aaa_utils.R", "build_predictor.R", "test_predictor.R",
                                      "optimize_numRegions.R"))
if (!all(file.exists(sources))) {
  unavailable("phenopredict (R)", paste0("no phenopredict checkout at ", checkout, ": git clone ",
                                          "https://github.com/leekgroup/phenopredict there or set ",
                                          "RNAMETA_PHENOPREDICT"))
}
suppressMessages({
  library(limma)
  library(quadprog)
  library(GenomicRanges)
})
for (f in sources) source(f)
impl <- sprintf("phenopredict %s (R %s, limma %s, quadprog %s)",
                tryCatch(system2("git", c("-C", checkout, "rev-parse", "--short", "HEAD"),
                                 stdout = TRUE, stderr = FALSE), error = function(e) "checkout",
                         warning = function(w) "checkout"),
                paste(R.version$major, R.version$minor, sep = "."),
                as.character(packageVersion("limma")), as.character(packageVersion("quadprog")))

# A little-endian C-order .npy array (format 1.0 or 2.0) of float32 or int64.
read_npy <- function(path) {
  con <- file(path, "rb")
  on.exit(close(con))
  magic <- readBin(con, "raw", 6)
  version <- readBin(con, "integer", 1, size = 1)
  readBin(con, "integer", 1, size = 1)
  header_len <- if (version == 1) readBin(con, "integer", 1, size = 2, signed = FALSE) else
    readBin(con, "integer", 1, size = 4)
  header <- rawToChar(readBin(con, "raw", header_len))
  shape <- as.integer(strsplit(gsub(".*'shape': \\(([0-9, ]*)\\).*", "\\1", header), ",\\s*")[[1]])
  shape <- shape[!is.na(shape)]
  n <- prod(shape)
  if (grepl("<f4", header, fixed = TRUE)) {
    v <- readBin(con, "double", n, size = 4)
  } else if (grepl("<i8", header, fixed = TRUE)) {
    # Two 32-bit halves, little end first; the values are small and non-negative.
    halves <- readBin(con, "integer", 2 * n, size = 4)
    v <- halves[seq(1, 2 * n, by = 2)]
  } else {
    stop(paste("unsupported dtype in", path))
  }
  if (length(shape) == 2) matrix(v, nrow = shape[1], ncol = shape[2], byrow = TRUE) else v
}

x <- read_npy(file.path(data, "lin_x.npy"))
y <- read_npy(file.path(data, "lin_y.npy"))
# phenopredict reads genes x samples; unnamed rows (build_predictor reads gene indices back from
# topTable's row names).
covmat <- t(x)
rownames(covmat) <- NULL
labels <- sprintf("c%02d", y)
pd <- data.frame(label = labels, stringsAsFactors = FALSE)
inputdata <- list(covmat = covmat,
                  regiondata = GRanges("chr1", IRanges(seq_len(nrow(covmat)), width = 1)))

fit <- function() {
  search <- optimize_numRegions(inputdata = inputdata, phenodata = pd, phenotype = "label",
                                type = "factor")
  predictor <- build_predictor(inputdata = inputdata, phenodata = pd, phenotype = "label",
                               type = "factor", numRegions = search$numRegions)
  list(search = search, predictor = predictor)
}
median_time <- function(f, runs) {
  times <- numeric(runs)
  for (i in seq_len(runs)) {
    t0 <- proc.time()[["elapsed"]]
    result <- f()
    times[i] <- proc.time()[["elapsed"]] - t0
  }
  list(seconds = median(times), result = result)
}

fitted <- median_time(fit, runs)
predictor <- fitted$result$predictor
chosen <- fitted$result$search$numRegions
predicted <- median_time(function() {
  test_predictor(inputdata = inputdata, phenodata = pd, phenotype = "label", type = "factor",
                 predictordata = predictor)$predicted
}, runs)

# rnameta's result on the same matrix (bench_data: LinParams::default()).
ours_chosen <- as.integer(readLines(file.path(data, "lin_ours_chosen.txt")))
ours_coef <- read.delim(file.path(data, "lin_ours_coef.tsv"), check.names = FALSE)
ours_predicted <- readLines(file.path(data, "lin_ours_predicted.txt"))
theirs_genes <- sort(predictor$trainingProbes) - 1  # 0-based, as rnameta's
shared <- intersect(theirs_genes, ours_coef$gene)
coef <- predictor$coefEsts
their_rows <- match(shared, predictor$trainingProbes - 1)
our_rows <- match(shared, ours_coef$gene)
coef_diff <- if (length(shared) > 0) {
  max(abs(as.matrix(coef[their_rows, colnames(coef), drop = FALSE]) -
            as.matrix(ours_coef[our_rows, colnames(coef), drop = FALSE])))
} else NA
agree <- sum(predicted$result == ours_predicted)
fit_detail <- sprintf(paste0("5000x2000, 16 classes: chose %d genes per class (rnameta %d); ",
                             "%d genes selected (rnameta %d, %d shared); largest coefficient ",
                             "difference on shared genes %.2g"),
                      chosen, ours_chosen, length(theirs_genes), nrow(ours_coef), length(shared),
                      coef_diff)
emit(names[1], impl, fitted$seconds, runs, fit_detail)
emit(names[2], impl, predicted$seconds, runs,
     sprintf("5000 samples: labels equal to rnameta's for %d of %d", agree, length(ours_predicted)))
