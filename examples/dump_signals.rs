//! Dumps every candidate's signals for the labeled sets, as JSON lines, for ranking and
//! calibration experiments outside the code: one line per question with its set, row, expected
//! ids and up to 20 candidates (id, whether an answer, confidence, polarity, signals).
//!
//!     cargo run --release --example dump_signals -- [--model DIR] [--warm-only] > out.jsonl
//!     cargo run --release --example dump_signals -- [--model DIR] LABELS KB [SOURCES] > out.jsonl
//!
//! Without LABELS, every labeled set of the repository and (unless --warm-only) its cold
//! library (see examples/support), both halves (`row` is the data row: even rows tune).

#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;

use trustfill::kb::{Audience, EntryKind};
use trustfill::matcher::{MatchOptions, Matcher};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let model = support::model(&mut args);
    let warm_only = support::flag(&mut args, "--warm-only");
    let sets = if args.is_empty() {
        support::sets(!warm_only)
    } else {
        vec![support::Set {
            name: args[0].clone(),
            labels: PathBuf::from(&args[0]),
            kb: PathBuf::from(&args[1]),
            sources: args.get(2).map(PathBuf::from),
        }]
    };
    let opts = MatchOptions {
        audience: Audience::Internal,
        top: 20,
        review_age: None,
    };
    for set in &sets {
        let labels =
            trustfill::eval::read_labels(&set.labels, set.sources.as_deref()).expect("labels");
        let index = support::open(&set.kb, model.as_ref());
        let mut m = Matcher::new(&index);
        for (i, l) in labels.iter().enumerate() {
            let found = m.find(&l.question, &opts).expect("find");
            let cands: Vec<serde_json::Value> = found
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.entry.id, "answer": c.entry.kind == EntryKind::Answer,
                        "confidence": c.confidence.percent(), "model": c.model.percent(),
                        "polarity": c.polarity().is_some(),
                        "caveats": c.caveats.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>(),
                        "signals": c.signals,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::json!({"set": set.name, "row": i, "question": l.question, "expected": l.expected, "cands": cands})
            );
        }
    }
}
