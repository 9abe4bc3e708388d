//! Semantic matching: the sentence encoder, the model commands and the vectors in the index.
//!
//! Default tests use a tiny BERT generated here (random weights, a small WordPiece vocabulary):
//! they check loading, pooling, caching, the index stamp and errors, not meaning. The ignored
//! test checks meaning against the real all-MiniLM-L6-v2, from the folder in
//! `TRUSTFILL_TEST_MODEL` (see README "Semantic matching").

use std::path::PathBuf;

use trustfill::encoder::{Embedder, Encoder, Precision, Role, cosine};

/// The real all-MiniLM-L6-v2 folder the ignored tests use.
fn test_model() -> PathBuf {
    PathBuf::from(
        std::env::var_os("TRUSTFILL_TEST_MODEL").expect("TRUSTFILL_TEST_MODEL names the folder"),
    )
}

/// The published similarities of all-MiniLM-L6-v2 (sentence-transformers' documentation):
/// "The weather is lovely today." against "It's so sunny outside!" and "He drove to the
/// stadium.", and the last two against each other.
#[test]
#[ignore = "needs the all-MiniLM-L6-v2 folder in TRUSTFILL_TEST_MODEL"]
fn all_minilm_reproduces_the_published_similarities() {
    let dir = test_model();
    let encoder = Encoder::load_with(&dir, Some(Precision::F32)).unwrap();
    assert_eq!(encoder.dim(), 384);
    let v = encoder
        .embed(
            &[
                "The weather is lovely today.",
                "It's so sunny outside!",
                "He drove to the stadium.",
            ],
            Role::Query,
        )
        .unwrap();
    let round = |x: f32| (x * 1000.0).round() / 1000.0;
    assert_eq!(round(cosine(&v[0], &v[1])), 0.666);
    assert_eq!(round(cosine(&v[0], &v[2])), 0.105);
    assert_eq!(round(cosine(&v[1], &v[2])), 0.141);
    // Normalised, as modules.json asks.
    let norm: f32 = v[0].iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    println!(
        "{:.4} {:.4} {:.4}",
        cosine(&v[0], &v[1]),
        cosine(&v[0], &v[2]),
        cosine(&v[1], &v[2])
    );
}

/// The same model in bfloat16 on AMX tiles (where the CPU has them; skipped elsewhere): each
/// vector stays within a cosine of 0.9999 of full precision's and each similarity within 0.003,
/// both printed. Measured on a Sapphire Rapids VM: 0.6655 / 0.1044 / 0.1414 against 0.6660 /
/// 0.1046 / 0.1411, cosines to the f32 vectors 0.99999.
#[test]
#[ignore = "needs the all-MiniLM-L6-v2 folder in TRUSTFILL_TEST_MODEL"]
fn all_minilm_in_bf16_drifts_in_the_third_decimal_only() {
    let dir = test_model();
    let fast = Encoder::load_with(&dir, Some(Precision::Bf16)).unwrap();
    if fast.precision() != Precision::Bf16 {
        eprintln!("skipped: this CPU has no AMX, so bf16 runs as f32");
        return;
    }
    let full = Encoder::load_with(&dir, Some(Precision::F32)).unwrap();
    assert_ne!(
        full.identity(),
        fast.identity(),
        "vectors of two precisions never mix"
    );
    let texts = [
        "The weather is lovely today.",
        "It's so sunny outside!",
        "He drove to the stadium.",
        "Is customer data encrypted at rest?",
        "Do you have a SOC 2 Type II report, and may we see it under NDA?",
        "How quickly do you notify customers of a security incident that affects their data?",
    ];
    let (a, b) = (
        full.embed(&texts, Role::Query).unwrap(),
        fast.embed(&texts, Role::Query).unwrap(),
    );
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        let c = cosine(x, y);
        println!("text {i}: cosine to f32 {c:.6}");
        assert!(c > 0.9999, "text {i}: {c}");
    }
    for i in 0..texts.len() {
        for j in i + 1..texts.len() {
            let (s, t) = (cosine(&a[i], &a[j]), cosine(&b[i], &b[j]));
            println!("{i}-{j}: f32 {s:.4} bf16 {t:.4}");
            assert!((s - t).abs() < 0.003, "{i}-{j}: {s} vs {t}");
        }
    }
}

/// `precision` in a model folder's trustfill.toml: "f32" and "bf16" load (bf16 runs as f32
/// where the CPU has no AMX), anything else is refused naming the file.
#[test]
fn a_model_folder_may_ask_for_a_precision() {
    let dir = tempfile::tempdir().unwrap();
    let model = tiny(dir.path());
    let texts = ["Is customer data encrypted at rest?"];
    let plain = Encoder::load(&model).unwrap();
    for (setting, asked) in [("f32", Precision::F32), ("bf16", Precision::Bf16)] {
        std::fs::write(
            model.join("trustfill.toml"),
            format!("precision = \"{setting}\"\n"),
        )
        .unwrap();
        let e = Encoder::load(&model).unwrap();
        assert_eq!(e.settings().precision, Some(asked));
        let v = e.embed(&texts, Role::Query).unwrap();
        assert_eq!(v[0].len(), plain.dim());
        assert!(cosine(&v[0], &plain.embed(&texts, Role::Query).unwrap()[0]) > 0.999);
    }
    std::fs::write(model.join("trustfill.toml"), "precision = \"f16\"\n").unwrap();
    let err = Encoder::load(&model).unwrap_err().to_string();
    assert!(err.contains("trustfill.toml"), "{err}");
    assert!(err.contains("`f16`, expected `f32` or `bf16`"), "{err}");
}

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;

use crate::common::*;
use crate::tiny_model::{set_pooling, write_tiny_model};

fn tiny(dir: &Path) -> PathBuf {
    let model = dir.join("tiny-bert");
    write_tiny_model(&model, 1);
    model
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

#[test]
fn a_model_folder_loads_pools_normalises_and_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    let model = tiny(dir.path());
    let texts = [
        "Is customer data encrypted at rest?",
        "Is customer data encrypted at rest?",
        "Do you have a SOC report?",
    ];
    let encoder = Encoder::load(&model).unwrap();
    assert_eq!(encoder.dim(), 32);
    let mean = encoder.embed(&texts, Role::Query).unwrap();
    assert_eq!(mean[0], mean[1], "the same text, the same vector");
    assert_ne!(mean[0], mean[2]);
    assert!((norm(&mean[0]) - 1.0).abs() < 1e-4, "normalised");
    // A batch gives what one text alone gives (padding is masked out).
    let alone = encoder.embed(&texts[2..], Role::Query).unwrap();
    assert!(cosine(&alone[0], &mean[2]) > 0.9999);
    // No prefixes: a passage is embedded like a query.
    assert_eq!(
        encoder.embed(&texts[..1], Role::Passage).unwrap()[0],
        mean[0]
    );

    for mode in ["cls", "max", "mean_sqrt_len"] {
        set_pooling(&model, mode);
        let other = Encoder::load(&model)
            .unwrap()
            .embed(&texts, Role::Query)
            .unwrap();
        // Once normalised, mean/√n points where the mean does; the others point elsewhere.
        if mode != "mean_sqrt_len" {
            assert!(
                cosine(&other[0], &mean[0]) < 0.9999,
                "{mode} pools differently"
            );
        }
        assert_ne!(
            trustfill::encoder::identity(&model).unwrap(),
            encoder.identity(),
            "{mode}: the pooling is part of the identity"
        );
    }
    set_pooling(&model, "mean");
    // Without Normalize in modules.json the vector keeps its length.
    let modules = std::fs::read_to_string(model.join("modules.json")).unwrap();
    std::fs::write(
        model.join("modules.json"),
        modules.replace("Normalize", "Dense"),
    )
    .unwrap();
    let raw = Encoder::load(&model)
        .unwrap()
        .embed(&texts, Role::Query)
        .unwrap();
    assert!((norm(&raw[0]) - 1.0).abs() > 1e-3, "{}", norm(&raw[0]));
    std::fs::write(model.join("modules.json"), modules).unwrap();
    // Prefixes, as e5 models need them: queries and passages differ.
    std::fs::write(
        model.join("trustfill.toml"),
        "query_prefix = \"query: \"\npassage_prefix = \"passage: \"\n",
    )
    .unwrap();
    let e5 = Encoder::load(&model).unwrap();
    let q = e5.embed(&texts[..1], Role::Query).unwrap();
    let p = e5.embed(&texts[..1], Role::Passage).unwrap();
    assert_ne!(q[0], p[0]);
    assert_ne!(q[0], mean[0]);
}

#[test]
fn broken_model_folders_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
    )]);
    let good = tiny(dir.path());
    let case = |name: &str, damage: &dyn Fn(&Path)| -> String {
        let model = dir.path().join(name);
        write_tiny_model(&model, 1);
        damage(&model);
        let out = run(trustfill(&kb)
            .arg("--model")
            .arg(&model)
            .args(["ask", "Is data encrypted?"]));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains("hint:"), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        err
    };
    let err = case("no-weights", &|m| {
        std::fs::remove_file(m.join("model.safetensors")).unwrap()
    });
    assert!(err.contains("model.safetensors: is missing"), "{err}");
    let err = case("truncated", &|m| {
        let bytes = std::fs::read(m.join("model.safetensors")).unwrap();
        std::fs::write(m.join("model.safetensors"), &bytes[..bytes.len() / 2]).unwrap();
    });
    assert!(err.contains("model.safetensors"), "{err}");
    let err = case("bad-config", &|m| {
        std::fs::write(m.join("config.json"), "{ not json").unwrap()
    });
    assert!(err.contains("config.json: is not valid"), "{err}");
    let err = case("not-bert", &|m| {
        let text = std::fs::read_to_string(m.join("config.json")).unwrap();
        std::fs::write(m.join("config.json"), text.replace("\"bert\"", "\"mpnet\"")).unwrap();
    });
    assert!(
        err.contains("config.json: describes a \"mpnet\" model"),
        "{err}"
    );
    let err = case("bad-tokenizer", &|m| {
        std::fs::write(m.join("tokenizer.json"), "[]").unwrap()
    });
    assert!(err.contains("tokenizer.json: cannot be read"), "{err}");
    let missing = dir.path().join("nowhere");
    let out = run(trustfill(&kb)
        .arg("--model")
        .arg(&missing)
        .args(["ask", "Is data encrypted?"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nowhere") && stderr(&out).contains("trustfill model install"),
        "{}",
        stderr(&out)
    );
    // The good one works.
    let out = run(trustfill(&kb)
        .arg("--model")
        .arg(&good)
        .args(["ask", "Is data encrypted?"]));
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `modules.json` names the pooling folder; a folder outside the model folder is refused before
/// anything there is read: a `..` path, an absolute path, or a link that resolves outside. (Before,
/// `"path": "../../etc"` made trustfill read `../../etc/config.json` as the pooling settings.)
#[test]
fn a_pooling_folder_outside_the_model_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
    )]);
    // Outside the model folder: a pooling config that would load.
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let model = dir.path().join("m");
    write_tiny_model(&model, 1);
    std::fs::copy(
        model.join("1_Pooling/config.json"),
        outside.join("config.json"),
    )
    .unwrap();
    let modules = |path: &str| {
        format!(
            r#"[{{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"}},{{"idx":1,"name":"1","path":{path:?},"type":"sentence_transformers.models.Pooling"}}]"#
        )
    };
    let ask = |model: &Path| {
        run(trustfill(&kb)
            .arg("--model")
            .arg(model)
            .args(["ask", "Is data encrypted?"]))
    };
    for (name, path) in [
        ("dotdot", "../outside".to_string()),
        ("etc", "../../etc".to_string()),
        ("absolute", outside.display().to_string()),
    ] {
        let m = dir.path().join(name);
        write_tiny_model(&m, 1);
        std::fs::write(m.join("modules.json"), modules(&path)).unwrap();
        let out = ask(&m);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains("modules.json: names the folder")
                && err.contains("leaves the model folder"),
            "{name}: {err}"
        );
    }
    #[cfg(unix)]
    {
        let m = dir.path().join("linked");
        write_tiny_model(&m, 1);
        std::fs::remove_dir_all(m.join("1_Pooling")).unwrap();
        std::os::unix::fs::symlink(&outside, m.join("1_Pooling")).unwrap();
        let out = ask(&m);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("outside it"), "{err}");
    }
    // A pooling folder inside, under another name, still works.
    let m = dir.path().join("renamed");
    write_tiny_model(&m, 1);
    std::fs::rename(m.join("1_Pooling"), m.join("pool")).unwrap();
    std::fs::write(m.join("modules.json"), modules("./pool")).unwrap();
    let out = ask(&m);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A model folder's own `trustfill.toml` that is a FIFO used to block every command that loaded
/// the model; it is refused, naming it.
#[cfg(unix)]
#[test]
fn a_model_folder_settings_fifo_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
    )]);
    let model = tiny(dir.path());
    make_fifo(&model.join("trustfill.toml"));
    let out = run_within(
        trustfill(&kb)
            .arg("--model")
            .arg(&model)
            .args(["ask", "Is data encrypted?"]),
        60,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("trustfill.toml: is a FIFO (named pipe), not a regular file"),
        "{err}"
    );
}

/// Count of texts a command says it embedded (0 when it says nothing).
fn embedded(out: &std::process::Output) -> usize {
    let err = stderr(out);
    err.lines()
        .find_map(|l| l.strip_prefix("embedded "))
        .and_then(|l| l.split_whitespace().next())
        .map_or(0, |n| n.parse().unwrap())
}

#[test]
fn the_library_is_embedded_once_and_an_edit_embeds_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let model = tiny(dir.path());
    let first = entry(
        "enc",
        "Is customer data encrypted at rest?",
        "Yes",
        "public",
    );
    let second = entry("mfa", "Is MFA required for staff?", "Yes", "nda").replace(
        "question = ",
        "variants = [\"Do employees use multi factor authentication?\"]\nquestion = ",
    );
    let (_kbdir, kb) = temp_kb(&[("answers/a.toml", &format!("{first}{second}"))]);
    let ask = |m: &Path| {
        let out = run(trustfill(&kb).arg("--model").arg(m).args([
            "ask",
            "--audience",
            "nda",
            "Is data encrypted?",
        ]));
        assert!(out.status.success(), "{}", stderr(&out));
        out
    };
    // Two entries: three phrasings and two whole texts.
    assert_eq!(embedded(&ask(&model)), 5);
    assert_eq!(
        embedded(&ask(&model)),
        0,
        "the vectors are kept in the index"
    );
    // A new comment: only that entry's whole text is embedded again.
    let edited = first.replace("comment = \"About", "comment = \"Now about");
    std::fs::write(kb.join("answers/a.toml"), format!("{edited}{second}")).unwrap();
    assert_eq!(embedded(&ask(&model)), 1);
    // A new question: its phrasing and its whole text.
    let edited = edited.replace(
        "Is customer data encrypted at rest?",
        "Is stored data encrypted?",
    );
    std::fs::write(kb.join("answers/a.toml"), format!("{edited}{second}")).unwrap();
    assert_eq!(embedded(&ask(&model)), 2);
    // Another model: everything again, in a file of its own; the first model's vectors stay.
    let other = dir.path().join("other-bert");
    write_tiny_model(&other, 2);
    assert_eq!(embedded(&ask(&other)), 5);
    assert_eq!(embedded(&ask(&model)), 0);
    let index_dir = std::fs::read_dir(kb.join(".trustfill-index"))
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with('v') && e.path().is_dir())
        .unwrap()
        .path();
    let vectors = std::fs::read_dir(index_dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("vectors-"))
        .count();
    assert_eq!(vectors, 2, "one vectors file per model");
    // --no-model: words only, nothing embedded, and the same answer comes first.
    let out =
        run(trustfill(&kb).args(["--no-model", "ask", "--json", "Is stored data encrypted?"]));
    assert_eq!(embedded(&out), 0);
    assert!(stdout(&out).contains("\"id\":\"enc\""), "{}", stdout(&out));
}

#[test]
fn without_a_model_ask_and_fill_say_once_how_to_turn_it_on() {
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
    )]);
    let out = run_with_stdin(
        trustfill(&kb).arg("ask"),
        "Is data encrypted?\nAre backups encrypted?\n",
    );
    assert!(out.status.success());
    assert_eq!(
        stderr(&out).matches("trustfill model install").count(),
        1,
        "{}",
        stderr(&out)
    );
    for quiet in [vec!["--no-model"], vec!["-q"]] {
        let out = run(trustfill(&kb)
            .args(&quiet)
            .args(["ask", "Is data encrypted?"]));
        assert!(
            !stderr(&out).contains("model install"),
            "{quiet:?}: {}",
            stderr(&out)
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    std::fs::write(
        &csv,
        "Question,Answer\nIs customer data encrypted at rest?,\n",
    )
    .unwrap();
    let out = run(trustfill(&kb).arg("fill").arg(&csv));
    assert_eq!(stderr(&out).matches("trustfill model install").count(), 1);
}

/// The SHA-256 of every file of a model folder, as a checksum table.
fn checksums(model: &Path) -> Vec<(String, String)> {
    use sha2::Digest;
    trustfill::model::MODEL_FILES
        .iter()
        .filter(|name| model.join(name).is_file())
        .map(|name| {
            let sha: String = sha2::Sha256::digest(std::fs::read(model.join(name)).unwrap())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            (name.to_string(), sha)
        })
        .collect()
}

/// Issue 27: `model install --from DIR` made a folder the default only if DIR was named like
/// the default (and any folder so named), so the real model as Python packages ship it (in a
/// folder called `model`) was installed and never used. The default is now recognised by its
/// checksums, whatever the folder is called; anything else is installed under its own name
/// and used only when asked for. (The real model is 90 MB: the recognition is tested with the
/// tiny model's own checksums in place of the pinned table.)
#[test]
fn model_install_from_a_folder_recognises_the_default_by_its_checksums() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
    )]);
    let cmd = || {
        let mut c = trustfill(&kb);
        c.env("TRUSTFILL_HOME", &home);
        c
    };
    let status = || -> serde_json::Value {
        let out = run(cmd().args(["model", "status", "--json"]));
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let out = run(cmd().args(["model", "status"]));
    assert!(
        stdout(&out).contains("semantic matching: not installed"),
        "{}",
        stdout(&out)
    );
    // Named like the default, but not it: installed under its name, not used by default.
    let look_alike = dir.path().join("all-MiniLM-L6-v2");
    write_tiny_model(&look_alike, 1);
    let out = run(cmd().args(["model", "install", "--from"]).arg(&look_alike));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("6 files copied; not the default model: use --model"),
        "{}",
        stderr(&out)
    );
    assert!(
        home.join("models/all-MiniLM-L6-v2/model.safetensors")
            .is_file()
    );
    assert_eq!(status()["semantic_matching"], "not installed");

    // The default model in a folder called `model`: recognised, installed where the default
    // is looked up, and used by every matching command.
    let model = dir.path().join("model");
    write_tiny_model(&model, 2);
    let table = checksums(&model);
    let pinned: Vec<(&str, &str)> = table
        .iter()
        .map(|(n, s)| (n.as_str(), s.as_str()))
        .collect();
    let models = home.join("models");
    let installed = trustfill::model::install_from_dir_pinned(
        &model,
        &models,
        TODAY,
        &Default::default(),
        &pinned,
    )
    .unwrap();
    assert!(installed.default);
    let default_dir = models.join("sentence-transformers--all-MiniLM-L6-v2");
    assert_eq!(installed.dest, default_dir);
    assert!(default_dir.join("trustfill-model.json").is_file());
    let s = status();
    assert_eq!(s["semantic_matching"], "on");
    assert_eq!(s["why"], "installed");
    assert_eq!(s["model"], default_dir.display().to_string());
    assert_eq!(s["loads"], true);
    assert_eq!(s["dimensions"], 32);
    let out = run(cmd().args(["ask", "Is data encrypted?"]));
    assert!(embedded(&out) > 0, "{}", stderr(&out));
    let out = run(cmd().args(["--no-model", "model", "status", "--json"]));
    assert!(
        stdout(&out).contains("\"semantic_matching\":\"off\""),
        "{}",
        stdout(&out)
    );
    // The same folder against the real table is not the default.
    let out = run(cmd().args(["model", "install", "--from"]).arg(&model));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not the default model"),
        "{}",
        stderr(&out)
    );
    assert!(home.join("models/model/config.json").is_file());

    // A folder that does not load is not installed.
    let broken = dir.path().join("broken");
    write_tiny_model(&broken, 1);
    std::fs::remove_file(broken.join("tokenizer.json")).unwrap();
    let out = run(cmd().args(["model", "install", "--from"]).arg(&broken));
    assert_eq!(out.status.code(), Some(2));
    assert!(!home.join("models/broken").exists());
}

/// A loopback server speaking enough of the hub's API: the file listing and the files. Serves
/// `requests` requests, then stops.
fn serve(files: HashMap<String, Vec<u8>>, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                    break;
                }
            }
            let (status, body) = match files.get(&path) {
                Some(b) => ("200 OK", b.clone()),
                None => ("404 Not Found", b"not found".to_vec()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{addr}")
}

/// The files of a model folder as the hub serves them under `repo`, with its listing; `lie`
/// makes the listing give model.safetensors a wrong SHA-256.
fn hub_files(model: &Path, repo: &str, lie: bool) -> HashMap<String, Vec<u8>> {
    use sha2::Digest;
    let mut files = HashMap::new();
    let mut listing = Vec::new();
    for name in [
        "config.json",
        "tokenizer.json",
        "model.safetensors",
        "modules.json",
        "1_Pooling/config.json",
        "sentence_bert_config.json",
    ] {
        let bytes = std::fs::read(model.join(name)).unwrap();
        let sha: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut item =
            serde_json::json!({"type": "file", "path": name, "size": bytes.len(), "oid": "0"});
        if name == "model.safetensors" {
            let sha = if lie { "0".repeat(64) } else { sha };
            item["lfs"] = serde_json::json!({"oid": sha, "size": bytes.len()});
        }
        listing.push(item);
        files.insert(format!("/{repo}/resolve/main/{name}"), bytes);
    }
    listing.push(serde_json::json!({"type": "file", "path": "README.md", "size": 3, "oid": "0"}));
    files.insert(
        format!("/api/models/{repo}/tree/main?recursive=true"),
        serde_json::Value::Array(listing).to_string().into_bytes(),
    );
    files
}

#[test]
fn model_install_downloads_from_the_hub_and_verifies_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let model = tiny(dir.path());
    let home = dir.path().join("home");
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
    )]);
    let install = |endpoint: &str, repo: Option<&str>| {
        let mut c = trustfill(&kb);
        c.env("TRUSTFILL_HOME", &home).env("HF_ENDPOINT", endpoint);
        c.args(["model", "install"]);
        if let Some(r) = repo {
            c.args(["--repo", r]);
        }
        run(&mut c)
    };
    // A model of our choosing, checked against the listing's SHA-256.
    let endpoint = serve(hub_files(&model, "test/tiny-bert", false), 7);
    let out = install(&endpoint, Some("test/tiny-bert"));
    assert!(out.status.success(), "{}", stderr(&out));
    let installed = home.join("models/test--tiny-bert");
    for name in [
        "config.json",
        "tokenizer.json",
        "model.safetensors",
        "1_Pooling/config.json",
    ] {
        assert_eq!(
            std::fs::read(installed.join(name)).unwrap(),
            std::fs::read(model.join(name)).unwrap(),
            "{name}"
        );
    }
    assert!(
        !installed.join("README.md").exists(),
        "only the files trustfill reads"
    );
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(installed.join("trustfill-model.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["source"], "test/tiny-bert");
    assert_eq!(record["endpoint"], endpoint.as_str());

    // A download whose checksum is not the one published: refused, nothing installed.
    let endpoint = serve(hub_files(&model, "test/other-bert", true), 7);
    let out = install(&endpoint, Some("test/other-bert"));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("model.safetensors has SHA-256")
            && stderr(&out).contains("nothing was installed"),
        "{}",
        stderr(&out)
    );
    assert!(!home.join("models/test--other-bert").exists());

    // The default model is checked against the checksums trustfill knows, whatever the
    // server's listing says: a look-alike is refused.
    let endpoint = serve(
        hub_files(&model, "sentence-transformers/all-MiniLM-L6-v2", false),
        7,
    );
    let out = install(&endpoint, None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("expected 953f9c0d"),
        "{}",
        stderr(&out)
    );
    assert!(
        !home
            .join("models/sentence-transformers--all-MiniLM-L6-v2")
            .exists()
    );

    // No server at all: a clear error with what to do.
    let out = install("http://127.0.0.1:9", None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--from DIR"), "{}", stderr(&out));
}

/// `--repo x/..` made the install folder `<data>/models/..`, the data folder itself, and the
/// install removed it. Repository ids are checked before anything is downloaded or written,
/// and an install replaces only a folder with trustfill's install record.
#[test]
fn model_install_never_removes_a_folder_it_did_not_install() {
    let dir = tempfile::tempdir().unwrap();
    let model = tiny(dir.path());
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join("models")).unwrap();
    std::fs::write(home.join("keep.txt"), "mine").unwrap();
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
    )]);
    let install = |endpoint: &str, repo: &str| {
        run(trustfill(&kb)
            .env("TRUSTFILL_HOME", &home)
            .env("HF_ENDPOINT", endpoint)
            .args(["model", "install", "--repo", repo]))
    };
    // Even with a hub that serves the model under that name, nothing is asked of it.
    for repo in ["x/..", "x/.", "../x", "x", "x/y/z", "x/.git", "x/a b"] {
        let endpoint = serve(hub_files(&model, repo, false), 7);
        let out = install(&endpoint, repo);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{repo}: {err}");
        assert!(err.contains("is not a hub repository id"), "{repo}: {err}");
        assert!(
            err.contains("hint: give --repo as OWNER/NAME"),
            "{repo}: {err}"
        );
        assert_eq!(
            std::fs::read_to_string(home.join("keep.txt")).unwrap(),
            "mine"
        );
    }
    // A folder of the same name that trustfill did not install is left alone.
    let theirs = home.join("models/test--tiny-bert");
    std::fs::create_dir_all(&theirs).unwrap();
    std::fs::write(theirs.join("notes.txt"), "mine").unwrap();
    let endpoint = serve(hub_files(&model, "test/tiny-bert", false), 7);
    let out = install(&endpoint, "test/tiny-bert");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("exists and is not a model folder trustfill installed"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(theirs.join("notes.txt")).unwrap(),
        "mine"
    );
    std::fs::remove_dir_all(&theirs).unwrap();
    // One trustfill installed is replaced, and nothing is left beside it.
    for _ in 0..2 {
        let endpoint = serve(hub_files(&model, "test/tiny-bert", false), 7);
        let out = install(&endpoint, "test/tiny-bert");
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let mut names: Vec<String> = std::fs::read_dir(home.join("models"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["test--tiny-bert"]);
}

/// `--repo someone/all-MiniLM-L6-v2` was installed into the default model's folder, and every
/// command used it as the default. Hub models are installed by their full id, and only the
/// default model's checksums make the default.
#[test]
fn a_hub_model_named_like_the_default_is_not_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let model = tiny(dir.path());
    let home = dir.path().join("home");
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
    )]);
    let repo = "someone/all-MiniLM-L6-v2";
    let endpoint = serve(hub_files(&model, repo, false), 7);
    let out = run(trustfill(&kb)
        .env("TRUSTFILL_HOME", &home)
        .env("HF_ENDPOINT", &endpoint)
        .args(["model", "install", "--repo", repo]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("checked against the hub's listing")
            && stderr(&out).contains("pass --model"),
        "{}",
        stderr(&out)
    );
    assert!(
        home.join("models/someone--all-MiniLM-L6-v2/config.json")
            .is_file()
    );
    assert!(!home.join("models/all-MiniLM-L6-v2").exists());
    let out = run(trustfill(&kb)
        .env("TRUSTFILL_HOME", &home)
        .args(["model", "status", "--json"]));
    let status: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(status["semantic_matching"], "not installed");
}

/// A loopback hub serving `files`, except `endless`, which it streams (spaces) until `bytes`
/// are sent or the client hangs up; returns the endpoint and what was sent so far.
fn serve_streaming(
    files: HashMap<String, Vec<u8>>,
    endless: String,
    bytes: u64,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicU64>) {
    use std::sync::atomic::Ordering;
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let counter = sent.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(3) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                    break;
                }
            }
            if path == endless {
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {bytes}\r\nConnection: close\r\n\r\n"
                );
                let chunk = vec![b' '; 1 << 16];
                while counter.load(Ordering::Relaxed) < bytes {
                    if stream.write_all(&chunk).is_err() {
                        break;
                    }
                    counter.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
                continue;
            }
            let body = files.get(&path).cloned().unwrap_or_default();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    (endpoint, sent)
}

/// A hub that lists 266 bytes for config.json and then streams 64 MB: the download stops one
/// byte past the listed size (before, all of it reached the disk and was refused afterwards).
/// With no size listed, it stops past the cap for the kind of file, and says so. The server
/// counts what it managed to send before the client hung up.
#[test]
fn a_download_is_cut_off_at_its_listed_size() {
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().unwrap();
    let model = tiny(dir.path());
    let home = dir.path().join("home");
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
    )]);
    const HUGE: u64 = 64 << 20;
    for (repo, listed, streamed) in [
        ("test/liar", Some(266), HUGE),
        ("test/unlisted", None, HUGE + (1 << 20)),
    ] {
        let mut files = hub_files(&model, repo, false);
        let listing_path = format!("/api/models/{repo}/tree/main?recursive=true");
        let listing = String::from_utf8(files[&listing_path].clone()).unwrap();
        let mut items: Vec<serde_json::Value> = serde_json::from_str(&listing).unwrap();
        for item in &mut items {
            if item["path"] == "config.json" {
                match listed {
                    Some(size) => item["size"] = serde_json::json!(size),
                    None => {
                        item.as_object_mut().unwrap().remove("size");
                    }
                }
            }
        }
        files.insert(
            listing_path,
            serde_json::Value::Array(items).to_string().into_bytes(),
        );
        let endless = format!("/{repo}/resolve/main/config.json");
        let (endpoint, sent) = serve_streaming(files, endless, streamed);
        let out = run(trustfill(&kb)
            .env("TRUSTFILL_HOME", &home)
            .env("HF_ENDPOINT", &endpoint)
            .args(["model", "install", "--repo", repo]));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        let expected = match listed {
            Some(_) => "config.json is larger than the 266 bytes the listing gives; the download was stopped there".to_string(),
            None => format!("config.json is larger than {HUGE} bytes, the most trustfill accepts for it when the listing gives no size"),
        };
        assert!(err.contains(&expected), "{err}");
        assert!(!home.join("models").join(repo.replace('/', "--")).exists());
        if listed.is_some() {
            // Give the server a moment to notice the closed connection.
            std::thread::sleep(std::time::Duration::from_millis(300));
            let sent = sent.load(Ordering::Relaxed);
            assert!(
                sent < HUGE / 2,
                "the server sent {sent} of {HUGE} bytes before trustfill stopped reading"
            );
        }
    }
}

/// With a model, a word no entry of the library uses at all needs less of the question's weight
/// to keep the entry next door from being drafted: similarity in meaning carries "privacy
/// awareness training" to an entry on security awareness training. By words only the usual
/// share applies. (The tiny model's similarities mean nothing; the rule is about the words.)
#[test]
fn with_a_model_a_concept_the_library_never_mentions_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let model = tiny(dir.path());
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &[
            entry(
                "awareness",
                "Is security awareness training mandatory for employees and contractors?",
                "Yes",
                "public",
            )
            .replace(
                "comment = \"About",
                "comment = \"At hire and annually. About",
            ),
            entry("backups", "Do you back up customer data?", "Yes", "public"),
            entry("mfa", "Is MFA required for staff?", "Yes", "public"),
        ]
        .concat(),
    )]);
    // Eight terms, all the entry's but "privacy": a fifth of the question's weight, between
    // the share a model needs (0.15) and the one words alone need (0.25).
    let question = "Is privacy awareness training mandatory for all employees and contractors at hire and annually?";
    let not_covered = |with_model: bool| -> String {
        let mut cmd = trustfill(&kb);
        if with_model {
            cmd.arg("--model").arg(&model);
        }
        let out = run(cmd.args(["ask", "--json", question]));
        assert!(out.status.success(), "{}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let m = doc["matches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == "awareness")
            .cloned()
            .unwrap_or_default();
        m["not_covered"].as_str().unwrap_or_default().to_string()
    };
    assert!(
        not_covered(true).contains("does not mention \"privacy\""),
        "{}",
        not_covered(true)
    );
    assert_eq!(not_covered(false), "", "words only keep the usual share");
}

/// Every file under `dir`, nested folders included, in bytes.
fn bytes_under(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                bytes_under(&e.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

/// `model status` reports what an install recorded (its source, its size on disk, nested
/// pooling folder included) and the prefixes given at install time are written into the
/// folder's settings, only the ones given; a folder at the location trustfill used before
/// 0.1 is the default only when its install record lists the pinned checksums
/// (cargo-mutants found these unchecked).
#[test]
fn model_status_reports_the_install_and_the_old_default_location() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
    )]);
    let cmd = || {
        let mut c = trustfill(&kb);
        c.env("TRUSTFILL_HOME", &home);
        c
    };
    let status = |model: Option<&Path>| -> serde_json::Value {
        let mut c = cmd();
        if let Some(m) = model {
            c.arg("--model").arg(m);
        }
        let out = run(c.args(["model", "status", "--json"]));
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let source = dir.path().join("encoder");
    write_tiny_model(&source, 1);
    let out = run(cmd()
        .args(["model", "install", "--query-prefix", "query: ", "--from"])
        .arg(&source));
    assert!(out.status.success(), "{}", stderr(&out));
    let installed = home.join("models/encoder");
    let settings = std::fs::read_to_string(installed.join("trustfill.toml")).unwrap();
    assert!(
        settings.contains("query_prefix = \"query: \""),
        "{settings}"
    );
    assert!(!settings.contains("passage_prefix"), "{settings}");
    let s = status(Some(&installed));
    assert_eq!(s["source"], source.display().to_string());
    assert_eq!(s["installed"], TODAY);
    assert!(installed.join("1_Pooling/config.json").is_file());
    let bytes = bytes_under(&installed);
    assert!(bytes > 1000, "{bytes}");
    assert_eq!(s["bytes"], bytes);
    // Which precision the products run in: the folder's choice, else the CPU's fastest.
    assert_eq!(
        s["precision"],
        trustfill::encoder::Precision::fastest().name(),
        "{s}"
    );
    std::fs::write(
        installed.join("trustfill.toml"),
        format!("{settings}precision = \"f32\"\n"),
    )
    .unwrap();
    assert_eq!(status(Some(&installed))["precision"], "f32");

    // Without a prefix, no settings file at all.
    let plain = dir.path().join("plain");
    write_tiny_model(&plain, 2);
    let out = run(cmd().args(["model", "install", "--from"]).arg(&plain));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!home.join("models/plain/trustfill.toml").exists());

    // The old location: the default only with the pinned checksums in its record.
    let old = home.join("models/all-MiniLM-L6-v2");
    std::fs::create_dir_all(&old).unwrap();
    write_tiny_model(&old, 3);
    let record = |files: Vec<(&str, u64, &str)>| {
        let json = serde_json::json!({
            "source": "sentence-transformers/all-MiniLM-L6-v2", "revision": null,
            "endpoint": null, "installed": TODAY, "files": files,
        });
        std::fs::write(old.join("trustfill-model.json"), json.to_string()).unwrap();
    };
    record(vec![("config.json", 1, "00")]);
    assert_eq!(status(None)["semantic_matching"], "not installed");
    record(
        trustfill::model::pinned_checksums()
            .into_iter()
            .map(|(name, sha)| (name, 1, sha))
            .collect(),
    );
    let s = status(None);
    assert_eq!(s["semantic_matching"], "on", "{s}");
    assert_eq!(s["model"], old.display().to_string());
}

/// The hub's listing decides what is fetched: a listing that gives no sizes still installs
/// (each file is then capped by its kind), one without a required file is refused naming
/// it, and a size above a file's cap is refused before anything is downloaded, while a size
/// exactly at the cap is not (cargo-mutants found these unchecked).
#[test]
fn model_install_follows_the_hubs_listing() {
    let dir = tempfile::tempdir().unwrap();
    let model = tiny(dir.path());
    let home = dir.path().join("home");
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
    )]);
    let install = |repo: &str, edit: &dyn Fn(&mut Vec<serde_json::Value>)| {
        let mut files = hub_files(&model, repo, false);
        let listing_path = format!("/api/models/{repo}/tree/main?recursive=true");
        let mut items: Vec<serde_json::Value> =
            serde_json::from_slice(&files[&listing_path]).unwrap();
        edit(&mut items);
        files.insert(
            listing_path,
            serde_json::Value::Array(items).to_string().into_bytes(),
        );
        let endpoint = serve(files, 7);
        run(trustfill(&kb)
            .env("TRUSTFILL_HOME", &home)
            .env("HF_ENDPOINT", &endpoint)
            .args(["model", "install", "--repo", repo]))
    };
    let out = install("test/unsized", &|items| {
        for item in items.iter_mut() {
            item.as_object_mut().unwrap().remove("size");
            if let Some(lfs) = item.get_mut("lfs") {
                lfs.as_object_mut().unwrap().remove("size");
            }
        }
    });
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(home.join("models/test--unsized/model.safetensors")).unwrap(),
        std::fs::read(model.join("model.safetensors")).unwrap()
    );

    let out = install("test/no-tokenizer", &|items| {
        items.retain(|i| i["path"] != "tokenizer.json")
    });
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("test/no-tokenizer has no tokenizer.json"),
        "{}",
        stderr(&out)
    );

    let sized = |size: u64| {
        move |items: &mut Vec<serde_json::Value>| {
            for item in items.iter_mut() {
                if item["path"] == "model.safetensors" {
                    item["size"] = serde_json::json!(size);
                }
            }
        }
    };
    let cap: u64 = 2 << 30;
    let out = install("test/too-big", &sized(cap + 1));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "the listing gives model.safetensors as {} bytes, more than the {cap} trustfill accepts",
            cap + 1
        )),
        "{}",
        stderr(&out)
    );
    // At the cap: fetched, then refused only because the file is not that long.
    let out = install("test/at-cap", &sized(cap));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("the listing says {cap}")),
        "{}",
        stderr(&out)
    );
    for repo in ["test--no-tokenizer", "test--too-big", "test--at-cap"] {
        assert!(!home.join("models").join(repo).exists(), "{repo}");
    }
}

/// With the real model, a word the entry never uses but that points at it ("fake" phishing
/// emails, the entry on simulated phishing campaigns) no longer holds the entry back, and the
/// reviewer is told which word to check. Words only, it stays held back with its "does not
/// mention" note.
#[test]
#[ignore = "needs the all-MiniLM-L6-v2 folder in TRUSTFILL_TEST_MODEL"]
fn a_word_covered_by_meaning_is_drafted_with_a_note_to_check_it() {
    let (_dir, kb) = shipped_kb_copy();
    let model = test_model();
    let ask = |with_model: bool, question: &str| -> serde_json::Value {
        let mut cmd = trustfill(&kb);
        cmd.args(["ask", "--json", "--top", "1", question]);
        if with_model {
            cmd.arg("--model").arg(&model);
        } else {
            cmd.arg("--no-model");
        }
        let out = run(&mut cmd);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(stdout(&out).trim()).unwrap()
    };
    let question = "Do you send fake phishing emails to staff to test them, and how regularly?";
    let best = &ask(true, question)["matches"][0];
    assert_eq!(best["id"], "hr-phishing-simulations", "{best}");
    assert!(best["confidence"].as_u64().unwrap() >= 70, "{best}");
    assert!(best.get("not_covered").is_none(), "{best}");
    assert!(
        best["covered_by_meaning"]
            .as_str()
            .is_some_and(|n| n.contains("\"fake\"")),
        "{best}"
    );
    let words = &ask(false, question)["matches"][0];
    assert_eq!(words["id"], "hr-phishing-simulations", "{words}");
    assert!(words.get("covered_by_meaning").is_none(), "{words}");
    assert!(
        words["not_covered"]
            .as_str()
            .is_some_and(|n| n.contains("\"fake\"")),
        "{words}"
    );
    assert!(words["confidence"].as_u64().unwrap() < 70, "{words}");
}
