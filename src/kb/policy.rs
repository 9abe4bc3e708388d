//! Parsing `policies/*.md`: a front-matter block (`---`, flat `key: value` lines: id, title,
//! audience, owner, reviewed) followed by Markdown split into excerpts at headings. Each excerpt
//! with text under it becomes a [`KbEntry`] cited as `policy-id#heading-slug`.

use std::collections::HashMap;
use std::path::Path;

use super::{Audience, EntryKind, KbEntry, Source, answers::is_valid_id};
use crate::date::Date;
use crate::error::KbProblem;

const KEYS: [&str; 5] = ["id", "title", "audience", "owner", "reviewed"];

pub(super) fn parse(text: &str, rel: &str, display: &Path) -> Result<Vec<KbEntry>, Vec<KbProblem>> {
    let problem = |line: usize, message: String| KbProblem {
        path: display.to_path_buf(),
        line: Some(line),
        message,
    };
    let lines: Vec<&str> = text.lines().collect();
    if lines.first().map(|l| l.trim()) != Some("---") {
        return Err(vec![problem(
            1,
            "policy documents start with a front-matter block: a line `---`, then id, title, audience, owner, reviewed as `key: value`, then `---`".into(),
        )]);
    }
    let Some(end) = lines
        .iter()
        .skip(1)
        .position(|l| l.trim() == "---")
        .map(|p| p + 1)
    else {
        return Err(vec![problem(
            1,
            "front matter is not closed by a `---` line".into(),
        )]);
    };
    let mut problems = Vec::new();
    let mut meta: HashMap<&str, (usize, String)> = HashMap::new();
    for (i, line) in lines.iter().enumerate().take(end).skip(1) {
        let line_no = i + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            problems.push(problem(
                line_no,
                format!("expected `key: value`, found {line:?}"),
            ));
            continue;
        };
        let key = key.trim();
        let Some(known) = KEYS.iter().find(|k| **k == key) else {
            problems.push(problem(
                line_no,
                format!(
                    "unknown front-matter key `{key}`, expected one of {}",
                    KEYS.join(", ")
                ),
            ));
            continue;
        };
        let value = value.trim().trim_matches('"').to_string();
        if meta.insert(known, (line_no, value)).is_some() {
            problems.push(problem(
                line_no,
                format!("front-matter key `{key}` is given twice"),
            ));
        }
    }
    for key in ["id", "title", "audience"] {
        if meta.get(key).is_none_or(|(_, v)| v.is_empty()) {
            problems.push(problem(1, format!("front matter is missing `{key}`")));
        }
    }
    let get = |k: &str| meta.get(k).map(|(_, v)| v.clone()).unwrap_or_default();
    let id = get("id");
    if let Some((line, _)) = meta
        .get("id")
        .filter(|_| !id.is_empty() && !is_valid_id(&id))
    {
        problems.push(problem(
            *line,
            format!("invalid id {id:?}: use lowercase letters, digits and '-'"),
        ));
    }
    let audience = match meta.get("audience") {
        Some((line, v)) if !v.is_empty() => match v.parse::<Audience>() {
            Ok(a) => Some(a),
            Err(e) => {
                problems.push(problem(*line, e));
                None
            }
        },
        _ => None,
    };
    let reviewed = match meta.get("reviewed") {
        Some((line, v)) if !v.is_empty() => match v.parse::<Date>() {
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(problem(*line, format!("reviewed: {e}")));
                None
            }
        },
        _ => None,
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let title = get("title");
    let owner = Some(get("owner")).filter(|o| !o.is_empty());
    let audience = audience.expect("checked above");

    let mut entries = Vec::new();
    let mut slugs: HashMap<String, usize> = HashMap::new();
    for section in sections(&lines, end + 1) {
        let body = section.body.trim();
        if body.is_empty() {
            continue;
        }
        let base = slugify(&section.heading);
        let count = slugs.entry(base.clone()).or_insert(0);
        let slug = if *count == 0 {
            base.clone()
        } else {
            format!("{base}-{count}")
        };
        *count += 1;
        entries.push(KbEntry {
            id: format!("{id}#{slug}"),
            kind: EntryKind::Policy,
            question: section.heading.clone(),
            variants: Vec::new(),
            answer: None,
            comment: body.to_string(),
            tags: vec![title.clone()],
            audience,
            owner: owner.clone(),
            reviewed,
            refs: Vec::new(),
            rejected: Vec::new(),
            proposed: false,
            source: Source {
                path: rel.to_string(),
                line: section.line,
            },
        });
    }
    if entries.is_empty() {
        return Err(vec![problem(
            end + 1,
            "policy document has no text under any heading".into(),
        )]);
    }
    Ok(entries)
}

/// The 1-based line of the front matter's `id:` (1 when there is none).
pub(super) fn id_line(text: &str) -> usize {
    text.lines()
        .enumerate()
        .skip(1)
        .take_while(|(_, l)| l.trim() != "---")
        .find(|(_, l)| l.split_once(':').is_some_and(|(k, _)| k.trim() == "id"))
        .map_or(1, |(i, _)| i + 1)
}

struct Section {
    heading: String,
    line: usize,
    body: String,
}

/// Split Markdown lines (from index `start`) at ATX headings, ignoring `#` lines inside code
/// fences. Text before the first heading goes into a section titled by the document's first
/// heading or, failing that, "Introduction".
fn sections(lines: &[&str], start: usize) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut in_fence = false;
    for (i, line) in lines.iter().enumerate().skip(start) {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        }
        if !in_fence && let Some(heading) = heading_text(trimmed) {
            out.push(Section {
                heading,
                line: i + 1,
                body: String::new(),
            });
            continue;
        }
        if out.is_empty() {
            out.push(Section {
                heading: "Introduction".into(),
                line: i + 1,
                body: String::new(),
            });
        }
        let current = out.last_mut().expect("pushed above");
        current.body.push_str(line);
        current.body.push('\n');
    }
    out
}

fn heading_text(line: &str) -> Option<String> {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.starts_with(' ') {
        return None;
    }
    let text = rest.trim().trim_end_matches('#').trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// GitHub-style heading slug: lowercase, letters/digits kept, spaces and dashes to `-`, the rest
/// dropped. `Access Reviews (Quarterly)` → `access-reviews-quarterly`.
pub fn slugify(heading: &str) -> String {
    let mut slug = String::new();
    for c in heading.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' {
            slug.push(c);
        } else if (c == ' ' || c == '-') && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "---\nid: access-control-policy\ntitle: Access Control Policy\naudience: public\nowner: security@example.com\nreviewed: 2026-07-01\n---\n# Access Control Policy\n\n## Multi-factor Authentication\nAll staff use MFA.\n\n```\n# not a heading\n```\n\n## Access Reviews (Quarterly)\nManagers review access.\n\n## Multi-factor Authentication\nAgain.\n";

    fn parse_str(text: &str) -> Result<Vec<KbEntry>, Vec<String>> {
        parse(text, "policies/p.md", Path::new("kb/policies/p.md"))
            .map_err(|ps| ps.into_iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn splits_at_headings_into_citable_excerpts() {
        let entries = parse_str(DOC).unwrap();
        let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "access-control-policy#multi-factor-authentication",
                "access-control-policy#access-reviews-quarterly",
                "access-control-policy#multi-factor-authentication-1",
            ]
        );
        assert!(entries[0].comment.contains("# not a heading"));
        assert_eq!(entries[0].source.line, 10);
        assert_eq!(entries[0].audience, Audience::Public);
        assert!(entries[0].answer.is_none());
    }

    #[test]
    fn front_matter_errors_name_the_line() {
        let errs = parse_str(&DOC.replace("audience: public", "audience: secret")).unwrap_err();
        assert!(
            errs[0].starts_with("kb/policies/p.md:4: unknown audience"),
            "{errs:?}"
        );
        let errs = parse_str(&DOC.replace("owner:", "ownr:")).unwrap_err();
        assert!(
            errs[0].contains(":5: unknown front-matter key `ownr`"),
            "{errs:?}"
        );
        let errs = parse_str("# no front matter\ntext\n").unwrap_err();
        assert!(errs[0].contains(":1: policy documents start with a front-matter block"));
    }

    #[test]
    fn slugs_match_github() {
        assert_eq!(
            slugify("Access Reviews (Quarterly)"),
            "access-reviews-quarterly"
        );
        assert_eq!(slugify("  TLS 1.2 / 1.3  "), "tls-12-13");
        assert_eq!(
            slugify("Multi-factor authentication"),
            "multi-factor-authentication"
        );
    }
}
