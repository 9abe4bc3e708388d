//! The arrows of ARCHITECTURE.md's diagram point down: a module uses only modules in its own
//! layer or below. This reads every source file for `crate::MODULE` paths (and `use crate::{…}`
//! groups) and fails naming the file and the upward import. A new top-level module must be
//! given a layer here, which is where the diagram learns about it.

use std::collections::BTreeMap;
use std::path::Path;

/// Layers, bottom first. Modules of one layer may use each other.
const LAYERS: &[&[&str]] = &[
    &[
        "lines", "date", "hash", "atomic", "fault", "limits", "cellref", "error", "grid",
    ],
    &["text", "thesaurus"],
    &["kb"],
    // The formats: calamine grids and the checks every input passes, xlsx package facts and
    // patches; Word documents (which write through the xlsx package copier) above them; and
    // the one interface over all of them, the only module that chooses by format. PDF reading
    // (words with positions, form fields) sits with the spreadsheet formats.
    &["workbook", "xlsx", "encoder", "pdf"],
    &["docx"],
    &["container", "index", "model"],
    &["matcher", "questionnaire"],
    &["fill", "eval"],
    &["ops"],
    &["present", "output"],
    &["cmd"],
];

fn layer_of(module: &str) -> Option<usize> {
    // `crate::Error` and `crate::Result` are `error`'s, re-exported at the root.
    let module = if matches!(module, "Error" | "Result") {
        "error"
    } else {
        module
    };
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level modules a source text names through `crate::`.
fn used_modules(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inside = &group[..group.find('}').unwrap_or(group.len())];
            for item in inside.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for item in std::fs::read_dir(dir).unwrap().flatten() {
        let path = item.path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn every_module_uses_only_its_layer_and_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    let mut upward: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unplaced = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "lib.rs" || rel == "main.rs" {
            continue;
        }
        let module = rel.split(['/', '.']).next().unwrap().to_string();
        let Some(own) = layer_of(&module) else {
            unplaced.push(module);
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests may reach anywhere, and comments (doc links) are no imports.
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or(&text)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for used in used_modules(&code) {
            match layer_of(&used) {
                Some(l) if l > own => upward
                    .entry(rel.clone())
                    .or_default()
                    .push(format!("{used} (layer {l} above {module}'s {own})")),
                Some(_) => {}
                None => unplaced.push(used),
            }
        }
    }
    unplaced.sort();
    unplaced.dedup();
    assert!(
        unplaced.is_empty(),
        "modules without a layer in tests/it/layers.rs (place them, and in ARCHITECTURE.md's diagram): {unplaced:?}"
    );
    assert!(upward.is_empty(), "imports that point up: {upward:#?}");
}

#[test]
fn the_import_reader_finds_paths_and_groups() {
    assert_eq!(
        used_modules("use crate::{kb::Audience, text};\nlet x = crate::matcher::find();"),
        ["kb", "text", "matcher"]
    );
}
