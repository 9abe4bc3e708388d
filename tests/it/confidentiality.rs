//! Confidentiality as a property: over random knowledge bases (answers and policy documents)
//! and random questions, nothing above the reader's audience ever comes back, from the matcher,
//! from `ask` (text and JSON) or in `fill`'s outputs (workbook, review sheet, answer log). Seeded, so a
//! failure reproduces; every entry shares vocabulary with every question, so the filter, not
//! a lack of matches, is what is tested.

use std::fmt::Write;

use trustfill::index::KbIndex;
use trustfill::kb::Audience;
use trustfill::matcher::{MatchOptions, Matcher};

use crate::common::*;

/// xorshift64*: a small deterministic generator (no extra crate for one test).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const WORDS: [&str; 16] = [
    "encryption",
    "backup",
    "audit",
    "report",
    "access",
    "review",
    "incident",
    "vendor",
    "soc",
    "retention",
    "password",
    "network",
    "training",
    "policy",
    "logging",
    "key",
];
const AUDIENCES: [&str; 3] = ["public", "nda", "internal"];

fn random_kb(rng: &mut Rng, entries: usize) -> String {
    let mut text = String::new();
    for i in 0..entries {
        let q: Vec<&str> = (0..4).map(|_| rng.pick(&WORDS)).collect();
        let secret = format!("SECRET-{i}");
        let audience = rng.pick(&AUDIENCES);
        write!(
            text,
            "[[answer]]\nid = \"e{i}\"\nquestion = \"Do you have {}?\"\nvariants = [\"{} {}\"]\nanswer = \"Yes\"\ncomment = \"{} {} {secret} {audience}\"\naudience = \"{audience}\"\nowner = \"t@example.com\"\nreviewed = 2026-06-01\n\n",
            q.join(" "), q[0], q[1], rng.pick(&WORDS), rng.pick(&WORDS)
        )
        .unwrap();
    }
    text
}

/// Policy documents of random audiences, each with two sections whose text carries the
/// document's audience as a marker (" nda", " internal") that must never reach a lower reader.
fn random_policies(rng: &mut Rng, documents: usize) -> Vec<(String, String)> {
    (0..documents)
        .map(|i| {
            let audience = rng.pick(&AUDIENCES);
            let mut text = format!(
                "---\nid: policy-{i}\ntitle: Policy {i}\naudience: {audience}\nowner: t@example.com\nreviewed: 2026-06-01\n---\n# Policy {i}\n"
            );
            for s in 0..2 {
                let words: Vec<&str> = (0..6).map(|_| rng.pick(&WORDS)).collect();
                write!(
                    text,
                    "\n## Section {s} on {}\n\nWe keep {} under control. SECRET-P{i}-{s} {audience}\n",
                    words[..2].join(" "),
                    words.join(" ")
                )
                .unwrap();
            }
            (format!("policies/policy-{i}.md"), text)
        })
        .collect()
}

#[test]
fn nothing_above_the_readers_audience_is_ever_returned() {
    property(None);
}

/// The same with semantic matching: the nearest entries by meaning join the candidates, and
/// still nothing above the reader's audience comes back (a tiny generated model, whose
/// similarities are arbitrary, so every entry is somebody's nearest neighbour).
#[cfg(feature = "semantic")]
#[test]
fn nothing_above_the_readers_audience_is_returned_by_meaning_either() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("tiny-bert");
    crate::tiny_model::write_tiny_model(&model, 3);
    property(Some(&model));
}

fn property(model: Option<&std::path::Path>) {
    let encoder: Option<std::sync::Arc<dyn trustfill::encoder::Embedder>> = model.map(|m| {
        #[cfg(feature = "semantic")]
        {
            std::sync::Arc::new(trustfill::encoder::Encoder::load(m).unwrap())
                as std::sync::Arc<dyn trustfill::encoder::Embedder>
        }
        #[cfg(not(feature = "semantic"))]
        panic!("{}", m.display())
    });
    let with_model = |cmd: &mut std::process::Command| {
        match model {
            Some(m) => cmd.arg("--model").arg(m),
            None => cmd.arg("--no-model"),
        };
    };
    let mut rng = Rng(0x5eed_cafe);
    // Restricted policy excerpts found for an internal reader: the filter had work to do.
    let mut restricted_excerpts = 0;
    for round in 0..6 {
        let kb_text = random_kb(&mut rng, 40);
        let policies = random_policies(&mut rng, 6);
        let mut files = vec![("answers/random.toml".to_string(), kb_text.clone())];
        files.extend(policies);
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let (_dir, kb) = temp_kb(&files);
        let (index, _) = KbIndex::open_with(&kb, encoder.clone(), &mut |_, _| {}).unwrap();
        assert_eq!(index.semantic().is_some(), model.is_some());
        let mut matcher = Matcher::new(&index);
        for _ in 0..40 {
            let question = format!(
                "Is {} {} {} in place?",
                rng.pick(&WORDS),
                rng.pick(&WORDS),
                rng.pick(&WORDS)
            );
            for reader in Audience::ALL {
                let found = matcher
                    .find(
                        &question,
                        &MatchOptions {
                            audience: reader,
                            top: 20,
                            review_age: None,
                        },
                    )
                    .unwrap();
                for c in &found {
                    assert!(
                        c.entry.audience.visible_to(reader),
                        "round {round}: {} ({}) returned to {reader} for {question:?}",
                        c.entry.id,
                        c.entry.audience
                    );
                }
                if reader == Audience::Internal {
                    restricted_excerpts += found
                        .iter()
                        .filter(|c| {
                            c.entry.kind == trustfill::kb::EntryKind::Policy
                                && c.entry.audience != Audience::Public
                        })
                        .count();
                    assert!(
                        !found.is_empty(),
                        "the vocabulary overlaps, so something always matches"
                    );
                }
            }
        }
        // End to end through fill at the public audience: no NDA or internal text in any output.
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("q.csv");
        let mut rows = String::from("Question,Answer,Comment\n");
        for _ in 0..15 {
            writeln!(
                rows,
                "Do you have {} {} {}?,,",
                rng.pick(&WORDS),
                rng.pick(&WORDS),
                rng.pick(&WORDS)
            )
            .unwrap();
        }
        std::fs::write(&csv, rows).unwrap();
        let mut cmd = trustfill(&kb);
        with_model(&mut cmd);
        let out = run(cmd.args(["fill", "--min-confidence", "0"]).arg(&csv));
        assert!(out.status.success(), "{}", stderr(&out));
        let secret_ids: Vec<String> = kb_text
            .split("[[answer]]")
            .filter(|e| !e.contains("audience = \"public\""))
            .filter_map(|e| {
                e.split("id = \"")
                    .nth(1)
                    .map(|r| r.split('"').next().unwrap().to_string())
            })
            .collect();
        for file in ["q.filled.xlsx", "q.review.xlsx"] {
            for text in cell_dump(&dir.path().join(file)).values() {
                assert!(
                    !text.contains(" nda") && !text.contains(" internal"),
                    "round {round}: {file} shows {text:?}"
                );
            }
        }
        // `ask` at the public audience, as text and as JSON, answers and policy excerpts alike.
        for format in [None, Some("--json")] {
            let mut cmd = trustfill(&kb);
            with_model(&mut cmd);
            let out = run(cmd
                .args(["ask", "--top", "20"])
                .args(format)
                .arg("Do you have encryption backup audit report access review incident vendor?"));
            assert!(out.status.success(), "{}", stderr(&out));
            let text = stdout(&out);
            assert!(
                !text.contains(" nda") && !text.contains(" internal"),
                "round {round}: ask shows {text}"
            );
        }
        let log = std::fs::read_to_string(dir.path().join("q.filled.answers.jsonl")).unwrap();
        for id in &secret_ids {
            assert!(
                !log.contains(&format!("\"entry\":\"{id}\"")),
                "round {round}: the answer log cites {id}"
            );
        }
    }
    assert!(
        restricted_excerpts > 0,
        "restricted policy excerpts were matched, so their absence at lower audiences means something"
    );
}

/// A question only an NDA answer covers: `ask` and the review say that an answer for NDA
/// readers matches and which flag shows it, and nothing of that answer (not its id, its
/// answer or its comment) reaches the public reader. At `--audience nda` the answer is simply
/// there.
#[test]
fn a_restricted_answer_is_signposted_never_shown() {
    let (_dir, kb) = temp_kb(&[("answers/soc.toml", &soc_answers("soc2-report"))]);
    let question = "Which firm audits your SOC 2 report?";
    let out = run(trustfill(&kb).args(["ask", question]));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("not covered"), "{text}");
    assert!(
        text.contains("an answer restricted to nda readers matches at")
            && text.contains("`--audience nda` shows it"),
        "{text}"
    );
    for secret in ["soc2-auditor", "Example LLP", "About Which firm"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    let json = stdout(&run(trustfill(&kb).args(["ask", "--json", question])));
    let doc: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(doc["restricted"]["audience"], "nda", "{json}");
    assert!(
        !json.contains("soc2-auditor") && !json.contains("Example LLP"),
        "{json}"
    );

    let nda = stdout(&run(trustfill(&kb).args([
        "ask",
        "--audience",
        "nda",
        question,
    ])));
    assert!(
        nda.contains("soc2-auditor") && !nda.contains("restricted"),
        "{nda}"
    );

    // The same in fill's review note; the filled copy holds nothing of it.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    std::fs::write(&csv, format!("Question,Answer\n{question},\n")).unwrap();
    let out = run(trustfill(&kb).arg("fill").arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
    let review = cell_dump(&dir.path().join("q.review.xlsx"));
    let note = &review[&("Review".to_string(), 1, 11)];
    assert!(
        note.contains("an answer restricted to nda readers matches"),
        "{note}"
    );
    for (_, text) in review.iter().filter(|((s, _, _), _)| s == "Review") {
        assert!(
            !text.contains("Example LLP") && !text.contains("soc2-auditor"),
            "{text}"
        );
    }
}

/// The trust center as a property: over random knowledge bases published at each audience,
/// no text, id or marker of an entry or policy section above that audience appears in any file
/// of the output folder (HTML, script, JSON index).
#[test]
fn a_published_trust_center_holds_nothing_above_its_audience() {
    let mut rng = Rng(0x7a11_5eed);
    let mut published_secrets = 0;
    for _round in 0..4 {
        let kb_text = random_kb(&mut rng, 40);
        let policies = random_policies(&mut rng, 6);
        let mut files = vec![("answers/random.toml".to_string(), kb_text.clone())];
        files.extend(policies.clone());
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let (_dir, kb) = temp_kb(&files);
        for reader in [Audience::Public, Audience::Nda] {
            let out_dir = tempfile::tempdir().unwrap();
            let out = run(trustfill(&kb)
                .args(["publish", "--audience", reader.as_str(), "--out"])
                .arg(out_dir.path()));
            assert!(out.status.success(), "{}", stderr(&out));
            let mut site = String::new();
            for entry in std::fs::read_dir(out_dir.path()).unwrap().flatten() {
                site.push_str(&std::fs::read_to_string(entry.path()).unwrap());
            }
            // Answers: e{i} carries SECRET-{i} and its audience.
            for (i, block) in kb_text.split("[[answer]]").skip(1).enumerate() {
                let audience: Audience = block
                    .lines()
                    .find_map(|l| l.strip_prefix("audience = \""))
                    .unwrap()
                    .trim_end_matches('"')
                    .parse()
                    .unwrap();
                let secret = format!("SECRET-{i} ");
                if audience.visible_to(reader) {
                    published_secrets += usize::from(site.contains(&secret));
                } else {
                    assert!(
                        !site.contains(&secret),
                        "{secret} ({audience}) reached a {reader} page"
                    );
                    assert!(
                        !site.contains(&format!("-e{i}\"")),
                        "id e{i} ({audience}) reached a {reader} page"
                    );
                }
            }
            // Policies: restricted documents leave no section, marker or title.
            for (i, (_, text)) in policies.iter().enumerate() {
                let audience: Audience = text
                    .lines()
                    .find_map(|l| l.strip_prefix("audience: "))
                    .unwrap()
                    .parse()
                    .unwrap();
                if !audience.visible_to(reader) {
                    for s in 0..2 {
                        assert!(
                            !site.contains(&format!("SECRET-P{i}-{s}")),
                            "policy {i} ({audience}) on a {reader} page"
                        );
                    }
                    assert!(
                        !site.contains(&format!(">Policy {i}<")),
                        "policy {i}'s title on a {reader} page"
                    );
                }
            }
        }
    }
    assert!(
        published_secrets > 0,
        "visible entries are published: the filter had work to do"
    );
}

/// With `audience = "internal"` in trustfill.toml a plain `fill` may draft internal answers
/// into a customer's questionnaire: the summary, `ask` and the review's header say so, and
/// where the setting came from. A public run says nothing of it.
#[test]
fn an_audience_above_public_is_said_out_loud() {
    let (_kbdir, kb) = shipped_kb_copy();
    std::fs::write(kb.join("trustfill.toml"), "audience = \"internal\"\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = sample_in(dir.path());
    let out = run(trustfill(&kb).arg("fill").arg(&input));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("audience: internal (set by trustfill.toml): internal answers may be used"),
        "{}",
        stderr(&out)
    );
    let review = dir.path().join("vendor.review.xlsx");
    let header =
        trustfill::workbook::read(&review, &Default::default()).unwrap()[0].rows[0][4].clone();
    assert_eq!(
        header,
        "Answer (for INTERNAL readers, set by trustfill.toml)"
    );

    let out =
        run(trustfill(&kb).args(["ask", "--audience", "nda", "Do you encrypt data at rest?"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("audience: nda (set by --audience)"),
        "{}",
        stderr(&out)
    );

    std::fs::remove_file(kb.join("trustfill.toml")).unwrap();
    let out = run(trustfill(&kb).args(["ask", "Do you encrypt data at rest?"]));
    assert!(!stderr(&out).contains("audience:"), "{}", stderr(&out));
    let out = run(trustfill(&kb).arg("fill").arg(&input).arg("--force"));
    assert!(!stderr(&out).contains("audience:"), "{}", stderr(&out));
    let header =
        trustfill::workbook::read(&review, &Default::default()).unwrap()[0].rows[0][4].clone();
    assert_eq!(header, "Answer");
}
