//! Writing answer entries as TOML a reviewer can read: one `[[answer]]` table per entry, keys in
//! the documented order, strings escaped by the `toml` crate. Used by `kb import` (and later by
//! the commands that learn from reviewed questionnaires).

use super::KbEntry;

fn string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn array(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| string(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// One `[[answer]]` table, ending with a blank line.
pub fn entry(e: &KbEntry) -> String {
    let mut out = String::from("[[answer]]\n");
    out.push_str(&format!("id = {}\n", string(&e.id)));
    out.push_str(&format!("question = {}\n", string(&e.question)));
    if !e.variants.is_empty() {
        out.push_str("variants = [\n");
        for v in &e.variants {
            out.push_str(&format!("  {},\n", string(v)));
        }
        out.push_str("]\n");
    }
    out.push_str(&format!(
        "answer = {}\n",
        string(e.answer.as_deref().unwrap_or(""))
    ));
    if !e.comment.is_empty() {
        out.push_str(&format!("comment = {}\n", string(&e.comment)));
    }
    if !e.tags.is_empty() {
        out.push_str(&format!("tags = {}\n", array(&e.tags)));
    }
    out.push_str(&format!("audience = {}\n", string(e.audience.as_str())));
    if let Some(owner) = &e.owner {
        out.push_str(&format!("owner = {}\n", string(owner)));
    }
    if let Some(reviewed) = e.reviewed {
        out.push_str(&format!("reviewed = {reviewed}\n"));
    }
    if !e.refs.is_empty() {
        out.push_str(&format!("refs = {}\n", array(&e.refs)));
    }
    if e.proposed {
        out.push_str("proposed = true\n");
    }
    if !e.rejected.is_empty() {
        out.push_str(&format!("rejected = {}\n", array(&e.rejected)));
    }
    out.push('\n');
    out
}

/// A whole answers file: `#` comment lines from `header`, then the entries.
pub fn file(header: &str, entries: &[KbEntry]) -> String {
    let mut out = String::new();
    for line in header.lines() {
        out.push_str(&format!("# {line}\n"));
    }
    out.push('\n');
    for e in entries {
        out.push_str(&entry(e));
    }
    out
}
