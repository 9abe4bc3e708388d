//! Re-fits the confidence model (`trustfill::matcher::WEIGHTS`, or `WEIGHTS_SEMANTIC` with a
//! model) on the tuning half of the labeled sets: logistic regression, by gradient descent with
//! a little L2, of "the best approved answer is right" on the matcher's features. Prints the
//! constant to paste into src/matcher/confidence.rs.
//!
//! Candidates are ordered by confidence, so which one is "the best" depends on the weights being
//! fitted. The fit therefore repeats (pick each question's best under the current weights, fit,
//! pick again) until the picks stop changing: the result does not depend on the weights compiled
//! in, and a second run prints the same constant.
//!
//!     cargo run --release --example fit_confidence -- [--model DIR] [--warm-only | --cold-only]
//!         [--leave-out NAME]
//!
//! The sets are the repository's labeled sets and their cold libraries (see examples/support),
//! so that confidence is calibrated for a first library without variants as much as for a
//! grown one. The tuning half is the even data rows (0, 2, 4, …) of each; `eval_report odd`
//! reports on the other half. With `--model`, the semantic features are fitted too, for
//! `WEIGHTS_SEMANTIC`; without, they are left at 0.

#[path = "support/mod.rs"]
mod support;

use trustfill::kb::{Audience, EntryKind};
use trustfill::matcher::{
    FEATURES, MatchOptions, Matcher, N_FEATURES, Signals, confidence_with, features,
};

type Weights = [f32; N_FEATURES + 1];

/// One candidate as the fit sees it.
struct Seen {
    signals: Signals,
    polarity: bool,
    right: bool,
}

/// Index of the best candidate under `w`, as the matcher orders them: highest confidence, the
/// rank breaking ties.
fn best(w: &Weights, cands: &[Seen]) -> usize {
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

/// Every labeled question of `sets` (the `half` of their rows) with its answer candidates as
/// the fit sees them; questions without a candidate are left out (confidence 0 whatever the
/// weights).
fn seen_questions(
    sets: &[support::Set],
    model: Option<&std::sync::Arc<dyn trustfill::encoder::Embedder>>,
    half: &str,
) -> Vec<Vec<Seen>> {
    // Deep enough that the compiled weights' ordering does not decide which candidates are seen.
    let opts = MatchOptions {
        audience: Audience::Internal,
        top: 20,
        review_age: None,
    };
    let mut questions: Vec<Vec<Seen>> = Vec::new();
    for set in sets {
        let labels =
            trustfill::eval::read_labels(&set.labels, set.sources.as_deref()).expect("labels");
        let index = support::open(&set.kb, model);
        let mut matcher = Matcher::new(&index);
        for l in trustfill::eval::rows(labels, half) {
            let found = matcher.find(&l.question, &opts).expect("match");
            let seen: Vec<Seen> = found
                .iter()
                .filter(|c| c.entry.kind == EntryKind::Answer)
                .map(|c| Seen {
                    signals: c.signals,
                    // Capped candidates (a polarity clash, a follow-up, a question the entry
                    // does not answer as asked) never win a pick.
                    polarity: c.polarity().is_some()
                        || c.incomplete().is_some()
                        || c.caveats.iter().any(|k| k.narrows()),
                    right: l.expected.contains(&c.entry.id),
                })
                .collect();
            questions.push(seen);
        }
    }
    questions
}

/// Precision and coverage at 70 and the calibration error of `w` on `questions` (every one,
/// including those without a candidate), as `trustfill eval` computes them.
fn validate(w: &Weights, questions: &[Vec<Seen>]) -> String {
    let mut drafted = 0;
    let mut right_drafted = 0;
    let mut bins = [(0.0f64, 0.0f64, 0usize); 10];
    for q in questions {
        let (conf, right) = if q.is_empty() {
            (0u8, false)
        } else {
            let i = best(w, q);
            (
                confidence_with(w, &q[i].signals, q[i].polarity).percent(),
                q[i].right,
            )
        };
        if conf >= 70 {
            drafted += 1;
            right_drafted += usize::from(right);
        }
        let b = usize::from(conf / 10).min(9);
        bins[b].0 += f64::from(conf) / 100.0;
        bins[b].1 += f64::from(u8::from(right));
        bins[b].2 += 1;
    }
    let n = questions.len() as f64;
    let ece: f64 = bins
        .iter()
        .filter(|b| b.2 > 0)
        .map(|b| (b.0 - b.1).abs() / n)
        .sum();
    format!(
        "{} questions: precision at 70 {:.3} covering {:.1}% ({drafted} drafted), ECE {ece:.3}",
        questions.len(),
        if drafted == 0 {
            1.0
        } else {
            right_drafted as f64 / drafted as f64
        },
        100.0 * drafted as f64 / n
    )
}

/// Whether the set `name` is among the `|`-separated prefixes of `--leave-out`.
fn left_out(prefixes: &str, name: &str) -> bool {
    prefixes.split('|').any(|p| name.starts_with(p))
}

/// Mean negative log-likelihood of the labels under `w`.
fn log_loss(w: &Weights, xs: &[[f32; N_FEATURES]], ys: &[f32]) -> f32 {
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

/// Logistic regression by gradient descent over the features marked `used`. quality is built
/// from query and entry coverage; fitting all three on a few hundred questions gives collinear,
/// sign-flipping weights, so those two are left out (weight 0).
fn fit(xs: &[[f32; N_FEATURES]], ys: &[f32], used: &[bool; N_FEATURES]) -> Weights {
    let n = xs.len() as f32;
    let mut w = [0.0f32; N_FEATURES + 1];
    let (rate, l2) = (0.5f32, 0.002f32);
    for _ in 0..20_000 {
        let mut grad = [0.0f32; N_FEATURES + 1];
        for (x, y) in xs.iter().zip(ys) {
            let z = w[0] + x.iter().zip(&w[1..]).map(|(a, b)| a * b).sum::<f32>();
            let err = 1.0 / (1.0 + (-z).exp()) - y;
            grad[0] += err;
            for k in 0..N_FEATURES {
                if used[k] {
                    grad[k + 1] += err * x[k];
                }
            }
        }
        for k in 0..=N_FEATURES {
            let reg = if k == 0 { 0.0 } else { l2 * w[k] };
            w[k] -= rate * (grad[k] / n + reg);
        }
    }
    w
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let model = support::model(&mut args);
    let warm_only = support::flag(&mut args, "--warm-only");
    let cold_only = support::flag(&mut args, "--cold-only");
    // `--leave-out NAME[|NAME…]`: fit without the sets whose name starts with a NAME (one library:
    // the shipped KB answers both "shipped KB" and "real questionnaires"), then validate on them.
    let leave_out = args.iter().position(|a| a == "--leave-out").map(|i| {
        args.remove(i);
        args.remove(i)
    });
    let sets: Vec<support::Set> = support::sets(!warm_only)
        .into_iter()
        .filter(|s| !s.name.starts_with("held out"))
        .filter(|s| !cold_only || s.name.ends_with(", cold"))
        .filter(|s| leave_out.as_ref().is_none_or(|l| !left_out(l, &s.name)))
        .collect();
    eprintln!(
        "fitting on: {}",
        sets.iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    );
    let semantic = model.is_some();
    let mut used = [true; N_FEATURES];
    used[1] = false; // query_coverage: inside quality
    used[2] = false; // entry_coverage: inside quality
    used[11..].fill(semantic);
    let all_questions = seen_questions(&sets, model.as_ref(), "even");
    let questions: Vec<Vec<Seen>> = all_questions
        .into_iter()
        .filter(|q| !q.is_empty())
        .collect();
    // Start from the ordering by rank alone (all weights 0 tie every confidence), then pick,
    // fit and pick again until the picks come back to ones already fitted: a fixed point, or a
    // short cycle of a few questions swapping, of which the fit with the lowest log loss is kept.
    let mut w: Weights = [0.0f32; N_FEATURES + 1];
    let mut picks: Vec<usize> = questions.iter().map(|q| best(&w, q)).collect();
    let mut history: Vec<(Vec<usize>, Weights, f32)> = Vec::new();
    let cycle_start = loop {
        if let Some(i) = history.iter().position(|(p, ..)| *p == picks) {
            break i;
        }
        let xs: Vec<[f32; N_FEATURES]> = questions
            .iter()
            .zip(&picks)
            .map(|(q, &i)| features(&q[i].signals))
            .collect();
        let ys: Vec<f32> = questions
            .iter()
            .zip(&picks)
            .map(|(q, &i)| f32::from(u8::from(q[i].right)))
            .collect();
        w = fit(&xs, &ys, &used);
        let loss = log_loss(&w, &xs, &ys);
        history.push((picks, w, loss));
        picks = questions.iter().map(|q| best(&w, q)).collect();
        if history.len() > 40 {
            break history.len() - 1;
        }
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
    let name = if semantic {
        "WEIGHTS_SEMANTIC"
    } else {
        "WEIGHTS"
    };
    println!(
        "pub const {name}: [f32; N_FEATURES + 1] = [{}];",
        shown.join(", ")
    );
    // Leave one library out: the weights fitted without it, on every row of it.
    if let Some(left) = &leave_out {
        let held: Vec<support::Set> = support::sets(!warm_only)
            .into_iter()
            .filter(|s| !cold_only || s.name.ends_with(", cold") || s.name.starts_with("held out"))
            .filter(|s| left_out(left, &s.name))
            .collect();
        let names: Vec<&str> = held.iter().map(|s| s.name.as_str()).collect();
        let held_questions = seen_questions(&held, model.as_ref(), "all");
        eprintln!(
            "left out {}: {}",
            names.join("; "),
            validate(w, &held_questions)
        );
    }
}
