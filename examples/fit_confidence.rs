//! Re-fits the confidence model (`trustfill::matcher::WEIGHTS`) on the tuning half of a labeled
//! set: logistic regression, by gradient descent with a little L2, of "the best approved answer
//! is right" on the matcher's features. Prints the constant to paste into src/matcher.rs.
//!
//! Candidates are ordered by confidence, so which one is "the best" depends on the weights being
//! fitted. The fit therefore repeats (pick each question's best under the current weights, fit,
//! pick again) until the picks stop changing: the result does not depend on the weights compiled
//! in, and a second run prints the same constant.
//!
//!     cargo run --release --example fit_confidence [LABELS.csv KB_DIR]...
//!
//! Default: the labeled sets in the repository, the shipped knowledge base's
//! (fixtures/eval/shipped-kb-labels.csv with knowledge-base), the second example company's
//! (fixtures/eval/company-b/labels.csv with fixtures/eval/company-b) and, when
//! ../shared/questionnaires is present, real questionnaires' questions labeled by cell
//! (fixtures/eval/real-questionnaires.csv). The tuning half is the even data rows (0, 2, 4, …)
//! of each; `trustfill eval --rows odd` reports on the other half.

use std::path::PathBuf;

use trustfill::index::KbIndex;
use trustfill::kb::{Audience, EntryKind};
use trustfill::matcher::{FEATURES, MatchOptions, Matcher, Signals, confidence_with, features};

/// One candidate as the fit sees it.
struct Seen {
    signals: Signals,
    polarity: bool,
    right: bool,
}

/// Index of the best candidate under `w`, as the matcher orders them: highest confidence, the
/// rank breaking ties.
fn best(w: &[f32; 12], cands: &[Seen]) -> usize {
    let key = |c: &Seen| (confidence_with(w, &c.signals, c.polarity), c.signals.rank);
    let mut best = 0;
    for (i, c) in cands.iter().enumerate().skip(1) {
        let (a, b) = (key(c), key(&cands[best]));
        if a.0 > b.0 || (a.0 == b.0 && a.1 > b.1) {
            best = i;
        }
    }
    best
}

/// Mean negative log-likelihood of the labels under `w`.
fn log_loss(w: &[f32; 12], xs: &[[f32; 11]], ys: &[f32]) -> f32 {
    let total: f32 = xs
        .iter()
        .zip(ys)
        .map(|(x, y)| {
            let z = w[0] + x.iter().zip(&w[1..]).map(|(a, b)| a * b).sum::<f32>();
            let p = (1.0 / (1.0 + (-z).exp())).clamp(1e-6, 1.0 - 1e-6);
            -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
        })
        .sum();
    total / xs.len() as f32
}

/// Logistic regression by gradient descent. quality is built from query and entry coverage;
/// fitting all three on a few hundred questions gives collinear, sign-flipping weights, so those
/// two are left out (weight 0).
fn fit(xs: &[[f32; 11]], ys: &[f32]) -> [f32; 12] {
    const USED: [bool; 11] = [
        true, false, false, true, true, true, true, true, true, true, true,
    ];
    let n = xs.len() as f32;
    let mut w = [0.0f32; 12];
    let (rate, l2) = (0.5f32, 0.002f32);
    for _ in 0..20_000 {
        let mut grad = [0.0f32; 12];
        for (x, y) in xs.iter().zip(ys) {
            let z = w[0] + x.iter().zip(&w[1..]).map(|(a, b)| a * b).sum::<f32>();
            let err = 1.0 / (1.0 + (-z).exp()) - y;
            grad[0] += err;
            for k in 0..11 {
                if USED[k] {
                    grad[k + 1] += err * x[k];
                }
            }
        }
        for k in 0..12 {
            let reg = if k == 0 { 0.0 } else { l2 * w[k] };
            w[k] -= rate * (grad[k] / n + reg);
        }
    }
    w
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sets: Vec<(PathBuf, PathBuf, Option<PathBuf>)> = if args.is_empty() {
        let mut sets = vec![
            (
                root.join("fixtures/eval/shipped-kb-labels.csv"),
                root.join("knowledge-base"),
                None,
            ),
            (
                root.join("fixtures/eval/company-b/labels.csv"),
                root.join("fixtures/eval/company-b"),
                None,
            ),
        ];
        // Real questionnaires' questions, labeled by cell: only where they are present.
        let shared = root.join("../shared/questionnaires");
        if shared.is_dir() {
            sets.push((
                root.join("fixtures/eval/real-questionnaires.csv"),
                root.join("knowledge-base"),
                Some(shared),
            ));
        } else {
            eprintln!(
                "note: {} is absent; fitting without the real-questionnaire set",
                shared.display()
            );
        }
        sets
    } else {
        args.chunks(2)
            .map(|p| {
                (
                    PathBuf::from(&p[0]),
                    PathBuf::from(p.get(1).expect("LABELS KB pairs")),
                    None,
                )
            })
            .collect()
    };
    // Deep enough that the compiled weights' ordering does not decide which candidates are seen.
    let opts = MatchOptions {
        audience: Audience::Internal,
        top: 20,
    };
    let mut questions: Vec<Vec<Seen>> = Vec::new();
    for (labels, kb, sources) in &sets {
        let labels = trustfill::eval::read_labels(labels, sources.as_deref()).expect("labels");
        let (index, _) = KbIndex::open(kb).expect("knowledge base");
        let mut matcher = Matcher::new(&index);
        for l in trustfill::eval::rows(labels, "even") {
            let found = matcher.find(&l.question, &opts).expect("match");
            let seen: Vec<Seen> = found
                .iter()
                .filter(|c| c.entry.kind == EntryKind::Answer)
                .map(|c| Seen {
                    signals: c.signals,
                    polarity: c.polarity.is_some(),
                    right: l.expected.contains(&c.entry.id),
                })
                .collect();
            // No candidate at all: confidence 0 whatever the weights.
            if !seen.is_empty() {
                questions.push(seen);
            }
        }
    }
    // Start from the ordering by rank alone (all weights 0 tie every confidence), then pick,
    // fit and pick again until the picks come back to ones already fitted: a fixed point, or a
    // short cycle of a few questions swapping, of which the fit with the lowest log loss is kept.
    let mut w = [0.0f32; 12];
    let mut picks: Vec<usize> = questions.iter().map(|q| best(&w, q)).collect();
    let mut history: Vec<(Vec<usize>, [f32; 12], f32)> = Vec::new();
    let cycle_start = loop {
        if let Some(i) = history.iter().position(|(p, ..)| *p == picks) {
            break i;
        }
        let xs: Vec<[f32; 11]> = questions
            .iter()
            .zip(&picks)
            .map(|(q, &i)| features(&q[i].signals))
            .collect();
        let ys: Vec<f32> = questions
            .iter()
            .zip(&picks)
            .map(|(q, &i)| f32::from(u8::from(q[i].right)))
            .collect();
        w = fit(&xs, &ys);
        let loss = log_loss(&w, &xs, &ys);
        history.push((picks, w, loss));
        picks = questions.iter().map(|q| best(&w, q)).collect();
    };
    let cycle = &history[cycle_start..];
    let (picks, w, _) = cycle
        .iter()
        .min_by(|a, b| a.2.total_cmp(&b.2))
        .expect("at least one fit");
    let right = questions
        .iter()
        .zip(picks)
        .filter(|(q, i)| q[**i].right)
        .count();
    eprintln!(
        "fitted on {} tuning questions ({right} right, {} wrong) in {} rounds{}",
        questions.len(),
        questions.len() - right,
        history.len(),
        if cycle.len() > 1 {
            format!(
                " (the last {} alternate; kept the lowest log loss)",
                cycle.len()
            )
        } else {
            String::new()
        }
    );
    for (name, weight) in FEATURES.iter().zip(&w[1..]) {
        eprintln!("  {name:<17} {weight:+.3}");
    }
    let shown: Vec<String> = w.iter().map(|v| format!("{v:.3}")).collect();
    println!("pub const WEIGHTS: [f32; 12] = [{}];", shown.join(", "));
}
