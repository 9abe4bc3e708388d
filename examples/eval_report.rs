//! The README's evaluation table: every labeled set in the repository on one half, method and
//! plain BM25 side by side, plus all sets pooled (one report over every set's outcomes).
//!
//!     cargo run --release --example eval_report -- [even|odd] [--cold | --one-column |
//!         --statements] [--model DIR]
//!
//! Default: the odd (held-out) half, warm libraries only, words only. `--cold` adds each set's
//! cold library (variants stripped, imported with `kb import`; see examples/support);
//! `--one-column` reports the cold libraries alone, each kept as one column of prose answers
//! (answer and comment in one cell, no tags, as many teams export theirs); `--statements` the
//! same with a bare "Yes" left out ("All customer data is encrypted …"); `--model`
//! (or `TRUSTFILL_MODEL`) evaluates with semantic matching. The real-questionnaire set is
//! included when ../shared/questionnaires is present.

#[path = "support/mod.rs"]
mod support;

use trustfill::eval::Report;
use trustfill::eval::{Outcome, evaluate, evaluate_bm25, read_labels, report, rows};
use trustfill::kb::{Audience, KnowledgeBase};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let model = support::model(&mut args);
    let cold = support::flag(&mut args, "--cold");
    let one_column = support::flag(&mut args, "--one-column");
    let statements = support::flag(&mut args, "--statements");
    let half = args.first().cloned().unwrap_or_else(|| "odd".into());
    let sets = if statements {
        support::one_column(support::sets(true), support::Style::Statements)
    } else if one_column {
        support::one_column(support::sets(true), support::Style::OneColumn)
    } else {
        support::sets(cold)
    };
    println!(
        "| {half} half | top-1 (BM25) | recall@3 (BM25) | ECE (BM25) | AUROC (BM25) | precision at ≥ 70 (coverage) | coverage at 90% / 95% precision (BM25) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let (mut all, mut all_bm25): (Vec<Outcome>, Vec<Outcome>) = (Vec::new(), Vec::new());
    for set in &sets {
        let (name, kb) = (&set.name, &set.kb);
        let labels = read_labels(&set.labels, set.sources.as_deref()).expect("labels");
        let labels = rows(labels, if half == "even" { "even" } else { "odd" });
        let index = support::open(kb, model.as_ref());
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
