//! Progress: a bar on a terminal, plain periodic lines otherwise, or nothing.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown (on standard error).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProgressMode {
    /// A bar when standard error is a terminal, plain lines otherwise.
    #[default]
    Auto,
    /// Always a bar.
    Bar,
    /// A plain line every ten seconds.
    Plain,
    /// Nothing.
    Off,
}

enum Shown {
    Bar(ProgressBar),
    Plain { last: Instant },
    Off,
}

/// The progress of one run.
pub struct Progress {
    shown: Shown,
    total: u64,
    start: Instant,
}

const PLAIN_EVERY: Duration = Duration::from_secs(10);

impl Progress {
    /// Starts progress over `total` input bytes.
    pub fn new(mode: ProgressMode, total: u64) -> Progress {
        let mode = match mode {
            ProgressMode::Auto if std::io::stderr().is_terminal() => ProgressMode::Bar,
            ProgressMode::Auto => ProgressMode::Plain,
            m => m,
        };
        let shown = match mode {
            ProgressMode::Bar => {
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {percent:>3}% {binary_bytes}/{binary_total_bytes} {msg}",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                Shown::Bar(bar)
            }
            ProgressMode::Plain => Shown::Plain {
                last: Instant::now(),
            },
            _ => Shown::Off,
        };
        Progress {
            shown,
            total,
            start: Instant::now(),
        }
    }

    /// Reports bytes read, subjects and rows done.
    pub fn update(&mut self, bytes: u64, subjects: u64, rows: u64) {
        match &mut self.shown {
            Shown::Bar(bar) => {
                bar.set_position(bytes.min(self.total));
                bar.set_message(format!("{subjects} subjects, {rows} rows"));
            }
            Shown::Plain { last } => {
                if last.elapsed() >= PLAIN_EVERY {
                    *last = Instant::now();
                    let secs = self.start.elapsed().as_secs_f64().max(1e-9);
                    let pct = if self.total > 0 {
                        bytes as f64 * 100.0 / self.total as f64
                    } else {
                        0.0
                    };
                    eprintln!(
                        "recist batch: {pct:.1} % read, {subjects} subjects, {rows} rows, {:.0} rows/s",
                        rows as f64 / secs
                    );
                }
            }
            Shown::Off => {}
        }
    }

    /// Says the reading starts over in memory.
    pub fn restart(&mut self, why: &str) {
        match &self.shown {
            Shown::Bar(bar) => {
                bar.println(format!("recist batch: {why}"));
                bar.set_position(0);
            }
            Shown::Plain { .. } => eprintln!("recist batch: {why}"),
            Shown::Off => {}
        }
    }

    /// Ends the bar.
    pub fn finish(&mut self) {
        if let Shown::Bar(bar) = &self.shown {
            bar.finish_and_clear();
        }
    }
}
