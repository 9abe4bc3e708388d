//! Exact reuse, measured: harvest a completed questionnaire into a fresh knowledge base, blank
//! the answers of a completed questionnaire (the same one, or another), fill it from that
//! knowledge base, and compare every drafted answer with the vendor's own answer in that row.
//!
//!     cargo run --release --example reuse_check -- SOURCE.xlsx [TARGET.xlsx] [--model DIR]
//!
//! With TARGET the same as SOURCE (the default), every row should come back exact with the
//! vendor's answer. With another completed questionnaire (HECVAT Full → K-12CVAT, CAIQ → HECVAT
//! Full), it reports how often drafted Yes/No answers agree with what the target's vendor
//! answered, overall and at 90 or more. Nothing is written beside the inputs.

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};

use trustfill::container::{Edit, Purpose};
use trustfill::fill::{FillPlan, RowStatus, draft};
use trustfill::kb::Audience;
use trustfill::matcher::Reuse;
use trustfill::ops::harvest::harvest;
use trustfill::ops::import::ImportPlan;
use trustfill::questionnaire::Questionnaire;
use trustfill::text::class;

/// A copy of `path` in `dir` with every answer and comment cell emptied (formula cells stay).
fn blanked(path: &Path, dir: &Path) -> PathBuf {
    let q = Questionnaire::read(path, &Default::default(), &Default::default()).expect("reads");
    let mut edits: Vec<Edit> = Vec::new();
    for question in q.sheets.iter().flat_map(|s| &s.questions) {
        let mut cells = Vec::new();
        if !question.answer_is_formula {
            cells.push(&question.answer_cell);
        }
        if let Some(c) = question
            .comment_cell
            .as_ref()
            .filter(|_| !question.comment_is_formula)
        {
            cells.push(c);
        }
        edits.extend(cells.into_iter().map(|cell| Edit {
            cell: cell.clone(),
            text: String::new(),
            highlight: false,
            style_like: None,
        }));
    }
    let out = dir.join("blank.xlsx");
    q.container
        .write(
            &edits,
            Purpose::Final,
            &mut std::fs::File::create(&out).unwrap(),
        )
        .expect("blanks");
    out
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let model = support::model(&mut args);
    let source = PathBuf::from(&args[0]);
    let target = args.get(1).map_or_else(|| source.clone(), PathBuf::from);
    let work = tempfile::tempdir().unwrap();
    let kb = work.path().join("kb");
    let plan = ImportPlan {
        source: source.clone(),
        kb: kb.clone(),
        default_audience: Audience::Public,
        owner: None,
        name: None,
        limits: Default::default(),
        today: "2026-11-02".parse().unwrap(),
        reviewed: None,
        update: false,
        dry_run: false,
    };
    let harvested = harvest(&plan, false).expect("harvest");
    eprintln!(
        "harvested {} entries from {}",
        harvested.created.len(),
        source.display()
    );
    let input = blanked(&target, work.path());
    let index = support::open(&kb, model.as_ref());
    let (output, review) = FillPlan::default_outputs(&input, &Default::default());
    let fill = FillPlan {
        input: input.clone(),
        output,
        review,
        audience: Audience::Internal,
        audience_from: trustfill::fill::AudienceFrom::Flag,
        min_confidence: 70,
        overwrite: false,
        highlight: false,
        overrides: Default::default(),
        limits: Default::default(),
        jobs: 2,
        max_age_days: 100_000,
        today: "2026-11-02".parse().unwrap(),
        profile: Default::default(),
    };
    let report = draft(&fill, &index, &mut |_, _| {}).expect("fill");
    // The vendor's own answers in the target, by row.
    let own = Questionnaire::read(&target, &Default::default(), &Default::default()).unwrap();
    let theirs: std::collections::HashMap<(String, u32), (String, Option<String>)> = own
        .sheets
        .iter()
        .flat_map(|s| &s.questions)
        .map(|q| {
            (
                (q.answer_cell.sheet.clone(), q.answer_cell.row),
                (q.existing_answer.trim().to_string(), q.id.clone()),
            )
        })
        .collect();
    let (mut rows, mut answered, mut drafted, mut exact, mut same, mut wrong) = (0, 0, 0, 0, 0, 0);
    let (mut yes_no, mut agree, mut yes_no_90, mut agree_90) = (0, 0, 0, 0);
    for row in &report.rows {
        rows += 1;
        let key = (
            row.question.answer_cell.sheet.clone(),
            row.question.answer_cell.row,
        );
        let Some((their, id)) = theirs.get(&key) else {
            continue;
        };
        if their.is_empty() {
            continue;
        }
        answered += 1;
        if row.status != RowStatus::Draft {
            continue;
        }
        let Some(c) = row.drafted() else { continue };
        drafted += 1;
        let ours = c.entry.answer.clone().unwrap_or_default();
        let equal = ours.trim() == their.as_str()
            || matches!((class(&ours), class(their)), (Some(a), Some(b)) if a == b);
        if matches!(c.reuse(), Some(Reuse::Exact { .. })) {
            exact += 1;
        }
        if equal {
            same += 1;
        } else {
            wrong += 1;
            if wrong <= 10 {
                eprintln!(
                    "  differs: {} {:?}: theirs {their:?}, drafted {ours:?} from {} at {}",
                    row.question.answer_cell, id, c.entry.id, c.confidence
                );
            }
        }
        if let (Some(a), Some(b)) = (class(&ours), class(their)) {
            yes_no += 1;
            agree += usize::from(a == b);
            if c.confidence.percent() >= 90 {
                yes_no_90 += 1;
                agree_90 += usize::from(a == b);
            }
        }
    }
    println!(
        "{} → {}: {rows} rows, {answered} answered by the vendor; drafted {drafted} ({exact} exact): {same} the vendor's answer, {wrong} not",
        source.file_name().unwrap().to_string_lossy(),
        target.file_name().unwrap().to_string_lossy()
    );
    let share = |a: usize, n: usize| {
        if n == 0 {
            "n/a".to_string()
        } else {
            format!("{:.3}", a as f64 / n as f64)
        }
    };
    println!(
        "Yes/No drafts agreeing with the vendor: {} of {yes_no} ({}); at 90 or more: {} of {yes_no_90} ({})",
        agree,
        share(agree, yes_no),
        agree_90,
        share(agree_90, yes_no_90)
    );
}
