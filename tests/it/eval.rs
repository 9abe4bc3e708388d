//! `trustfill eval` on a labeled set small enough to know its answers: three entries on topics
//! that share no words, so every question finds its entry or nothing.

use serde_json::Value;

use crate::common::*;

fn tiny_kb() -> (tempfile::TempDir, std::path::PathBuf) {
    let answers = [
        entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
        entry(
            "mfa",
            "Is multi-factor authentication enforced for staff?",
            "Yes",
            "public",
        ),
        entry(
            "rto",
            "What is your recovery time objective?",
            "4 hours",
            "nda",
        ),
    ]
    .concat();
    temp_kb(&[("answers/a.toml", &answers)])
}

/// Five questions: two labeled right, one labeled with the wrong entry on purpose (so top-1 is
/// 2/3, not 1), and two that nothing answers.
const LABELS: &str = "question,expected\n\
Is customer data encrypted at rest?,enc\n\
Is multi-factor authentication enforced for staff?,mfa|enc\n\
What is your recovery time objective?,enc\n\
How many moons does Jupiter have?,NONE\n\
What colour is the office carpet?,NONE\n";

#[test]
fn eval_reports_known_figures_for_a_known_set() {
    let (dir, kb) = tiny_kb();
    let labels = dir.path().join("labels.csv");
    std::fs::write(&labels, LABELS).unwrap();
    let out = run(trustfill(&kb).arg("eval").arg(&labels).arg("--json"));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let m = &doc["method"];
    assert_eq!(m["questions"], 5);
    assert_eq!(m["answerable"], 3);
    assert!(
        (m["top1"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9,
        "{m}"
    );
    assert!((m["recall_at_3"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    let outcomes = m["outcomes"].as_array().unwrap();
    let tops: Vec<&str> = outcomes
        .iter()
        .map(|o| o["top"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(tops, ["enc", "mfa", "rto", "-", "-"]);
    let correct: Vec<bool> = outcomes
        .iter()
        .map(|o| o["correct"].as_bool().unwrap())
        .collect();
    assert_eq!(correct[..3], [true, true, false]);
    // At threshold 0 every question with a candidate is drafted: 3 of 5, 2 of them right.
    let zero = &m["thresholds"][0];
    assert_eq!(zero["threshold"], 0);
    assert_eq!(zero["drafted"], 3);
    assert!((zero["precision"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert!((zero["coverage"].as_f64().unwrap() - 0.6).abs() < 1e-9);
    // The plain BM25 reference ranks the same obvious questions the same way.
    assert!((doc["bm25_reference"]["top1"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);

    // The text report says the same; --rows odd keeps rows 1 and 3 (0-based).
    let out = run(trustfill(&kb).arg("eval").arg(&labels));
    let text = stdout(&out);
    assert!(
        text.starts_with("5 questions, 3 answerable, 2 NONE"),
        "{text}"
    );
    assert!(
        text.contains("top-1 accuracy                  0.667"),
        "{text}"
    );
    // The calibration error chance alone gives, from the outcomes' own confidences.
    let confidences: Vec<u8> = outcomes
        .iter()
        .map(|o| o["confidence"].as_u64().unwrap() as u8)
        .collect();
    let floor = trustfill::eval::ece_floor(&confidences);
    assert!(
        (m["ece_floor"].as_f64().unwrap() - floor).abs() < 1e-9,
        "{m}"
    );
    assert!(
        text.contains(&format!("an ECE of about {floor:.3} on 5 questions")),
        "{text}"
    );
    let out = run(trustfill(&kb)
        .arg("eval")
        .arg(&labels)
        .args(["--rows", "odd", "--json"]));
    let odd: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(odd["method"]["questions"], 2);
    assert_eq!(odd["method"]["outcomes"][0]["top"], "mfa");
}

/// At the public audience the NDA entry cannot be found, so its question has no top.
#[test]
fn eval_matches_at_the_audience_asked_for() {
    let (dir, kb) = tiny_kb();
    let labels = dir.path().join("labels.csv");
    std::fs::write(&labels, LABELS).unwrap();
    let out = run(trustfill(&kb)
        .arg("eval")
        .arg(&labels)
        .args(["--json", "--audience", "public"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(doc["method"]["outcomes"][2]["top"].is_null(), "{doc}");
}

#[test]
fn eval_refuses_a_labels_file_without_the_columns_it_needs() {
    let (dir, kb) = tiny_kb();
    let labels = dir.path().join("labels.csv");
    std::fs::write(&labels, "text,answer\nIs data encrypted?,enc\n").unwrap();
    let out = run(trustfill(&kb).arg("eval").arg(&labels));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("labels.csv"), "{}", stderr(&out));
}

/// `eval --plot` draws the reliability diagram and the precision/coverage curve: a well-formed
/// SVG with one bar a confidence bin that holds questions, each labeled with its count, and
/// the default threshold marked on the curve.
#[test]
fn eval_plot_draws_the_reliability_diagram_and_the_curve() {
    let (_dir, kb) = tiny_kb();
    let labels = kb.parent().unwrap().join("labels.csv");
    std::fs::write(&labels, LABELS).unwrap();
    let svg_path = kb.parent().unwrap().join("calibration.svg");
    let out = run(trustfill(&kb)
        .args(["eval", "--json", "--plot"])
        .arg(&svg_path)
        .arg(&labels));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let bins: std::collections::BTreeMap<u64, u64> = doc["method"]["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["confidence"].as_u64().unwrap() / 10).min(9))
        .fold(Default::default(), |mut m, b| {
            *m.entry(b).or_default() += 1;
            m
        });
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    // Well-formed XML.
    let mut reader = quick_xml::Reader::from_str(&svg);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed: {e}"),
        }
    }
    assert!(svg.contains("Reliability: 5 questions"), "{svg}");
    // The bars: filled rectangles in the bar colour, one a non-empty bin.
    let bars = svg.matches("opacity=\"0.45\" fill=\"#0000FF\"").count();
    assert_eq!(bars, bins.len(), "{bins:?}");
    assert!(
        svg.contains("default ≥ 70"),
        "the default threshold is marked"
    );
}
