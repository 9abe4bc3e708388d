//! Writing answers into a copy of the vendor's xlsx package. Every zip entry is copied raw
//! (byte for byte, same compression) except the worksheets that receive answers and, when
//! drafted cells are highlighted, `xl/styles.xml`. In a worksheet only the target `<c>` elements
//! are replaced or inserted, located by the byte offsets quick-xml reports, so formulas,
//! validations, merges, conditional formats, protection and everything we do not understand
//! survive untouched. Answers are written as inline strings: never a formula, whatever the text.

use std::collections::{BTreeMap, HashMap};
use std::io::{Seek, Write};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::{attr, local, open_zip, parse_a1, read_part};
use crate::cellref::col_letters;
use crate::error::{Error, Result};

/// One answer to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellWrite {
    pub row: u32,
    pub col: u32,
    pub text: String,
    /// Give the cell a highlight fill (its own style plus a fill), so reviewers see drafts.
    pub highlight: bool,
    /// Take the style of this column's cell on the same row instead of the cell's own (a
    /// header trustfill adds looks like the header beside it).
    pub style_like: Option<u32>,
}

/// The answers for one worksheet part.
#[derive(Debug, Clone, Default)]
pub struct SheetPatch {
    pub part: String,
    pub cells: Vec<CellWrite>,
}

/// Light yellow, the conventional "needs a look" colour.
pub const HIGHLIGHT_RGB: &str = "FFFFF2CC";

/// Copy `input` to `out` with the answers written in. The caller provides a temporary file and
/// renames it into place afterwards: this function never touches the input or the final path.
pub fn patch_workbook<W: Write + Seek>(input: &Path, out: W, patches: &[SheetPatch]) -> Result<()> {
    let mut zip = open_zip(input)?;
    let fail = |message: String| Error::Spreadsheet {
        path: input.to_path_buf(),
        message,
    };
    let mut replaced: HashMap<String, String> = HashMap::new();
    // Pass 1: find each target cell's current style, so a highlighted copy can be derived.
    let mut sheets: Vec<(&SheetPatch, String, SheetLayoutIndex)> = Vec::new();
    for patch in patches.iter().filter(|p| !p.cells.is_empty()) {
        let xml = read_part(&mut zip, input, &patch.part)?;
        let layout = SheetLayoutIndex::scan(&xml);
        sheets.push((patch, xml, layout));
    }
    let mut base_styles: Vec<u32> = Vec::new();
    for (patch, _, layout) in &sheets {
        for w in patch.cells.iter().filter(|w| w.highlight) {
            let s = layout.style_of(w.row, w.style_like.unwrap_or(w.col));
            if !base_styles.contains(&s) {
                base_styles.push(s);
            }
        }
    }
    let mut highlighted: HashMap<u32, u32> = HashMap::new();
    if !base_styles.is_empty()
        && let Ok(styles) = read_part(&mut zip, input, "xl/styles.xml")
        && let Some((new_styles, map)) = add_highlight_styles(&styles, &base_styles)
    {
        replaced.insert("xl/styles.xml".into(), new_styles);
        highlighted = map;
    }
    // Styles that wrap text: a row of fixed height that receives a long text in one of them
    // grows (see `SheetLayoutIndex::rewrite`).
    let wrapping: std::collections::HashSet<u32> = read_part(&mut zip, input, "xl/styles.xml")
        .ok()
        .and_then(|styles| {
            let xfs = element_children(&styles, "cellXfs", "xf")?;
            Some(
                xfs.children
                    .iter()
                    .enumerate()
                    .filter(|(_, (s, e))| {
                        let xf = &styles[*s..*e];
                        xf.contains("wrapText=\"1\"") || xf.contains("wrapText=\"true\"")
                    })
                    .map(|(i, _)| i as u32)
                    .collect(),
            )
        })
        .unwrap_or_default();
    // Pass 2: rewrite the sheets.
    for (patch, xml, layout) in &sheets {
        let new_xml = layout
            .rewrite(xml, &patch.cells, &highlighted, &wrapping)
            .map_err(|m| fail(format!("{}: {m}", patch.part)))?;
        replaced.insert(patch.part.clone(), new_xml);
    }

    write_package(&mut zip, input, out, replaced)
}

/// Copy the package `zip` (read from `input`) to `out`: every entry raw (same bytes, same
/// compression), except those in `replaced`, written with their new text.
pub(crate) fn write_package<W: Write + Seek>(
    zip: &mut zip::ZipArchive<std::fs::File>,
    input: &Path,
    out: W,
    mut replaced: HashMap<String, String>,
) -> Result<()> {
    let fail = |message: String| Error::Spreadsheet {
        path: input.to_path_buf(),
        message,
    };
    let mut writer = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| fail(format!("cannot read zip entry {i}: {e}")))?;
        let name = entry
            .name()
            .map_err(|e| fail(format!("zip entry {i} has an unreadable name: {e}")))?
            .to_string();
        match replaced.remove(&name) {
            Some(text) => {
                drop(entry);
                writer
                    .start_file(name.as_str(), options)
                    .and_then(|()| writer.write_all(text.as_bytes()).map_err(Into::into))
                    .map_err(|e| fail(format!("cannot write {name}: {e}")))?;
            }
            None => writer
                .raw_copy_file(entry)
                .map_err(|e| fail(format!("cannot copy {name}: {e}")))?,
        }
    }
    writer
        .finish()
        .map_err(|e| fail(format!("cannot finish the output zip: {e}")))?;
    Ok(())
}

#[derive(Debug, Clone)]
struct CellSpan {
    col: u32,
    start: usize,
    end: usize,
    style: Option<u32>,
    formula: bool,
}

#[derive(Debug, Clone)]
struct RowSpan {
    row: u32,
    /// The `<row …>` start tag (or the whole `<row …/>` when empty).
    tag_start: usize,
    tag_end: usize,
    empty: bool,
    /// Offset of `</row>`.
    close: usize,
    style: Option<u32>,
    /// The row's height in points, when the sheet fixes it (`customHeight="1"`).
    fixed_height: Option<f32>,
    cells: Vec<CellSpan>,
}

/// Byte offsets of the rows and cells of a worksheet, from one quick-xml pass.
#[derive(Debug, Clone, Default)]
struct SheetLayoutIndex {
    rows: Vec<RowSpan>,
    /// `<sheetData>` start tag end, `</sheetData>` start; or the span of `<sheetData/>`.
    data_open_end: usize,
    data_close: usize,
    data_empty: Option<(usize, usize)>,
    col_styles: Vec<(u32, u32, u32)>,
    /// `(first, last, width in characters)` of `<col>` elements with a width.
    col_widths: Vec<(u32, u32, f32)>,
    /// `<sheetFormatPr defaultColWidth>` (or `baseColWidth`), in characters.
    default_col_width: Option<f32>,
    /// Row number → index in `rows`: a 100,000-row questionnaire looked each row up by a
    /// linear search per written cell, which made writing quadratic (11 s of a 17 s fill).
    by_row: HashMap<u32, usize>,
}

impl SheetLayoutIndex {
    fn scan(xml: &str) -> SheetLayoutIndex {
        let mut index = SheetLayoutIndex::default();
        let mut reader = Reader::from_str(xml);
        let mut next_row = 0;
        let mut next_col = 0;
        let mut in_cell: Option<CellSpan> = None;
        loop {
            let start = reader.buffer_position() as usize;
            let event = match reader.read_event() {
                Ok(Event::Eof) | Err(_) => break,
                Ok(e) => e,
            };
            let end = reader.buffer_position() as usize;
            match event {
                Event::Start(e) | Event::Empty(e) if local(&e) == "col" => {
                    let num = |k: &str| attr(&e, k).and_then(|v| v.parse::<u32>().ok());
                    if let (Some(min), Some(max), Some(style)) =
                        (num("min"), num("max"), num("style"))
                    {
                        index.col_styles.push((
                            min.saturating_sub(1),
                            max.saturating_sub(1),
                            style,
                        ));
                    }
                    if let (Some(min), Some(max), Some(width)) = (
                        num("min"),
                        num("max"),
                        attr(&e, "width").and_then(|w| w.parse::<f32>().ok()),
                    ) {
                        index.col_widths.push((
                            min.saturating_sub(1),
                            max.saturating_sub(1),
                            width,
                        ));
                    }
                }
                Event::Start(e) | Event::Empty(e) if local(&e) == "sheetFormatPr" => {
                    let width = |k: &str| attr(&e, k).and_then(|v| v.parse::<f32>().ok());
                    index.default_col_width =
                        width("defaultColWidth").or_else(|| width("baseColWidth"));
                }
                Event::Start(e) if local(&e) == "sheetData" => index.data_open_end = end,
                Event::Empty(e) if local(&e) == "sheetData" => {
                    index.data_empty = Some((start, end))
                }
                Event::End(e) if e.local_name().into_inner() == "sheetData" => {
                    index.data_close = start
                }
                Event::Start(ref e) | Event::Empty(ref e) if local(e) == "row" => {
                    let row = attr(e, "r")
                        .and_then(|r| r.parse::<u32>().ok())
                        .map_or(next_row, |r| r.saturating_sub(1));
                    next_row = row + 1;
                    next_col = 0;
                    let custom = matches!(attr(e, "customFormat").as_deref(), Some("1" | "true"));
                    let empty = matches!(event, Event::Empty(_));
                    index.rows.push(RowSpan {
                        row,
                        tag_start: start,
                        tag_end: end,
                        empty,
                        close: end,
                        style: attr(e, "s").and_then(|s| s.parse().ok()).filter(|_| custom),
                        fixed_height: attr(e, "ht").and_then(|h| h.parse().ok()).filter(|_| {
                            matches!(attr(e, "customHeight").as_deref(), Some("1" | "true"))
                        }),
                        cells: Vec::new(),
                    });
                }
                Event::End(e) if e.local_name().into_inner() == "row" => {
                    if let Some(r) = index.rows.last_mut() {
                        r.close = start;
                    }
                }
                Event::Start(ref e) | Event::Empty(ref e) if local(e) == "c" => {
                    let col = attr(e, "r")
                        .and_then(|r| parse_a1(&r))
                        .map_or(next_col, |(_, c)| c);
                    next_col = col + 1;
                    let span = CellSpan {
                        col,
                        start,
                        end,
                        style: attr(e, "s").and_then(|s| s.parse().ok()),
                        formula: false,
                    };
                    if matches!(event, Event::Empty(_)) {
                        if let Some(r) = index.rows.last_mut() {
                            r.cells.push(span);
                        }
                    } else {
                        in_cell = Some(span);
                    }
                }
                Event::Start(e) | Event::Empty(e) if local(&e) == "f" => {
                    if let Some(c) = in_cell.as_mut() {
                        c.formula = true;
                    }
                }
                Event::End(e) if e.local_name().into_inner() == "c" => {
                    if let (Some(mut c), Some(r)) = (in_cell.take(), index.rows.last_mut()) {
                        c.end = end;
                        r.cells.push(c);
                    }
                }
                _ => {}
            }
        }
        for (i, r) in index.rows.iter().enumerate() {
            index.by_row.entry(r.row).or_insert(i);
        }
        index
    }

    fn row(&self, row: u32) -> Option<&RowSpan> {
        self.by_row.get(&row).map(|&i| &self.rows[i])
    }

    /// The style a cell shows: its own, else its row's, else its column's, else 0.
    fn style_of(&self, row: u32, col: u32) -> u32 {
        let r = self.row(row);
        r.and_then(|r| r.cells.iter().find(|c| c.col == col).and_then(|c| c.style))
            .or_else(|| r.and_then(|r| r.style))
            .or_else(|| {
                self.col_styles
                    .iter()
                    .find(|(a, b, _)| (*a..=*b).contains(&col))
                    .map(|(_, _, s)| *s)
            })
            .unwrap_or(0)
    }

    /// A column's width in characters: its `<col>`, else the sheet's default, else Excel's.
    fn col_width(&self, col: u32) -> f32 {
        self.col_widths
            .iter()
            .find(|(a, b, _)| (*a..=*b).contains(&col))
            .map(|(_, _, w)| *w)
            .or(self.default_col_width)
            .unwrap_or(8.43)
    }

    /// The height a row of fixed height needs for `writes` in wrapping styles, when more than
    /// it has: lines by column width (a rough count, rounded up), 15 points a line, at most
    /// Excel's 409. None when the row is not fixed, nothing wraps, or it is tall enough.
    fn grown_height(
        &self,
        r: &RowSpan,
        writes: &[&CellWrite],
        wrapping: &std::collections::HashSet<u32>,
    ) -> Option<f32> {
        let fixed = r.fixed_height?;
        let lines = writes
            .iter()
            .filter(|w| wrapping.contains(&self.style_of(w.row, w.style_like.unwrap_or(w.col))))
            .map(|w| {
                let per_line = (self.col_width(w.col) - 1.0).max(1.0);
                w.text
                    .split('\n')
                    .map(|l| (l.chars().count() as f32 / per_line).ceil().max(1.0))
                    .sum::<f32>()
            })
            .fold(0.0, f32::max);
        let needed = (lines * 15.0).min(409.0);
        (needed > fixed).then_some(needed)
    }

    fn rewrite(
        &self,
        xml: &str,
        writes: &[CellWrite],
        highlighted: &HashMap<u32, u32>,
        wrapping: &std::collections::HashSet<u32>,
    ) -> Result<String, String> {
        // Edits: (start, end, replacement), applied in order of position.
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        let mut by_row: BTreeMap<u32, Vec<&CellWrite>> = BTreeMap::new();
        for w in writes {
            by_row.entry(w.row).or_default().push(w);
        }
        let cell_xml = |w: &CellWrite| {
            let base = self.style_of(w.row, w.style_like.unwrap_or(w.col));
            let style = if w.highlight {
                highlighted.get(&base).copied().unwrap_or(base)
            } else {
                base
            };
            inline_cell(w.row, w.col, style, &w.text)
        };
        let mut new_rows: Vec<(u32, String)> = Vec::new();
        for (row, mut cells) in by_row {
            cells.sort_by_key(|w| w.col);
            cells.dedup_by_key(|w| w.col);
            let Some(r) = self.row(row) else {
                let body: String = cells.iter().map(|w| cell_xml(w)).collect();
                new_rows.push((row, format!("<row r=\"{}\">{body}</row>", row + 1)));
                continue;
            };
            // A row the sheet fixes at a height too small for a long wrapped answer grows, so
            // the answer does not spill over the rows below (LibreOffice keeps fixed heights).
            let grown = self.grown_height(r, &cells, wrapping);
            if r.empty {
                let tag = &xml[r.tag_start..r.tag_end];
                let mut open = format!("{}>", tag.trim_end_matches("/>").trim_end());
                if let Some(h) = grown {
                    open = with_attr(&open, "ht", &format!("{h}"));
                }
                let body: String = cells.iter().map(|w| cell_xml(w)).collect();
                edits.push((r.tag_start, r.tag_end, format!("{open}{body}</row>")));
                continue;
            }
            if let Some(h) = grown {
                let tag = &xml[r.tag_start..r.tag_end];
                edits.push((
                    r.tag_start,
                    r.tag_end,
                    with_attr(tag, "ht", &format!("{h}")),
                ));
            }
            for w in cells {
                match r.cells.iter().find(|c| c.col == w.col) {
                    Some(c) if c.formula => {
                        return Err(format!(
                            "refusing to overwrite the formula in {}{}",
                            col_letters(w.col),
                            w.row + 1
                        ));
                    }
                    Some(c) => edits.push((c.start, c.end, cell_xml(w))),
                    None => {
                        let at = r
                            .cells
                            .iter()
                            .find(|c| c.col > w.col)
                            .map_or(r.close, |c| c.start);
                        edits.push((at, at, cell_xml(w)));
                    }
                }
            }
        }
        if !new_rows.is_empty() {
            match self.data_empty {
                Some((start, end)) => {
                    let body: String = new_rows.iter().map(|(_, x)| x.as_str()).collect();
                    edits.push((start, end, format!("<sheetData>{body}</sheetData>")));
                }
                None => {
                    // Rows are in ascending order in a valid sheet, so the first row after
                    // each new one is found by bisection; otherwise by a scan.
                    let sorted = self.rows.windows(2).all(|w| w[0].row < w[1].row);
                    for (row, xml_row) in new_rows {
                        let after = if sorted {
                            self.rows.get(self.rows.partition_point(|r| r.row <= row))
                        } else {
                            self.rows.iter().find(|r| r.row > row)
                        };
                        let at = after.map_or(self.data_close, |r| r.tag_start);
                        edits.push((at, at, xml_row));
                    }
                }
            }
        }
        // Stable sort keeps insertions at one position in row/column order.
        edits.sort_by_key(|e| e.0);
        let mut out =
            String::with_capacity(xml.len() + edits.iter().map(|e| e.2.len()).sum::<usize>());
        let mut pos = 0;
        for (start, end, text) in edits {
            if start < pos {
                return Err("overlapping cell edits".into());
            }
            out.push_str(&xml[pos..start]);
            out.push_str(&text);
            pos = end;
        }
        out.push_str(&xml[pos..]);
        Ok(out)
    }
}

/// `<c r="C14" s="5" t="inlineStr"><is><t xml:space="preserve">…</t></is></c>`, with characters
/// XML 1.0 forbids removed.
fn inline_cell(row: u32, col: u32, style: u32, text: &str) -> String {
    let clean: String = text.chars().filter(|&c| super::xml_char(c)).collect();
    let style = if style == 0 {
        String::new()
    } else {
        format!(" s=\"{style}\"")
    };
    format!(
        "<c r=\"{}{}\"{style} t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
        col_letters(col),
        row + 1,
        quick_xml::escape::escape(clean.as_str())
    )
}

/// Add a solid highlight fill and, for each base style, a copy of its `<xf>` using that fill.
/// Returns the new styles.xml and base → highlighted style indexes, or None when the styles part
/// has an unexpected shape (then cells keep their own style, unhighlighted).
/// `tag` (a start tag `<row …>`) with attribute `name` set to `value`, in its place when present.
fn with_attr(tag: &str, name: &str, value: &str) -> String {
    let key = format!(" {name}=\"");
    match tag.find(&key) {
        Some(at) => {
            let from = at + key.len();
            let to = tag[from..].find('"').map_or(tag.len(), |e| from + e);
            format!("{}{value}{}", &tag[..from], &tag[to..])
        }
        None => {
            let end = tag.len() - if tag.ends_with("/>") { 2 } else { 1 };
            format!("{} {name}=\"{value}\"{}", &tag[..end], &tag[end..])
        }
    }
}

fn add_highlight_styles(styles: &str, bases: &[u32]) -> Option<(String, HashMap<u32, u32>)> {
    let fills = element_children(styles, "fills", "fill")?;
    let xfs = element_children(styles, "cellXfs", "xf")?;
    let fill_id = fills.children.len();
    let fill = format!(
        "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"{HIGHLIGHT_RGB}\"/><bgColor indexed=\"64\"/></patternFill></fill>"
    );
    let mut new_xfs = String::new();
    let mut map = HashMap::new();
    for (i, &base) in bases.iter().enumerate() {
        let (s, e) = *xfs
            .children
            .get(base as usize)
            .or_else(|| xfs.children.first())?;
        let xf = &styles[s..e];
        map.insert(base, (xfs.children.len() + i) as u32);
        new_xfs.push_str(&with_fill(xf, fill_id));
    }
    let mut edits = vec![
        (fills.close, fills.close, fill),
        (xfs.close, xfs.close, new_xfs),
    ];
    edits.extend(count_edit(styles, &fills, fills.children.len() + 1));
    edits.extend(count_edit(styles, &xfs, xfs.children.len() + bases.len()));
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(styles.len() + 512);
    let mut pos = 0;
    for (start, end, text) in edits {
        out.push_str(&styles[pos..start]);
        out.push_str(&text);
        pos = end;
    }
    out.push_str(&styles[pos..]);
    Some((out, map))
}

struct Children {
    open_start: usize,
    open_end: usize,
    close: usize,
    children: Vec<(usize, usize)>,
}

/// Spans of the direct `child` elements of the first `parent` element.
fn element_children(xml: &str, parent: &str, child: &str) -> Option<Children> {
    let mut reader = Reader::from_str(xml);
    let mut found: Option<Children> = None;
    let mut depth = 0usize;
    let mut child_start = None;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().ok()?;
        let end = reader.buffer_position() as usize;
        match event {
            Event::Eof => return None,
            Event::Start(e) if found.is_none() && local(&e) == parent => {
                found = Some(Children {
                    open_start: start,
                    open_end: end,
                    close: 0,
                    children: Vec::new(),
                });
                depth = 0;
            }
            Event::Start(e) if found.is_some() => {
                if depth == 0 && local(&e) == child {
                    child_start = Some(start);
                }
                depth += 1;
            }
            Event::Empty(e) if found.is_some() && depth == 0 && local(&e) == child => {
                found.as_mut()?.children.push((start, end));
            }
            Event::End(e) if found.is_some() => {
                if depth == 0 && e.local_name().into_inner() == parent {
                    let mut f = found?;
                    f.close = start;
                    return Some(f);
                }
                depth -= 1;
                if depth == 0 && e.local_name().into_inner() == child {
                    found.as_mut()?.children.push((child_start.take()?, end));
                }
            }
            _ => {}
        }
    }
}

fn count_edit(xml: &str, c: &Children, count: usize) -> Option<(usize, usize, String)> {
    let tag = &xml[c.open_start..c.open_end];
    let at = tag.find(" count=\"")?;
    let value_start = at + 8;
    let value_end = value_start + tag[value_start..].find('"')?;
    Some((
        c.open_start + value_start,
        c.open_start + value_end,
        count.to_string(),
    ))
}

/// The `<xf …>` element with `fillId` set to `fill_id` and `applyFill="1"`.
fn with_fill(xf: &str, fill_id: usize) -> String {
    let tag_end = xf.find('>').unwrap_or(xf.len());
    let (tag, rest) = xf.split_at(tag_end);
    let self_closing = tag.ends_with('/');
    let mut tag = tag.trim_end_matches('/').to_string();
    for (name, value) in [
        ("fillId", fill_id.to_string()),
        ("applyFill", "1".to_string()),
    ] {
        let key = format!(" {name}=\"");
        match tag.find(&key) {
            Some(at) => {
                let vs = at + key.len();
                let ve = vs + tag[vs..].find('"').unwrap_or(0);
                tag.replace_range(vs..ve, &value);
            }
            None => tag.push_str(&format!(" {name}=\"{value}\"")),
        }
    }
    if self_closing {
        tag.push('/');
    }
    format!("{tag}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHEET: &str = r#"<worksheet><cols><col min="3" max="3" style="7"/></cols><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="3"><c r="A3" s="2"><v>1</v></c><c r="C3" s="4"/><c r="D3"><f>A3*2</f><v>2</v></c></row><row r="5" s="9" customFormat="1"/></sheetData></worksheet>"#;

    fn write(row: u32, col: u32, text: &str) -> CellWrite {
        CellWrite {
            row,
            col,
            text: text.into(),
            highlight: false,
            style_like: None,
        }
    }

    #[test]
    fn replaces_inserts_and_adds_rows_in_order() {
        let index = SheetLayoutIndex::scan(SHEET);
        let out = index
            .rewrite(
                SHEET,
                &[
                    write(2, 2, "Yes"),
                    write(2, 1, "=HYPERLINK(\"x\")"),
                    write(1, 2, "new row"),
                    write(4, 2, "in empty row"),
                    write(9, 0, "last"),
                ],
                &HashMap::new(),
                &Default::default(),
            )
            .unwrap();
        // C3 keeps its style; B3 is inserted before C3 with the column default style 0.
        assert!(out.contains(r#"<c r="A3" s="2"><v>1</v></c><c r="B3" t="inlineStr"><is><t xml:space="preserve">=HYPERLINK(&quot;x&quot;)</t></is></c><c r="C3" s="4" t="inlineStr"><is><t xml:space="preserve">Yes</t></is></c><c r="D3"><f>A3*2</f>"#), "{out}");
        // A missing row is inserted between rows 1 and 3; column C's default style 7 applies.
        assert!(out.contains(r#"</row><row r="2"><c r="C2" s="7" t="inlineStr"><is><t xml:space="preserve">new row</t></is></c></row><row r="3">"#), "{out}");
        // An empty <row/> is opened; the row's custom style applies.
        assert!(out.contains(r#"<row r="5" s="9" customFormat="1"><c r="C5" s="9" t="inlineStr"><is><t xml:space="preserve">in empty row</t></is></c></row>"#), "{out}");
        assert!(out.contains(r#"<row r="10"><c r="A10" t="inlineStr"><is><t xml:space="preserve">last</t></is></c></row></sheetData>"#), "{out}");
        assert!(out.starts_with("<worksheet><cols>"));
    }

    #[test]
    fn rows_and_cells_without_references_are_numbered_by_position() {
        // Writers other than Excel may leave out `r`: a row then follows the one before it,
        // a cell the cell before it.
        const BARE: &str = r#"<worksheet><sheetData><row r="2"><c><v>1</v></c></row><row><c t="s"><v>0</v></c><c><f>1+1</f></c></row><row><c/></row></sheetData></worksheet>"#;
        let index = SheetLayoutIndex::scan(BARE);
        let rows: Vec<u32> = index.rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, [1, 2, 3]);
        let err = index
            .rewrite(
                BARE,
                &[write(2, 1, "x")],
                &HashMap::new(),
                &Default::default(),
            )
            .unwrap_err();
        assert!(err.contains("formula in B3"), "{err}");
    }

    #[test]
    fn a_fixed_height_row_grows_for_a_long_wrapped_answer_and_no_other_does() {
        // Column B is 20 characters wide; style 1 wraps, style 0 does not. Row 1 is fixed at
        // 15 points, row 2 is fixed at 60, row 3 is not fixed.
        const FIXED: &str = r#"<worksheet><sheetFormatPr defaultRowHeight="15"/><cols><col min="2" max="2" width="20" customWidth="1"/></cols><sheetData><row r="1" ht="15" customHeight="1"><c r="B1" s="1"/></row><row r="2" ht="60" customHeight="1"><c r="B2" s="1"/></row><row r="3"><c r="B3" s="1"/></row><row r="4" ht="15" customHeight="1"><c r="B4"/></row></sheetData></worksheet>"#;
        let index = SheetLayoutIndex::scan(FIXED);
        let long = "word ".repeat(19); // 95 characters: 5 lines of 19
        let wrapping: std::collections::HashSet<u32> = [1].into();
        let out = index
            .rewrite(
                FIXED,
                &[
                    write(0, 1, &long),
                    write(1, 1, &long),
                    write(2, 1, &long),
                    write(3, 1, &long),
                ],
                &HashMap::new(),
                &wrapping,
            )
            .unwrap();
        assert!(
            out.contains(r#"<row r="1" ht="75" customHeight="1">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<row r="2" ht="75" customHeight="1">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<row r="3">"#),
            "not fixed: left to the application: {out}"
        );
        assert!(
            out.contains(r#"<row r="4" ht="15" customHeight="1">"#),
            "no wrap, no growth: {out}"
        );
        // A short answer changes no height.
        let out = index
            .rewrite(FIXED, &[write(0, 1, "Yes")], &HashMap::new(), &wrapping)
            .unwrap();
        assert!(
            out.contains(r#"<row r="1" ht="15" customHeight="1">"#),
            "{out}"
        );
    }

    #[test]
    fn never_overwrites_a_formula() {
        let index = SheetLayoutIndex::scan(SHEET);
        let err = index
            .rewrite(
                SHEET,
                &[write(2, 3, "x")],
                &HashMap::new(),
                &Default::default(),
            )
            .unwrap_err();
        assert!(err.contains("formula in D3"), "{err}");
    }

    #[test]
    fn control_characters_are_dropped_and_markup_escaped() {
        assert_eq!(
            inline_cell(0, 0, 0, "a\u{1}<b>&\tc"),
            "<c r=\"A1\" t=\"inlineStr\"><is><t xml:space=\"preserve\">a&lt;b&gt;&amp;\tc</t></is></c>"
        );
    }

    #[test]
    fn highlight_styles_copy_the_base_xf_with_a_new_fill() {
        let styles = r#"<styleSheet><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="1" applyProtection="1"><protection locked="0"/></xf></cellXfs></styleSheet>"#;
        let (out, map) = add_highlight_styles(styles, &[1, 0]).unwrap();
        assert_eq!(map[&1], 2);
        assert_eq!(map[&0], 3);
        assert!(
            out.contains(r#"<fills count="3">"#) && out.contains(r#"<cellXfs count="4">"#),
            "{out}"
        );
        assert!(out.contains(r#"<xf numFmtId="0" fontId="1" fillId="2" borderId="1" applyProtection="1" applyFill="1"><protection locked="0"/></xf></cellXfs>"#.split("</cellXfs>").next().unwrap()), "{out}");
        assert!(
            out.contains(
                r#"<xf numFmtId="0" fontId="0" fillId="2" borderId="0" applyFill="1"/></cellXfs>"#
            ),
            "{out}"
        );
    }
}
