//! Dumps every candidate's signals for labeled sets, as JSON lines, for ranking experiments.
//!     cargo run --release --example dump_signals -- LABELS KB [SOURCES] > out.jsonl
use std::path::PathBuf;
use trustfill::index::KbIndex;
use trustfill::kb::{Audience, EntryKind};
use trustfill::matcher::{MatchOptions, Matcher};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let labels = PathBuf::from(&args[0]);
    let kb = PathBuf::from(&args[1]);
    let sources = args.get(2).map(PathBuf::from);
    let labels = trustfill::eval::read_labels(&labels, sources.as_deref()).expect("labels");
    let (index, _) = KbIndex::open(&kb).expect("kb");
    let mut m = Matcher::new(&index);
    let opts = MatchOptions {
        audience: Audience::Internal,
        top: 20,
    };
    for (i, l) in labels.iter().enumerate() {
        let found = m.find(&l.question, &opts).expect("find");
        let cands: Vec<serde_json::Value> = found
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.entry.id, "answer": c.entry.kind == EntryKind::Answer,
                    "confidence": c.confidence.percent(), "polarity": c.polarity.is_some(),
                    "signals": c.signals,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({"row": i, "question": l.question, "expected": l.expected, "cands": cands})
        );
    }
}
