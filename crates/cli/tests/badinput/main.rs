//! The bad-input sweep: `rnameta` run the way a careful new user would run it on damaged, unusual
//! or out-of-range input, every outcome classified.
//!
//! Each case builds its inputs in a folder of its own, runs the binary once and is judged:
//!
//! | outcome | meaning |
//! |---|---|
//! | ok | what the case expects: a refusal with one `error:` line naming what is wrong and what to do, exit 1 (2 for bad usage), nothing left behind; or an answer that passes the case's check |
//! | wrong answer | exit 0 where a refusal was expected, or an answer the check rejects |
//! | partial | the command failed but left files (outputs, temporaries) behind |
//! | crash | a panic, a signal, or no end within the case's time limit (a hang) |
//! | unclear | refused, but not with the expected exit code or a message holding what the user needs |
//!
//! Adding a case: write a `Case` in the area module it belongs to (`inputs.rs`, `bundle.rs`, ...)
//! and list it in that module's `cases()`. A case is a name, a `run` function that writes its inputs
//! under `ctx.dir` and returns the arguments, and what it expects.
//!
//! `cargo test -p rnameta-cli --test badinput` runs the sweep (filters work as for any test);
//! `RNAMETA_BIN=/path/to/rnameta` runs it against another build of the binary (to count outcomes
//! before and after a change). The last lines printed count the cases by outcome.

mod support;

mod annotate;
mod bundle;
mod convert;
mod fetch;
mod inputs;
mod plan;
mod rank_genes;
mod simulate;
mod train;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Failed, Trial};

pub use support::Ctx;

/// One invocation of `rnameta` on bad input, and what a careful user should get.
pub struct Case {
    /// `area/what`, unique: the test's name. Issue-numbered cases start with `NN-`.
    pub name: &'static str,
    /// Writes the inputs under `ctx.dir` and says how to run rnameta on them.
    pub run: fn(&Ctx) -> Run,
    /// What the command should do.
    pub expect: Expect,
}

/// How to run the binary for one case.
pub struct Run {
    /// The arguments after `rnameta`.
    pub args: Vec<OsString>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// Kept alive while rnameta runs (a loopback server, say), dropped after.
    pub guard: Option<Box<dyn std::any::Any>>,
    /// Send this signal (`"INT"`, `"TERM"`) once the delay has passed, as a user pressing
    /// Ctrl-C would.
    pub signal_after: Option<(&'static str, Duration)>,
    /// A run still going after this long is a hang (a crash outcome).
    pub timeout: Duration,
}

impl Run {
    /// `rnameta ARGS`, with the default time limit of 60 s.
    pub fn new<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        Self {
            args: args.into_iter().map(Into::into).collect(),
            env: Vec::new(),
            guard: None,
            signal_after: None,
            timeout: Duration::from_secs(60),
        }
    }

    /// Adds one argument (a path, say).
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Sets an environment variable for the run.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Keeps `guard` alive until the run has ended.
    pub fn guard(mut self, guard: impl std::any::Any) -> Self {
        self.guard = Some(Box::new(guard));
        self
    }

    /// Sends `signal` after `delay`.
    pub fn signal_after(mut self, signal: &'static str, delay: Duration) -> Self {
        self.signal_after = Some((signal, delay));
        self
    }

    /// Sets the time after which the run counts as a hang.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// What a case expects of the command.
pub enum Expect {
    /// Exit `code`, one `error:` line on standard error holding every needle (clap's usage errors,
    /// exit 2, add their usage lines), and no file created in the case folder.
    Refused {
        /// The exit code: 1 for a failed command, 2 for bad usage, 130 / 143 after SIGINT / SIGTERM.
        code: i32,
        /// Strings the error line must hold (the file, the line, what to do).
        needles: &'static [&'static str],
    },
    /// As [`Expect::Refused`], with `check` judging the error line (what needles cannot say:
    /// that a text appears once, say).
    RefusedSaying {
        /// The exit code.
        code: i32,
        /// Reads the error line; `Err` says what is wrong with it.
        check: fn(&str) -> Result<(), String>,
    },
    /// Exit 0, and `check` finds nothing wrong with what was written.
    Answers {
        /// Reads the outputs; `Err` says what is wrong with them.
        check: fn(&Ctx, &Finished) -> Result<(), String>,
    },
}

/// A run that has ended.
pub struct Finished {
    /// The exit code (`None`: ended by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// How a case came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// As expected.
    Ok,
    /// Exit 0 with a wrong output, or a refusal expected and an answer given.
    WrongAnswer,
    /// Failed, leaving files behind.
    Partial,
    /// A panic, a signal or a hang.
    Crash,
    /// Refused without the expected code or message.
    Unclear,
}

impl Outcome {
    fn name(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::WrongAnswer => "wrong answer",
            Self::Partial => "partial",
            Self::Crash => "crash",
            Self::Unclear => "unclear",
        }
    }
}

/// Every case of every area.
fn all_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend(inputs::cases());
    cases.extend(train::cases());
    cases.extend(annotate::cases());
    cases.extend(bundle::cases());
    cases.extend(rank_genes::cases());
    cases.extend(simulate::cases());
    cases.extend(fetch::cases());
    cases.extend(plan::cases());
    cases.extend(convert::cases());
    cases
}

/// Outcomes of the cases run, for the summary.
static OUTCOMES: Mutex<Vec<(&'static str, Outcome)>> = Mutex::new(Vec::new());

fn main() {
    let args = Arguments::from_args();
    let cases = all_cases();
    let mut names = BTreeSet::new();
    for c in &cases {
        assert!(names.insert(c.name), "two cases are named {}", c.name);
    }
    let trials = cases
        .into_iter()
        .map(|case| {
            let name = case.name;
            Trial::test(name, move || {
                let (outcome, why) = judge(&case);
                OUTCOMES
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((name, outcome));
                match outcome {
                    Outcome::Ok => Ok(()),
                    other => Err(Failed::from(format!("{}: {why}", other.name()))),
                }
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    let outcomes = OUTCOMES.lock().unwrap_or_else(|e| e.into_inner());
    if !outcomes.is_empty() {
        let mut counts = std::collections::BTreeMap::new();
        for (_, o) in outcomes.iter() {
            *counts.entry(*o).or_insert(0usize) += 1;
        }
        let line: Vec<String> = counts
            .iter()
            .map(|(o, n)| format!("{}: {n}", o.name()))
            .collect();
        println!(
            "bad-input sweep: {} cases; {}",
            outcomes.len(),
            line.join(", ")
        );
    }
    conclusion.exit();
}

/// The binary under test: `RNAMETA_BIN`, else the one cargo built with these tests.
fn binary() -> PathBuf {
    std::env::var_os("RNAMETA_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_rnameta")))
}

/// Runs one case and classifies the outcome, with what went wrong.
fn judge(case: &Case) -> (Outcome, String) {
    let ctx = Ctx::new(case.name);
    let run = (case.run)(&ctx);
    let before = support::tree(&ctx.dir);
    let finished = match execute(&run, &ctx.dir) {
        Ok(f) => f,
        Err(hang) => return (Outcome::Crash, hang),
    };
    drop(run.guard);
    let after = support::tree(&ctx.dir);
    let created: Vec<&PathBuf> = after.iter().filter(|p| !before.contains(p)).collect();
    let temporaries: Vec<&&PathBuf> = created
        .iter()
        .filter(|p| support::is_temporary(p))
        .collect();
    let text = format!(
        "exit {:?}\n--- stderr\n{}--- stdout (first 2,000 bytes)\n{}",
        finished.code,
        finished.stderr,
        &finished.stdout[..finished.stdout.len().min(2000)]
    );
    if finished.code.is_none()
        || finished.code == Some(101)
        || finished.stderr.contains("panicked at")
    {
        return (Outcome::Crash, text);
    }
    match &case.expect {
        Expect::Refused { .. } | Expect::RefusedSaying { .. } => {
            let (code, needles, check): (i32, &[&str], _) = match &case.expect {
                Expect::Refused { code, needles } => (*code, needles, None),
                Expect::RefusedSaying { code, check } => (*code, &[], Some(check)),
                Expect::Answers { .. } => unreachable!("matched above"),
            };
            if finished.code == Some(0) {
                return (Outcome::WrongAnswer, format!("expected a refusal\n{text}"));
            }
            if !created.is_empty() {
                return (
                    Outcome::Partial,
                    format!("left behind: {created:?}\n{text}"),
                );
            }
            if finished.code != Some(code) {
                return (Outcome::Unclear, format!("expected exit {code}\n{text}"));
            }
            let line = match support::one_error_line(&finished.stderr, code, needles) {
                Ok(line) => line,
                Err(why) => return (Outcome::Unclear, format!("{why}\n{text}")),
            };
            if let Some(Err(why)) = check.map(|c| c(&line)) {
                return (Outcome::Unclear, format!("{why}\n{text}"));
            }
            (Outcome::Ok, String::new())
        }
        Expect::Answers { check } => {
            if finished.code != Some(0) {
                if !created.is_empty() {
                    return (
                        Outcome::Partial,
                        format!("left behind: {created:?}\n{text}"),
                    );
                }
                return (Outcome::Unclear, format!("expected an answer\n{text}"));
            }
            if !temporaries.is_empty() {
                return (
                    Outcome::Partial,
                    format!("temporaries left: {temporaries:?}\n{text}"),
                );
            }
            match check(&ctx, &finished) {
                Ok(()) => (Outcome::Ok, String::new()),
                Err(why) => (Outcome::WrongAnswer, format!("{why}\n{text}")),
            }
        }
    }
}

/// Runs the binary in `dir` with the run's arguments; `Err` when it had to be killed (a hang).
fn execute(run: &Run, dir: &Path) -> Result<Finished, String> {
    let mut command = Command::new(binary());
    command
        .args(&run.args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &run.env {
        command.env(k, v);
    }
    let mut child = command.spawn().map_err(|e| format!("cannot start: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || support::read_all(stdout));
    let err_reader = std::thread::spawn(move || support::read_all(stderr));
    let started = Instant::now();
    let mut signalled = false;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if let Some((signal, delay)) = run.signal_after {
            if !signalled && started.elapsed() >= delay {
                signalled = true;
                support::send_signal(child.id(), signal);
            }
        }
        if started.elapsed() > run.timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "no end after {:.0} s (killed): a hang",
                run.timeout.as_secs_f64()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok(Finished {
        code: status.code(),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}
