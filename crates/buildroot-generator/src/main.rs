//! buildroot-generator: which binary packages must exist to build these
//! sources, and everything needed to build those, to a fixed point.
//! A thin binary over `buildroot_core::generator` (`args.rs`, the options
//! and help; `request.rs`, the options as the library's request and the
//! combinations refused; `progress.rs`, the terminal display).

mod args;
mod progress;
mod request;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use buildroot_core::buildroot::Progress;
use buildroot_core::generator::{self, Answer, Observer, Outcome, Timings, Weight};
use buildroot_core::pkglist::{write_list, Stdout};
use buildroot_core::rpmmd;

use args::Args;

// Loading metadata makes millions of small allocations; mimalloc makes
// them (and freeing them) markedly cheaper than glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for this process. mimalloc asks for
/// them on its arenas, and then every first touch of a sparsely used 2 MiB
/// region is zeroed whole: on the Fedora-scale benchmark that was ≈25 MB
/// more peak RSS and most of the load's system time (kernel page clearing).
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag of this process; the
    // call has no memory effects and its failure changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    no_huge_pages();
    buildroot_core::cli::init_trace();
    buildroot_core::cli::main("buildroot-generator", |args: Args| run(&args))
}

fn run(args: &Args) -> Result<u8> {
    // Before anything reads the repo files (their warnings too).
    args.quiet.apply();
    // Progress (downloads, the fixed point) only for a person at a terminal.
    let terminal = !args.quiet.quiet && std::io::stderr().is_terminal();
    let request = request::request(args, terminal)?;
    let stderr = Stderr::new(&args.target.arch, terminal);
    let outcome = generator::run(&request, &stderr)?;
    print(args, outcome)
}

/// Where the run's lines go: above the progress display at a terminal,
/// else straight to stderr.
struct Stderr {
    arch: String,
    display: Option<Arc<progress::Display>>,
}

impl Stderr {
    /// With a display at a terminal, which the downloads report to, and
    /// the repositories' warnings go above.
    fn new(arch: &str, terminal: bool) -> Stderr {
        let display = terminal.then(progress::Display::new);
        if let Some(d) = &display {
            rpmmd::set_download_observer(Some(d.clone()));
            let d = d.clone();
            rpmmd::set_warning_handler(Some(Arc::new(move |kind: &str, m: &str| {
                let kind = rpmmd::kind_label(kind);
                d.println(&format!("buildroot-generator: {kind}: {m}"))
            })));
        }
        Stderr {
            arch: arch.to_string(),
            display,
        }
    }
}

impl Observer for Stderr {
    fn say(&self, kind: &str, msg: &str) {
        match &self.display {
            Some(d) => d.println(&format!("buildroot-generator: {kind}: {msg}")),
            None => buildroot_core::diag!("buildroot-generator: {kind}: {msg}"),
        }
    }

    fn progress(&self, p: &Progress) {
        if let Some(d) = &self.display {
            d.fixed_point(p);
        }
    }

    fn fixed_point_done(&self) {
        if let Some(d) = &self.display {
            d.finish();
            rpmmd::set_download_observer(None);
            rpmmd::set_warning_handler(None);
        }
    }

    fn timings(&self, t: &Timings) {
        buildroot_core::diag!("{}", t.line(&self.arch));
    }
}

/// Prints the answer on stdout (and `--why`'s note, `--compare`'s lines on
/// stderr); returns the exit code.
fn print(args: &Args, outcome: Outcome) -> Result<u8> {
    let Outcome { code, answer } = outcome;
    let mut out = Stdout::lock();
    match answer {
        Answer::WhyJson(doc) => {
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Answer::Why(answer) => {
            // The note is part of the answer (what the query is instead, or
            // that the chain is another version's), so -q does not hide it.
            if let Some(line) = &answer.line {
                writeln!(out, "{line}")?;
                out.flush()?;
            }
            if let Some(note) = &answer.note {
                let kind = if code == 0 { "note: " } else { "" };
                buildroot_core::diag!("buildroot-generator: {kind}{note}");
            }
            return Ok(code);
        }
        Answer::Compare(report) if args.json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Answer::Compare(report) => {
            let text = generator::compare_text(&report, args.print().key());
            for (weight, kind, line) in text.said {
                // Said on a terminal too: the what-if's answer, not a log
                // line; -q hides the notes, not the answer.
                if weight == Weight::Answer || !args.quiet.quiet {
                    buildroot_core::diag!("buildroot-generator: {kind}: {line}");
                }
            }
            // In the text's order (by name), not write_list's.
            for line in text.lines {
                writeln!(out, "{line}")?;
            }
        }
        Answer::Report(report) => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Answer::List(list) => write_list(&mut out, list)?,
    }
    out.flush()?;
    Ok(code)
}
