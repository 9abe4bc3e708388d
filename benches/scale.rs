//! Speed and scale: `cargo bench --bench scale` (add `-- --quick` for the 1k/10k sizes only,
//! `-- --one-file` for the one-answers-file table only, `-- --docx` for the Word questionnaire,
//! `-- --pdf` for the PDF questionnaires, `-- --publish` for the trust center).
//!
//! Generates synthetic but realistic workloads at bench time (nothing is committed): libraries
//! of 1k, 10k and 100k entries built from question templates (topics × aspects × scopes, so
//! every question is distinct), and questionnaires of 100, 1,000 and 10,000 rows mixing
//! paraphrases of library questions, framework boilerplate and off-topic questions. Reports the
//! median of several runs: index build, `ask` in-process per question and per process, and
//! `fill` end to end with its read / match / write split and peak memory (from `/usr/bin/time`
//! when present).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use trustfill::index::KbIndex;
use trustfill::kb::Audience;
use trustfill::matcher::{MatchOptions, Matcher};

const TOPICS: [&str; 40] = [
    "encryption at rest",
    "encryption in transit",
    "multi-factor authentication",
    "single sign-on",
    "access reviews",
    "privileged access",
    "password storage",
    "key management",
    "backups",
    "disaster recovery",
    "business continuity",
    "incident response",
    "breach notification",
    "vulnerability scanning",
    "penetration testing",
    "patch management",
    "change management",
    "code review",
    "static analysis",
    "dependency scanning",
    "logging",
    "log retention",
    "security monitoring",
    "endpoint protection",
    "mobile device management",
    "network segmentation",
    "firewall rules",
    "DDoS protection",
    "vendor risk management",
    "subprocessor changes",
    "data retention",
    "data deletion",
    "data residency",
    "privacy requests",
    "security training",
    "background checks",
    "physical security",
    "asset inventory",
    "secure configuration",
    "audit logging",
];
const ASPECTS: [&str; 10] = [
    "Do you have a documented policy for {t}",
    "How often is {t} reviewed",
    "Who is accountable for {t}",
    "Is {t} tested regularly",
    "Describe the tooling used for {t}",
    "Are exceptions to {t} approved and tracked",
    "Is {t} covered by your SOC 2 report",
    "What metrics do you report for {t}",
    "Is {t} enforced automatically",
    "How are customers informed about {t}",
];

/// A scope makes each question distinct: the product line or region it concerns.
fn scope(i: usize) -> String {
    const AREAS: [&str; 10] = [
        "billing",
        "analytics",
        "mobile",
        "reporting",
        "payments",
        "identity",
        "storage",
        "messaging",
        "search",
        "scheduling",
    ];
    format!("{} service {}", AREAS[i % AREAS.len()], i / AREAS.len())
}

fn question(i: usize) -> String {
    let t = TOPICS[i % TOPICS.len()];
    let a = ASPECTS[(i / TOPICS.len()) % ASPECTS.len()];
    let s = scope(i / (TOPICS.len() * ASPECTS.len()));
    format!("{} for the {s}?", a.replace("{t}", t))
}

fn write_library(dir: &Path, entries: usize) {
    let answers = dir.join("answers");
    std::fs::create_dir_all(&answers).unwrap();
    for (file, chunk) in (0..entries).collect::<Vec<_>>().chunks(1000).enumerate() {
        let mut text = String::new();
        for &i in chunk {
            let q = question(i);
            writeln!(
                text,
                "[[answer]]\nid = \"e{i}\"\nquestion = \"{q}\"\nvariants = [\"{}\"]\nanswer = \"Yes\"\ncomment = \"For the {}, {} is handled by the platform team and reviewed every quarter.\"\ntags = [\"t{}\"]\naudience = \"public\"\nowner = \"team@example.com\"\nreviewed = 2026-06-01\n",
                TOPICS[i % TOPICS.len()],
                scope(i / (TOPICS.len() * ASPECTS.len())),
                TOPICS[i % TOPICS.len()],
                i % 50
            )
            .unwrap();
        }
        std::fs::write(answers.join(format!("lib-{file:03}.toml")), text).unwrap();
    }
}

/// Questionnaire rows: a third close paraphrases, a third wrapped in framework boilerplate,
/// a third off-topic (the library has no answer).
fn questionnaire_rows(rows: usize, library: usize) -> Vec<String> {
    (0..rows)
        .map(|r| {
            let i = (r * 7919) % library;
            match r % 3 {
                0 => question(i).replace("Do you have", "Is there").replace('?', ", please confirm?"),
                1 => format!("Are policies and procedures for {} established, documented, approved, communicated, applied, evaluated and maintained?", TOPICS[i % TOPICS.len()]),
                _ => format!("Is row {r} of the cafeteria menu vegetarian?"),
            }
        })
        .collect()
}

/// A small, fixed pseudo-random sequence (SplitMix64), so every run writes the same library.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A library the way teams' libraries read, in ONE answers file, and as varied: each entry's
/// question joins the first half of one shipped question to the second half of another, its
/// comment the same for two comments, and a quarter of their words are swapped for words drawn
/// from everything the shipped library says (several thousand distinct words); each names a
/// system of its own (made-up product names, so the vocabulary keeps growing with the library,
/// as real libraries' does). Few entries come out alike, as in a library someone keeps.
fn write_varied_library(dir: &Path, entries: usize) {
    let shipped = trustfill::kb::KnowledgeBase::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("knowledge-base")
            .as_path(),
    )
    .expect("the shipped knowledge base loads");
    let words: Vec<String> = shipped
        .entries
        .iter()
        .flat_map(|e| {
            [&e.question, &e.comment]
                .into_iter()
                .flat_map(|t| t.split_whitespace())
                .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
                .collect::<Vec<_>>()
        })
        .filter(|w| w.len() > 2)
        .collect();
    const SYLLABLES: [&str; 16] = [
        "ar", "bel", "cor", "dax", "en", "fir", "gal", "hex", "ion", "jun", "kor", "lum", "mer",
        "nov", "or", "pax",
    ];
    let mut rng = Rng(42);
    // The first half of `a`'s words and the second half of `b`'s, a quarter of them swapped.
    let splice = |a: &str, b: &str, rng: &mut Rng| -> String {
        let a: Vec<&str> = a.split_whitespace().collect();
        let b: Vec<&str> = b.split_whitespace().collect();
        a[..a.len() / 2]
            .iter()
            .chain(&b[b.len() / 2..])
            .map(|w| {
                if w.len() > 3 && rng.below(4) == 0 {
                    words[rng.below(words.len())].clone()
                } else {
                    w.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let quote = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    };
    let mut text = String::with_capacity(entries * 600);
    let n = shipped.entries.len();
    for i in 0..entries {
        let (a, b) = (
            &shipped.entries[rng.below(n)],
            &shipped.entries[rng.below(n)],
        );
        let system: String = (0..2 + rng.below(2))
            .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
            .collect();
        let question = format!(
            "{} (for {system})",
            splice(&a.question, &b.question, &mut rng).trim_end_matches('?')
        );
        let variant = splice(&b.question, &a.question, &mut rng);
        let comment = format!(
            "{} {system} follows this.",
            splice(&a.comment, &b.comment, &mut rng)
        );
        let answer = a
            .answer
            .clone()
            .unwrap_or_else(|| "See the comment.".into());
        writeln!(
            text,
            "[[answer]]\nid = \"v{i}\"\nquestion = \"{}?\"\nvariants = [\"{}\"]\nanswer = \"{}\"\ncomment = \"{}\"\ntags = [\"{}\"]\naudience = \"public\"\nowner = \"team@example.com\"\nreviewed = 2026-06-01\n",
            quote(&question),
            quote(&variant),
            quote(&answer),
            quote(&comment),
            a.tags.first().map_or("general", String::as_str),
        )
        .unwrap();
    }
    let answers = dir.join("answers");
    std::fs::create_dir_all(&answers).unwrap();
    std::fs::write(answers.join("library.toml"), text).unwrap();
}

/// A Word questionnaire: one table `# | Question | Response | Comments` with `rows`.
fn write_docx(path: &Path, rows: &[String]) {
    use std::io::Write;
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let cell = |t: &str| {
        format!(
            "<w:tc><w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
            escape(t)
        )
    };
    let mut body = String::from("<w:tbl><w:tblPr/>");
    body.push_str(&format!(
        "<w:tr>{}{}{}{}</w:tr>",
        cell("#"),
        cell("Question"),
        cell("Response"),
        cell("Comments")
    ));
    for (i, q) in rows.iter().enumerate() {
        body.push_str(&format!(
            "<w:tr>{}{}<w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr>",
            cell(&format!("Q-{}", i + 1)),
            cell(q)
        ));
    }
    body.push_str("</w:tbl>");
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, text) in [
        ("[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>".to_string()),
        ("_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>".to_string()),
        ("word/document.xml", document),
    ] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// `publish` of the one-file library of 10,000 varied entries: the trust center's files.
fn publish_table(work: &Path) {
    let kb = work.join("publish-10k");
    write_varied_library(&kb, 10_000);
    let site = work.join("site");
    let results: Vec<(Duration, Option<f64>)> = (0..5)
        .map(|_| {
            let (took, peak, _) = run_binary(&["publish", "--out", site.to_str().unwrap()], &kb);
            (took, peak)
        })
        .collect();
    let wall = median(results.iter().map(|r| r.0).collect());
    let peak = results.iter().filter_map(|r| r.1).fold(0.0, f64::max);
    let size: u64 = std::fs::read_dir(&site)
        .unwrap()
        .flatten()
        .map(|e| e.metadata().unwrap().len())
        .sum();
    println!("\n| library | `publish` wall | peak MB | site size |");
    println!("|---|---|---|---|");
    println!(
        "| 10,000 entries | {:.2} s | {peak:.0} | {:.1} MB |",
        wall.as_secs_f64(),
        size as f64 / 1e6
    );
}

/// `fill` of a 300-question Word questionnaire against the shipped knowledge base, words only.
fn docx_table(work: &Path) {
    let kb = work.join("shipped");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge-base"),
        &kb,
    );
    let shipped = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    // Paraphrase-free: the library's own questions, reworded a little, and off-topic rows.
    let rows: Vec<String> = (0..300)
        .map(|i| match i % 3 {
            2 => format!("Is row {i} of the cafeteria menu vegetarian?"),
            _ => shipped.entries[(i * 7) % shipped.entries.len()]
                .question
                .replace("Do you", "Does your company"),
        })
        .collect();
    let input = work.join("q300.docx");
    write_docx(&input, &rows);
    run_binary(&["kb", "index"], &kb);
    let results: Vec<(Duration, Option<f64>)> = (0..5)
        .map(|_| {
            let (took, peak, _) = run_binary(&["fill", "--force", input.to_str().unwrap()], &kb);
            (took, peak)
        })
        .collect();
    let wall = median(results.iter().map(|r| r.0).collect());
    let peak = results.iter().filter_map(|r| r.1).fold(0.0, f64::max);
    println!("\n| questionnaire | questions | `fill` wall | peak MB |");
    println!("|---|---|---|---|");
    println!(
        "| .docx, one table | 300 | {:.2} s | {peak:.0} |",
        wall.as_secs_f64()
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

fn write_questionnaire(path: &Path, rows: &[String]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("Questions").unwrap();
    for (c, h) in ["ID", "Question", "Answer", "Comments"].iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (r, q) in rows.iter().enumerate() {
        ws.write(r as u32 + 1, 0, format!("Q-{}", r + 1)).unwrap();
        ws.write(r as u32 + 1, 1, q).unwrap();
    }
    wb.save(path).unwrap();
}

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

/// Run the binary; returns (wall time, peak RSS in MB when /usr/bin/time is available, stdout).
fn run_binary(args: &[&str], kb: &Path) -> (Duration, Option<f64>, String) {
    let (took, peak, stdout, ok, stderr) = run_binary_status(args, kb);
    assert!(ok, "{stderr}");
    (took, peak, stdout)
}

/// Runs the binary under `/usr/bin/time` when present: wall time, peak RSS in MB, stdout,
/// success, and stderr without the timer's line.
fn run_binary_status(args: &[&str], kb: &Path) -> (Duration, Option<f64>, String, bool, String) {
    let bin = env!("CARGO_BIN_EXE_trustfill");
    let timer = Path::new("/usr/bin/time");
    let mut cmd = if timer.exists() {
        let mut c = Command::new(timer);
        c.args(["-f", "%M"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(["-q", "--no-model", "--kb"]).arg(kb).args(args);
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let peak = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    let message = stderr
        .lines()
        .filter(|l| l.trim().parse::<f64>().is_err() && !l.starts_with("Command exited"))
        .collect::<Vec<_>>()
        .join(" ");
    (
        took,
        peak,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.success(),
        message,
    )
}

/// One answers file of varied text: loading must stay linear in the file's length.
fn one_file_table(work: &Path, quick: bool) {
    println!("\n| one answers file | `kb index` | per entry | `kb check` | per entry | peak MB |");
    println!("|---|---|---|---|---|---|");
    let one_file: &[usize] = if quick {
        &[2_500, 10_000]
    } else {
        &[2_500, 10_000, 50_000]
    };
    for &n in one_file {
        let kb = work.join(format!("one-file-{n}"));
        write_varied_library(&kb, n);
        let runs = if n >= 50_000 { 3 } else { 5 };
        let mut peak = 0.0f64;
        let index = median(
            (0..runs)
                .map(|_| {
                    let (took, p, _) = run_binary(&["kb", "index"], &kb);
                    peak = peak.max(p.unwrap_or(0.0));
                    took
                })
                .collect(),
        );
        // kb check exits 1 when it finds conflicts, which a generated library may have.
        let check = median(
            (0..runs)
                .map(|_| {
                    let (took, p, ..) = run_binary_status(&["kb", "check"], &kb);
                    peak = peak.max(p.unwrap_or(0.0));
                    took
                })
                .collect(),
        );
        println!(
            "| {n} | {:.2} s | {:.0} µs | {:.2} s | {:.0} µs | {peak:.0} |",
            index.as_secs_f64(),
            index.as_secs_f64() * 1e6 / n as f64,
            check.as_secs_f64(),
            check.as_secs_f64() * 1e6 / n as f64,
        );
    }
}

/// A flat PDF of `pages` pages, each drawing a bordered table of ten rows (id | question |
/// empty answer) in Helvetica 8, with a header row on every page.
fn write_flat_pdf(path: &Path, pages: usize, questions: &[String]) {
    use lopdf::content::{Content, Operation};
    use lopdf::{Object, Stream, dictionary};
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let cols = [40.0_f64, 100.0, 420.0, 570.0];
    let mut kids = Vec::new();
    for p in 0..pages {
        let mut ops: Vec<Operation> = Vec::new();
        let text = |ops: &mut Vec<Operation>, x: f64, top: f64, s: &str| {
            ops.push(Operation::new("BT", vec![]));
            ops.push(Operation::new("Tf", vec!["F1".into(), 8.into()]));
            ops.push(Operation::new(
                "Tm",
                vec![
                    1.into(),
                    0.into(),
                    0.into(),
                    1.into(),
                    x.into(),
                    (792.0 - top).into(),
                ],
            ));
            ops.push(Operation::new("Tj", vec![Object::string_literal(s)]));
            ops.push(Operation::new("ET", vec![]));
        };
        let rule = |ops: &mut Vec<Operation>, top: f64| {
            let r = vec![
                cols[0].into(),
                (792.0 - top).into(),
                (cols[3] - cols[0]).into(),
                0.5.into(),
            ];
            ops.push(Operation::new("re", r));
            ops.push(Operation::new("f", vec![]));
        };
        let mut y = 60.0;
        rule(&mut ops, y);
        for (x, h) in cols.iter().zip(["Question ID", "Question", "Answer"]) {
            text(&mut ops, x + 3.0, y + 10.0, h);
        }
        y += 14.0;
        rule(&mut ops, y);
        for r in 0..10 {
            let i = p * 10 + r;
            text(
                &mut ops,
                cols[0] + 3.0,
                y + 16.0,
                &format!("Q-{:02}.{}", i / 10 + 1, r + 1),
            );
            let q = &questions[i % questions.len()];
            let (a, b) = q.split_at(
                q.len()
                    .min(q[..q.len().min(70)].rfind(' ').unwrap_or(q.len().min(70))),
            );
            text(&mut ops, cols[1] + 3.0, y + 10.0, a);
            text(&mut ops, cols[1] + 3.0, y + 22.0, b.trim());
            y += 30.0;
            rule(&mut ops, y);
        }
        for x in cols {
            let r = vec![x.into(), (792.0 - y).into(), 0.5.into(), (y - 60.0).into()];
            ops.push(Operation::new("re", r));
            ops.push(Operation::new("f", vec![]));
        }
        let content = doc.add_object(Stream::new(
            dictionary! {},
            Content { operations: ops }.encode().unwrap(),
        ));
        kids.push(Object::from(doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        })));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Count" => kids.len() as i64, "Kids" => kids,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    doc.save(path).unwrap();
}

/// `fill` of a 100-page flat PDF (1,000 questions) against the shipped library, words only.
fn pdf_table(work: &Path) {
    let kb = work.join("shipped");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge-base"),
        &kb,
    );
    let shipped = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    let questions: Vec<String> = shipped.entries.iter().map(|e| e.question.clone()).collect();
    run_binary(&["kb", "index"], &kb);
    println!("\n| questionnaire | pages | questions | `fill` wall (words only) | peak MB |");
    println!("|---|---|---|---|---|");
    for pages in [10usize, 100] {
        let input = work.join(format!("flat-{pages}.pdf"));
        write_flat_pdf(&input, pages, &questions);
        let results: Vec<(Duration, Option<f64>)> = (0..5)
            .map(|_| {
                let (took, peak, out) =
                    run_binary(&["fill", "--json", "--force", input.to_str().unwrap()], &kb);
                let report: serde_json::Value = serde_json::from_str(&out).unwrap();
                let rows = report["questions"].as_u64().unwrap_or(0) as usize;
                assert_eq!(rows, pages * 10, "every question of the PDF is read");
                (took, peak)
            })
            .collect();
        let wall = median(results.iter().map(|r| r.0).collect());
        let peak = results.iter().filter_map(|r| r.1).fold(0.0, f64::max);
        println!(
            "| flat PDF, bordered table | {pages} | {} | {:.2} s | {peak:.0} |",
            pages * 10,
            wall.as_secs_f64()
        );
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let work = tempfile::tempdir().unwrap();
    // `-- --write-library N DIR`: only write the one-file library of N entries into DIR (to
    // profile `kb index` or `kb check` on it by hand).
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--write-library") {
        let n: usize = args[at + 1].parse().expect("N entries");
        write_varied_library(Path::new(&args[at + 2]), n);
        return;
    }
    // `-- --write-fill N ROWS DIR`: only write the library of N entries and the questionnaire of
    // ROWS rows that the fill table times (to profile `fill` on them by hand).
    if let Some(at) = args.iter().position(|a| a == "--write-fill") {
        let n: usize = args[at + 1].parse().expect("N entries");
        let rows: usize = args[at + 2].parse().expect("ROWS");
        let dir = Path::new(&args[at + 3]);
        write_library(&dir.join("kb"), n);
        write_questionnaire(&dir.join("q.xlsx"), &questionnaire_rows(rows, n));
        return;
    }
    if std::env::args().any(|a| a == "--pdf") {
        pdf_table(work.path());
        return;
    }
    if std::env::args().any(|a| a == "--publish") {
        publish_table(work.path());
        return;
    }
    if std::env::args().any(|a| a == "--docx") {
        docx_table(work.path());
        publish_table(work.path());
        return;
    }
    if std::env::args().any(|a| a == "--one-file") {
        one_file_table(work.path(), quick);
        docx_table(work.path());
        return;
    }
    let sizes: &[usize] = if quick {
        &[1_000, 10_000]
    } else {
        &[1_000, 10_000, 100_000]
    };
    println!(
        "| library | index build | peak MB | ask in-process (per question) | ask per process |"
    );
    println!("|---|---|---|---|---|");
    let mut kbs: Vec<(usize, PathBuf)> = Vec::new();
    for &n in sizes {
        let kb = work.path().join(format!("kb-{n}"));
        write_library(&kb, n);
        let runs = if n >= 100_000 { 3 } else { 5 };
        let build = time_runs(runs, || {
            KbIndex::rebuild(&kb, None, &mut |_, _| {}).unwrap();
        });
        let (_, peak, _) = run_binary(&["kb", "index"], &kb);
        let (index, _) = KbIndex::open(&kb).unwrap();
        let mut matcher = Matcher::new(&index);
        let qs = questionnaire_rows(1000, n);
        let opts = MatchOptions {
            audience: Audience::Public,
            top: 4,
            review_age: None,
        };
        let batch = time_runs(3, || {
            for q in &qs {
                matcher.find(q, &opts).unwrap();
            }
        });
        let per_process = median(
            (0..10)
                .map(|_| run_binary(&["ask", "Is encryption at rest tested regularly?"], &kb).0)
                .collect(),
        );
        println!(
            "| {n} | {:.2} s | {} | {:.3} ms | {:.1} ms |",
            build.as_secs_f64(),
            peak.map_or("-".into(), |p| format!("{p:.0}")),
            batch.as_secs_f64() * 1000.0 / qs.len() as f64,
            per_process.as_secs_f64() * 1000.0
        );
        kbs.push((n, kb));
    }
    one_file_table(work.path(), quick);

    println!("\n| library | questionnaire rows | fill wall | read | match | write | peak MB |");
    println!("|---|---|---|---|---|---|---|");
    for (n, kb) in kbs
        .iter()
        .filter(|(n, _)| *n == 10_000 || (*n == 1_000 && quick))
    {
        for rows in [100usize, 1_000, 10_000] {
            let input = work.path().join(format!("q-{n}-{rows}.xlsx"));
            write_questionnaire(&input, &questionnaire_rows(rows, *n));
            let runs = if rows >= 10_000 { 3 } else { 5 };
            let results: Vec<(Duration, Option<f64>, serde_json::Value)> = (0..runs)
                .map(|_| {
                    let (took, peak, out) =
                        run_binary(&["fill", "--json", "--force", input.to_str().unwrap()], kb);
                    (took, peak, serde_json::from_str(&out).unwrap())
                })
                .collect();
            let wall = median(results.iter().map(|r| r.0).collect());
            let ms = |k: &str| {
                median(
                    results
                        .iter()
                        .map(|r| Duration::from_millis(r.2["timings_ms"][k].as_u64().unwrap()))
                        .collect(),
                )
                .as_millis()
            };
            let peak = results.iter().filter_map(|r| r.1).fold(0.0, f64::max);
            println!(
                "| {n} | {rows} | {:.2} s | {} ms | {} ms | {} ms | {peak:.0} |",
                wall.as_secs_f64(),
                ms("read"),
                ms("match"),
                ms("write")
            );
        }
    }

    // Threads: the same 1,000-row fill on one thread and on every core.
    let (n, kb) = kbs
        .iter()
        .find(|(n, _)| *n == 10_000)
        .expect("a 10k library");
    let input = work.path().join("q-jobs.xlsx");
    write_questionnaire(&input, &questionnaire_rows(1_000, *n));
    println!("\n| library | rows | `--jobs` | fill wall | match |");
    println!("|---|---|---|---|---|");
    for jobs in ["1", "2"] {
        let results: Vec<(Duration, serde_json::Value)> = (0..5)
            .map(|_| {
                let (took, _, out) = run_binary(
                    &[
                        "fill",
                        "--json",
                        "--force",
                        "--jobs",
                        jobs,
                        input.to_str().unwrap(),
                    ],
                    kb,
                );
                (took, serde_json::from_str(&out).unwrap())
            })
            .collect();
        let wall = median(results.iter().map(|r| r.0).collect());
        let matching = median(
            results
                .iter()
                .map(|r| Duration::from_millis(r.1["timings_ms"]["match"].as_u64().unwrap()))
                .collect(),
        );
        println!(
            "| {n} | 1000 | {jobs} | {:.2} s | {} ms |",
            wall.as_secs_f64(),
            matching.as_millis()
        );
    }

    // Far larger than any questionnaire: 100,000 rows. The default limit stops it early;
    // raised, it completes.
    let input = work.path().join("q-huge.xlsx");
    write_questionnaire(&input, &questionnaire_rows(100_000, *n));
    println!("\n| library | rows | limit | wall | peak MB | outcome |");
    println!("|---|---|---|---|---|---|");
    for raise in [false, true] {
        let mut args = vec!["fill", "--json", "--force", input.to_str().unwrap()];
        if raise {
            args.extend(["--max-rows", "200000"]);
        }
        let (took, peak, _, ok, message) = run_binary_status(&args, kb);
        println!(
            "| {n} | 100000 | {} | {:.2} s | {} | {} |",
            if raise {
                "--max-rows 200000"
            } else {
                "default (25,000)"
            },
            took.as_secs_f64(),
            peak.map_or("-".into(), |p| format!("{p:.0}")),
            if ok {
                "filled".to_string()
            } else {
                format!("refused: {}", message.chars().take(110).collect::<String>())
            }
        );
    }
}
