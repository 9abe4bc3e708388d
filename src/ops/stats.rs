//! `kb stats` and `kb export`: the library seen from above (counts by audience, tag, owner,
//! age, file) and as one spreadsheet row per entry, for people who review in Excel. The export
//! uses the column names `kb import` understands, so it round-trips.

use std::collections::BTreeMap;
use std::io::{Seek, Write};

use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;

use crate::date::Date;
use crate::error::{Error, Result};
use crate::kb::{EntryKind, KnowledgeBase};

#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub answers: usize,
    pub policy_excerpts: usize,
    pub by_audience: BTreeMap<String, usize>,
    pub by_tag: BTreeMap<String, usize>,
    pub by_owner: BTreeMap<String, usize>,
    /// "< 3 months", "3-6 months", "6-12 months", "> 12 months", "never reviewed".
    pub by_age: BTreeMap<String, usize>,
    pub by_file: BTreeMap<String, usize>,
    /// Question ids referenced, by framework (a reference without its id: "CAIQ v4.0.3").
    pub by_framework: BTreeMap<String, usize>,
}

pub fn stats(kb: &KnowledgeBase, today: Date) -> Stats {
    let mut s = Stats::default();
    for e in &kb.entries {
        match e.kind {
            EntryKind::Answer => s.answers += 1,
            EntryKind::Policy => s.policy_excerpts += 1,
        }
        *s.by_audience.entry(e.audience.to_string()).or_default() += 1;
        *s.by_file.entry(e.source.path.clone()).or_default() += 1;
        for r in &e.refs {
            let framework = r
                .rsplit_once(char::is_whitespace)
                .map_or("(no framework named)", |(f, _)| f.trim());
            *s.by_framework.entry(framework.to_string()).or_default() += 1;
        }
        if e.kind == EntryKind::Answer {
            for t in &e.tags {
                *s.by_tag.entry(t.clone()).or_default() += 1;
            }
        }
        *s.by_owner
            .entry(e.owner.clone().unwrap_or_else(|| "(none)".into()))
            .or_default() += 1;
        let age = match e.reviewed {
            None => "never reviewed",
            Some(d) => match today.to_days() - d.to_days() {
                ..=91 => "< 3 months",
                92..=182 => "3-6 months",
                183..=365 => "6-12 months",
                _ => "> 12 months",
            },
        };
        *s.by_age.entry(age.to_string()).or_default() += 1;
    }
    s
}

/// One row per answer entry, with the columns `kb import` reads back.
pub fn export<W: Write + Seek + Send>(
    kb: &KnowledgeBase,
    out: W,
    path: &std::path::Path,
) -> Result<usize> {
    let err = |e: rust_xlsxwriter::XlsxError| Error::Spreadsheet {
        path: path.to_path_buf(),
        message: format!("cannot write the workbook: {e}"),
    };
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Knowledge base").map_err(err)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let headers = [
        ("ID", 28.0),
        ("Question", 50.0),
        ("Variants", 50.0),
        ("Answer", 16.0),
        ("Comment", 70.0),
        ("Tags", 24.0),
        ("Audience", 10.0),
        ("Owner", 26.0),
        ("Reviewed", 12.0),
        ("Source", 28.0),
    ];
    for (c, (h, w)) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
        ws.set_column_width(c as u16, *w).map_err(err)?;
    }
    let mut row = 0;
    for e in kb.entries.iter().filter(|e| e.kind == EntryKind::Answer) {
        row += 1;
        let cells = [
            e.id.clone(),
            e.question.clone(),
            e.variants.join("\n"),
            e.answer.clone().unwrap_or_default(),
            e.comment.clone(),
            e.tags.join(", "),
            e.audience.to_string(),
            e.owner.clone().unwrap_or_default(),
            e.reviewed.map(|d| d.to_string()).unwrap_or_default(),
            e.source.to_string(),
        ];
        for (c, text) in cells.iter().enumerate() {
            if !text.is_empty() {
                // Text, never a formula, whatever it starts with.
                ws.write_string_with_format(row, c as u16, text, &wrap)
                    .map_err(err)?;
            }
        }
    }
    ws.autofilter(0, 0, row.max(1), headers.len() as u16 - 1)
        .map_err(err)?;
    ws.set_freeze_panes(1, 0).map_err(err)?;
    wb.save_to_writer(out).map_err(err)?;
    Ok(row as usize)
}
