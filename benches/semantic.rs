//! What semantic matching costs (`cargo bench --bench semantic -- --model DIR`, or
//! `TRUSTFILL_MODEL=DIR cargo bench --bench semantic`): model load, encoding speed in batches and
//! one at a time, the first index build of the shipped library with the model, the rebuild after
//! editing one entry, and `fill` end to end with the model: the first fill (library embedded
//! first), a new questionnaire, the same one again (CAIQ v4.0.3 from
//! ../shared/questionnaires when present, else the sample questionnaire), with peak memory.
//! Medians of a few runs; prints markdown rows for the README. Without a model it says so and
//! stops.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use trustfill::encoder::{Embedder, Encoder, Role};
use trustfill::index::KbIndex;

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn time_runs(runs: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn copy_kb(from: &Path, to: &Path) {
    for sub in ["answers", "policies"] {
        std::fs::create_dir_all(to.join(sub)).unwrap();
        for f in std::fs::read_dir(from.join(sub)).unwrap().flatten() {
            std::fs::copy(f.path(), to.join(sub).join(f.file_name())).unwrap();
        }
    }
    let _ = std::fs::copy(from.join("thesaurus.toml"), to.join("thesaurus.toml"));
}

/// The labeled sets' questions as trustfill embeds them (cleaned of ids, numbering and framework
/// boilerplate): realistic lengths, a few hundred of them.
fn questions(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for labels in [
        "fixtures/eval/shipped-kb-labels.csv",
        "fixtures/eval/company-b/labels.csv",
    ] {
        let mut reader = csv::Reader::from_path(root.join(labels)).unwrap();
        for record in reader.records() {
            out.push(trustfill::text::clean_question(&record.unwrap()[0]));
        }
    }
    out
}

/// Wall time and peak RSS (MB) of the binary, under /usr/bin/time.
fn run_binary(args: &[&str]) -> (Duration, f64) {
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_trustfill"))
        .arg("-q")
        .args(args);
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let peak = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0;
    (took, peak)
}

fn main() {
    // As the binary does (src/main.rs): one thread per matrix product, one batch per core.
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // SAFETY: no other thread is running yet.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", "1") };
    }
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let model = match args.iter().position(|a| a == "--model") {
        Some(i) => {
            args.remove(i);
            Some(PathBuf::from(args.remove(i)))
        }
        None => std::env::var_os("TRUSTFILL_MODEL").map(PathBuf::from),
    };
    let Some(model) = model else {
        eprintln!(
            "no model: pass --model DIR or set TRUSTFILL_MODEL (see README, Semantic matching)"
        );
        return;
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    println!("| what | time | target |\n|---|---|---|");

    let load = time_runs(5, || {
        Encoder::load(&model).unwrap();
    });
    println!("| load all-MiniLM-L6-v2 | {:.2} s | |", load.as_secs_f64());

    let encoder = Arc::new(Encoder::load(&model).unwrap());
    let qs = questions(&root);
    let refs: Vec<&str> = qs.iter().map(String::as_str).collect();
    let batch = time_runs(3, || {
        encoder.embed(&refs, Role::Query).unwrap();
    });
    println!(
        "| encode {} questions in batches of about {} tokens | {:.1} ms per question | ≤ 5 ms |",
        refs.len(),
        trustfill::encoder::BATCH_TOKENS,
        batch.as_secs_f64() * 1000.0 / refs.len() as f64
    );
    let single = time_runs(3, || {
        for q in &refs[..50] {
            encoder.embed(&[q], Role::Query).unwrap();
        }
    });
    println!(
        "| encode one question at a time | {:.1} ms per question | |",
        single.as_secs_f64() * 1000.0 / 50.0
    );

    // First build: a fresh copy of the shipped library, nothing cached.
    let shipped = root.join("knowledge-base");
    let mut texts = 0;
    let first = median(
        (0..3)
            .map(|_| {
                let dir = tempfile::tempdir().unwrap();
                copy_kb(&shipped, dir.path());
                let start = Instant::now();
                let (index, _) = KbIndex::open_with(
                    dir.path(),
                    Some(encoder.clone() as Arc<dyn Embedder>),
                    &mut |_, _| {},
                )
                .unwrap();
                texts = index.embedded.map_or(0, |e| e.0);
                start.elapsed()
            })
            .collect(),
    );
    println!(
        "| first index build of the shipped library ({texts} texts embedded) | {:.1} s | ≤ 15 s |",
        first.as_secs_f64()
    );

    // Rebuild after editing one entry's comment.
    let dir = tempfile::tempdir().unwrap();
    copy_kb(&shipped, dir.path());
    KbIndex::open_with(
        dir.path(),
        Some(encoder.clone() as Arc<dyn Embedder>),
        &mut |_, _| {},
    )
    .unwrap();
    let file = dir.path().join("answers/crypto.toml");
    let original = std::fs::read_to_string(&file).unwrap();
    let mut n = 0;
    let rebuild = time_runs(5, || {
        n += 1;
        let edited = original.replacen("comment = \"", &format!("comment = \"Edit {n}. "), 1);
        std::fs::write(&file, edited).unwrap();
        KbIndex::open_with(
            dir.path(),
            Some(encoder.clone() as Arc<dyn Embedder>),
            &mut |_, _| {},
        )
        .unwrap();
    });
    println!(
        "| rebuild after editing one entry | {:.2} s | ≤ 1 s |",
        rebuild.as_secs_f64()
    );

    // fill end to end, through the binary, index and vectors up to date.
    let caiq = root.join("../shared/questionnaires/csa-CAIQv4.0.3_STAR-Security-Questionnaire_Generated-at_2024-06-03.xlsx");
    let (input, name) = if caiq.is_file() {
        (caiq, "CAIQ v4.0.3 (261 questions)")
    } else {
        (
            root.join("fixtures/sample-questionnaire.xlsx"),
            "the sample questionnaire (15 questions)",
        )
    };
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out.xlsx");
    let review = work.path().join("review.xlsx");
    let m = model.to_str().unwrap().to_string();
    let fill = |kb: &Path, with_model: bool| {
        let kb = kb.to_str().unwrap();
        let mut a = vec!["--kb", kb];
        if with_model {
            a.extend(["--model", &m]);
        } else {
            a.push("--no-model");
        }
        a.extend([
            "fill",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--review",
            review.to_str().unwrap(),
            "--force",
        ]);
        run_binary(&a)
    };
    let report = |what: &str, target: &str, runs: Vec<(Duration, f64)>| {
        let wall = median(runs.iter().map(|r| r.0).collect());
        let peak = runs.iter().map(|r| r.1).fold(0.0, f64::max);
        println!(
            "| `fill` {name} {what} | {:.2} s, peak {peak:.0} MB | {target} |",
            wall.as_secs_f64()
        );
    };
    // The first fill after installing the model: a library never embedded, so the index is
    // built (every text embedded) before the questions are.
    let first: Vec<(Duration, f64)> = (0..3)
        .map(|_| {
            let fresh = tempfile::tempdir().unwrap();
            copy_kb(&shipped, fresh.path());
            fill(fresh.path(), true)
        })
        .collect();
    report(
        "with the model, first fill (library embedded first)",
        "≤ 5 s",
        first,
    );
    // A new questionnaire against a built index: its questions are embedded.
    let queries = |kb: &Path| {
        std::fs::read_dir(kb.join(".trustfill-index"))
            .unwrap()
            .flatten()
            .filter(|f| f.file_name().to_string_lossy().starts_with("queries-"))
            .for_each(|f| std::fs::remove_file(f.path()).unwrap());
    };
    fill(dir.path(), true);
    let new: Vec<(Duration, f64)> = (0..5)
        .map(|_| {
            queries(dir.path());
            fill(dir.path(), true)
        })
        .collect();
    report(
        "with the model, a new questionnaire (index built)",
        "≤ 1.2 s, ≤ 300 MB",
        new,
    );
    // The same questionnaire again, as while a team reviews it: vectors from the query cache.
    let again: Vec<(Duration, f64)> = (0..5).map(|_| fill(dir.path(), true)).collect();
    report("with the model, the same questionnaire again", "", again);
    let words: Vec<(Duration, f64)> = (0..5).map(|_| fill(dir.path(), false)).collect();
    report("with `--no-model`", "", words);
}
