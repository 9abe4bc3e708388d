//! Re-fits the confidence model (`trustfill::matcher::WEIGHTS`) on the tuning half of a labeled
//! set: logistic regression, by gradient descent with a little L2, of "the best approved answer
//! is right" on the matcher's features. Prints the constant to paste into src/matcher.rs.
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
use trustfill::matcher::{FEATURES, MatchOptions, Matcher, features};

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
    let opts = MatchOptions {
        audience: Audience::Internal,
        top: 6,
    };
    let mut xs: Vec<[f32; 11]> = Vec::new();
    let mut ys: Vec<f32> = Vec::new();
    for (labels, kb, sources) in &sets {
        let labels = trustfill::eval::read_labels(labels, sources.as_deref()).expect("labels");
        let (index, _) = KbIndex::open(kb).expect("knowledge base");
        let mut matcher = Matcher::new(&index);
        for l in trustfill::eval::rows(labels, "even") {
            let found = matcher.find(&l.question, &opts).expect("match");
            // No candidate at all: confidence 0 whatever the weights.
            if let Some(c) = found.iter().find(|c| c.entry.kind == EntryKind::Answer) {
                xs.push(features(&c.signals));
                ys.push(f32::from(u8::from(l.expected.contains(&c.entry.id))));
            }
        }
    }
    // quality is built from query and entry coverage; fitting all three on ~90 questions gives
    // collinear, sign-flipping weights. Those two are left out (weight 0).
    const USED: [bool; 11] = [
        true, false, false, true, true, true, true, true, true, true, true,
    ];
    let n = xs.len() as f32;
    let mut w = [0.0f32; 12];
    let (rate, l2) = (0.5f32, 0.002f32);
    for _ in 0..20_000 {
        let mut grad = [0.0f32; 12];
        for (x, y) in xs.iter().zip(&ys) {
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
    let positives = ys.iter().filter(|y| **y > 0.5).count();
    eprintln!(
        "fitted on {} tuning questions ({positives} right, {} wrong)",
        xs.len(),
        xs.len() - positives
    );
    for (name, weight) in FEATURES.iter().zip(&w[1..]) {
        eprintln!("  {name:<17} {weight:+.3}");
    }
    let shown: Vec<String> = w.iter().map(|v| format!("{v:.3}")).collect();
    println!("pub const WEIGHTS: [f32; 12] = [{}];", shown.join(", "));
}
