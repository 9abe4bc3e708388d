//! The README's evaluation table: every labeled set in the repository on one half, method and
//! plain BM25 side by side, plus all sets pooled (one report over every set's outcomes).
//!
//!     cargo run --release --example eval_report -- [even|odd]   (default: odd, the held-out half)
//!
//! The real-questionnaire set is included when ../shared/questionnaires is present.

use std::path::PathBuf;

use trustfill::eval::{Outcome, Report, evaluate, evaluate_bm25, read_labels, report, rows};
use trustfill::index::KbIndex;
use trustfill::kb::{Audience, KnowledgeBase};

fn main() {
    let half = std::env::args().nth(1).unwrap_or_else(|| "odd".into());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/questionnaires");
    let mut sets = vec![
        (
            "shipped KB",
            root.join("fixtures/eval/shipped-kb-labels.csv"),
            root.join("knowledge-base"),
            None,
        ),
        (
            "second library",
            root.join("fixtures/eval/company-b/labels.csv"),
            root.join("fixtures/eval/company-b"),
            None,
        ),
    ];
    if shared.is_dir() {
        sets.push((
            "real questionnaires",
            root.join("fixtures/eval/real-questionnaires.csv"),
            root.join("knowledge-base"),
            Some(shared),
        ));
    } else {
        eprintln!(
            "note: {} is absent; leaving out the real-questionnaire set",
            shared.display()
        );
    }
    println!(
        "| {half} half | top-1 (BM25) | recall@3 (BM25) | ECE (BM25) | AUROC (BM25) | precision at ≥ 70 (coverage) | coverage at 90% / 95% precision (BM25) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let (mut all, mut all_bm25): (Vec<Outcome>, Vec<Outcome>) = (Vec::new(), Vec::new());
    for (name, labels, kb, sources) in &sets {
        let labels = read_labels(labels, sources.as_deref()).expect("labels");
        let labels = rows(labels, if half == "even" { "even" } else { "odd" });
        let (index, _) = KbIndex::open(kb).expect("knowledge base");
        let method = evaluate(&index, &labels, Audience::Internal).expect("evaluate");
        let kb = KnowledgeBase::load(kb).expect("knowledge base");
        let bm25 = evaluate_bm25(&kb, &labels, Audience::Internal).expect("evaluate");
        row(
            &format!("{name}, {} questions", labels.len()),
            &method,
            &bm25,
        );
        all.extend(method.outcomes);
        all_bm25.extend(bm25.outcomes);
    }
    let n = all.len();
    let pooled = report(all);
    row(
        &format!("all pooled, {n} questions"),
        &pooled,
        &report(all_bm25),
    );
    println!();
    println!("pooled precision (coverage) by threshold:");
    for t in pooled
        .thresholds
        .iter()
        .filter(|t| (40..=90).contains(&t.threshold))
    {
        println!(
            "  ≥ {:>3}: {:.2} ({:.0}%)",
            t.threshold,
            t.precision,
            t.coverage * 100.0
        );
    }
}

fn row(name: &str, m: &Report, b: &Report) {
    let at70 = |r: &Report| {
        r.thresholds
            .iter()
            .find(|t| t.threshold == 70)
            .map(|t| (t.precision, t.coverage))
            .unwrap_or((1.0, 0.0))
    };
    let (p70, c70) = at70(m);
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    println!(
        "| {name} | {:.3} ({:.3}) | {:.3} ({:.3}) | {:.3} ({:.3}) | {:.3} ({:.3}) | {:.2} ({}) | {} / {} ({} / {}) |",
        m.top1,
        b.top1,
        m.recall_at_3,
        b.recall_at_3,
        m.ece,
        b.ece,
        m.auroc,
        b.auroc,
        p70,
        pct(c70),
        pct(m.coverage_at_90.0),
        pct(m.coverage_at_95.0),
        pct(b.coverage_at_90.0),
        pct(b.coverage_at_95.0),
    );
}
