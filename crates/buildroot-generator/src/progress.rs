//! Progress for a person at a terminal (indicatif), drawn on stderr at most
//! four times a second (and once as each layer starts): one line per
//! download in flight (bytes, rate), and
//! the fixed point's current layer (sources resolved of those queued,
//! failures, elapsed, ETA). The library only reports (its download observer
//! and `run_with_progress`); this is the one place that draws. Used only
//! when stderr is a terminal and `-q` is not given; on one whose `TERM` is
//! dumb or unset indicatif draws nothing, and the lines still come.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the bars change (the draw target redraws at most 4 times a second too).
const EVERY: Duration = Duration::from_millis(250);

use buildroot_core::buildroot::Progress;
use buildroot_core::rpmmd::{DownloadEvent, DownloadObserver};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The terminal display.
pub struct Display {
    multi: MultiProgress,
    /// The current layer's number, bar, and when it was last updated.
    layer: Mutex<Option<(usize, ProgressBar, Instant)>>,
    downloads: Mutex<HashMap<String, ProgressBar>>,
}

impl Display {
    pub fn new() -> Arc<Display> {
        Display::drawing_on(ProgressDrawTarget::stderr_with_hz(4))
    }

    /// The display drawing on `target` (a recording terminal in the tests).
    fn drawing_on(target: ProgressDrawTarget) -> Arc<Display> {
        Arc::new(Display {
            multi: MultiProgress::with_draw_target(target),
            layer: Mutex::new(None),
            downloads: Mutex::new(HashMap::new()),
        })
    }

    /// A line above the bars.
    pub fn println(&self, line: &str) {
        let layer = self
            .layer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some();
        self.say(line, layer);
    }

    /// A line above the bars, `layer` telling whether the layer's bar is
    /// drawn. With no bar drawn the line goes straight to stderr: indicatif
    /// would write it without its newline, and pad it to its idea of the
    /// terminal's width, so the next line would follow on the same one.
    /// So it does where indicatif draws nothing (`TERM` dumb or unset), as
    /// there it would drop the line.
    fn say(&self, line: &str, layer: bool) {
        let downloads = !self
            .downloads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty();
        if (layer || downloads) && !self.multi.is_hidden() {
            let _ = self.multi.println(line);
        } else {
            eprintln!("{line}");
        }
    }

    /// Shows where the fixed point is (called from worker threads).
    pub fn fixed_point(&self, p: &Progress) {
        let mut cur = self.layer.lock().unwrap_or_else(|e| e.into_inner());
        if cur.as_ref().is_some_and(|(n, ..)| *n != p.layer) || p.queued == 0 {
            // The next layer starts (or the run ends) once this one is done.
            if let Some((n, bar, _)) = cur.take() {
                bar.finish_and_clear();
                self.multi.remove(&bar);
                let resolved = bar.length().unwrap_or(0);
                let sources = if resolved == 1 { "source" } else { "sources" };
                let line = format!(
                    "layer {n}: {resolved} {sources} resolved in {:.1} s ({} failed, {} in all so far)",
                    bar.elapsed().as_secs_f64(),
                    p.failed,
                    p.resolved
                );
                self.say(&line, false);
            }
        }
        if p.queued == 0 {
            return;
        }
        let (_, bar, last) = cur.get_or_insert_with(|| {
            // Hidden until added: nothing is drawn before it is set up.
            let bar = ProgressBar::with_draw_target(
                Some(p.queued as u64),
                ProgressDrawTarget::hidden(),
            );
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {pos}/{len} sources resolved, {msg}, {elapsed} (ETA {eta})",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix(format!("layer {}", p.layer));
            bar.set_message(format!("{} failed, {} in all", p.failed, p.resolved));
            let bar = self.multi.add(bar);
            // Drawn now, by this thread: a layer that ends before the ticker
            // thread first runs (milliseconds, or longer on a busy machine)
            // shows its bar too. Forced, as the rate limiter may have no
            // draw left after a run of short layers; and before the ticker
            // starts, as indicatif ignores tick() on a bar that has one.
            bar.force_draw();
            bar.enable_steady_tick(EVERY);
            (p.layer, bar, Instant::now())
        });
        // Thousands of updates a second arrive from the workers, in any
        // order: a few a second, the furthest, are shown.
        if last.elapsed() >= EVERY && p.layer_done as u64 >= bar.position() {
            *last = Instant::now();
            bar.set_position(p.layer_done as u64);
            bar.set_message(format!("{} failed, {} in all", p.failed, p.resolved));
        }
    }

    /// Clears whatever is still drawn.
    pub fn finish(&self) {
        for (_, bar) in self
            .downloads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
        {
            bar.finish_and_clear();
        }
        if let Some((_, bar, _)) = self.layer.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish_and_clear();
        }
    }

    fn download_bar(&self, url: &str, total: Option<u64>) -> ProgressBar {
        let mut bars = self.downloads.lock().unwrap_or_else(|e| e.into_inner());
        let bar = bars.entry(url.to_string()).or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg} {bytes}/{total_bytes} ({binary_bytes_per_sec}, {elapsed})",
                )
                .expect("a valid template"),
            );
            bar.set_message(short_name(url).to_string());
            self.multi.add(bar)
        });
        if let Some(t) = total {
            bar.set_length(t);
        }
        bar.clone()
    }
}

impl DownloadObserver for Display {
    fn event(&self, e: &DownloadEvent) {
        match *e {
            DownloadEvent::Attempt { url, from, total } => {
                self.download_bar(url, total).set_position(from);
            }
            DownloadEvent::Progress { url, bytes } => {
                self.download_bar(url, None).set_position(bytes);
            }
            DownloadEvent::Retrying {
                url,
                attempt,
                of,
                cause,
                wait,
            } => self.println(&format!(
                "{url}: {cause}; retrying in {:.1} s (attempt {} of {of})",
                wait.as_secs_f64(),
                attempt + 1
            )),
            DownloadEvent::Done { url, .. } => {
                let bar = self
                    .downloads
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(url);
                if let Some(bar) = bar {
                    bar.finish_and_clear();
                    self.multi.remove(&bar);
                }
            }
        }
    }
}

/// A URL's file name without repodata's checksum prefix.
fn short_name(url: &str) -> &str {
    let name = url.rsplit('/').next().unwrap_or(url);
    match name.split_once('-') {
        Some((sum, rest)) if sum.len() >= 32 && sum.bytes().all(|b| b.is_ascii_hexdigit()) => rest,
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::TermLike;

    /// A terminal that keeps everything written to it.
    #[derive(Debug, Clone, Default)]
    struct Recorder(Arc<Mutex<String>>);

    impl TermLike for Recorder {
        fn width(&self) -> u16 {
            120
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn progress(layer: usize, queued: usize, resolved: usize) -> Progress {
        Progress {
            layer,
            queued,
            layer_done: 0,
            resolved,
            failed: 0,
        }
    }

    #[test]
    fn a_layer_that_ends_at_once_still_showed_its_bar() {
        // More layers than the rate limiter's burst of draws, each over
        // before the ticker thread could draw it.
        let term = Recorder::default();
        let display = Display::drawing_on(ProgressDrawTarget::term_like_with_hz(
            Box::new(term.clone()),
            4,
        ));
        for layer in 0..30 {
            display.fixed_point(&progress(layer, 2, 2 * layer));
        }
        display.fixed_point(&progress(30, 0, 60));
        display.finish();
        let shown = term.0.lock().unwrap().clone();
        for layer in 0..30 {
            assert!(
                shown.contains(&format!("layer {layer} [")),
                "{layer}: {shown}"
            );
        }
    }
}
