//! Writing answers into a copy of a .docx. Every zip entry is copied raw except
//! `word/document.xml`, and in it only the answer cells' first paragraphs change: a run with
//! the answer is added (an empty cell) or replaces the paragraph's runs after its properties
//! and an answer line's label (`--overwrite`), with the cell's own run properties, plus a
//! yellow highlight for drafts. Answers are text:
//! `w:t` with markup escaped, lines joined by `w:br`. A cell of checkboxes is ticked, not typed
//! into: the box before the answer's label becomes `☒` (and a content control's `w14:checked`
//! follows). New elements are spelled with the document's own prefix for the main namespace.
//!
//! Nothing is written that does not parse: [`check_well_formed`] reads the new part again
//! (matching tags, characters XML 1.0 allows, declared prefixes) and a failure is an error
//! before the package is copied, so a slip in an edit is a refusal, never a document Word
//! cannot open.

use std::collections::HashMap;
use std::io::{Seek, Write};
use std::path::Path;

use quick_xml::events::Event;

use super::{DOCUMENT, Document, without_bom};
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::xlsx::patch::{CellWrite, write_package};
use crate::xlsx::{open_zip, read_part, xml_char};

/// Elements that follow `w:highlight` in a run's properties (ECMA-376 `CT_RPr` order): the
/// highlight goes before the first of them, or last.
const AFTER_HIGHLIGHT: [&str; 13] = [
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
];

/// Copy `input` to `out` with each write's text in its table cell (`(table index, write)`,
/// the write's row and column in that table's grid). A cell that already has text is replaced
/// only with `overwrite`; otherwise it is an error, as a formula cell is for a workbook. The
/// document is read under `limits`, and the new `document.xml` must parse as well-formed XML
/// ([`check_well_formed`]) before anything is written to `out`.
pub fn patch_document<W: Write + Seek>(
    input: &Path,
    out: W,
    writes: &[(usize, CellWrite)],
    overwrite: bool,
    limits: &Limits,
) -> Result<()> {
    let mut zip = open_zip(input)?;
    let xml = read_part(&mut zip, input, DOCUMENT)?;
    let doc = Document::parse_with(&xml, limits).map_err(|e| e.into_error(input))?;
    let new_xml =
        rewrite_parsed(&xml, &doc, writes, overwrite).map_err(|message| Error::Spreadsheet {
            path: input.to_path_buf(),
            message: format!("{DOCUMENT}: {message}"),
        })?;
    let mut replaced = HashMap::new();
    replaced.insert(DOCUMENT.to_string(), new_xml);
    write_package(&mut zip, input, out, replaced)
}

/// [`patch_document`] on the text of `word/document.xml`: the new text, or why not.
pub fn rewrite_xml(
    xml: &str,
    writes: &[(usize, CellWrite)],
    overwrite: bool,
) -> std::result::Result<String, String> {
    let doc = Document::parse(xml).map_err(|e| e.to_string())?;
    rewrite_parsed(xml, &doc, writes, overwrite)
}

/// The edits on the part's text after its byte order mark (where the offsets count from), the
/// mark kept, and the result checked: refused rather than written when not well-formed.
fn rewrite_parsed(
    xml: &str,
    doc: &Document,
    writes: &[(usize, CellWrite)],
    overwrite: bool,
) -> std::result::Result<String, String> {
    let body = without_bom(xml);
    let out = format!(
        "{}{}",
        &xml[..xml.len() - body.len()],
        rewrite(body, doc, writes, overwrite)?
    );
    check_well_formed(&out)
        .map_err(|e| format!("the answers would make it unreadable ({e}); nothing was written"))?;
    Ok(out)
}

/// How new elements are spelled: with the document's own prefix for the main namespace, or,
/// when it is the default namespace, `w:` declared on each element written.
struct Markup {
    /// `w:`, `ns0:`.
    p: String,
    /// "" or ` xmlns:w="…"`.
    decl: String,
}

impl Markup {
    fn new(doc: &Document) -> Markup {
        if doc.prefix.is_empty() {
            Markup {
                p: "w:".into(),
                decl: format!(" xmlns:w=\"{}\"", doc.namespace),
            }
        } else {
            Markup {
                p: format!("{}:", doc.prefix),
                decl: String::new(),
            }
        }
    }
}

fn rewrite(
    xml: &str,
    doc: &Document,
    writes: &[(usize, CellWrite)],
    overwrite: bool,
) -> std::result::Result<String, String> {
    let m = Markup::new(doc);
    let w = &m.p;
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for (table, cw) in writes {
        let where_ = || {
            let table = match *table {
                super::TEXT_INDEX => super::TEXT.to_string(),
                i => format!("table {}", i.saturating_add(1)),
            };
            format!("{table} row {} column {}", cw.row + 1, cw.col + 1)
        };
        let cell = doc
            .table(*table)
            .and_then(|t| t.cell(cw.row, cw.col))
            .ok_or_else(|| format!("there is no cell at {}", where_()))?;
        // The cell's label: the nearest cell with text left of it on its row, for telling a
        // template's placeholder ("Vendor Name" repeated in its own field) from an answer.
        let label = doc
            .table(*table)
            .and_then(|t| t.rows.get(cw.row as usize))
            .and_then(|row| {
                row.iter()
                    .filter(|c| c.col < cw.col && !c.text.trim().is_empty())
                    .max_by_key(|c| c.col)
            })
            .map_or("", |c| c.text.as_str());
        let placeholder = |text: &str| crate::kb::profile::is_placeholder(text, label);
        if !cell.choices.is_empty() {
            // A choice: tick the box of the answer's label (and untick the others), typing
            // nothing.
            let wanted = cw.text.trim();
            let pick = if cell.is_tick() {
                // A lone box under an option's header: a mark ticks it, nothing unticks it.
                (!wanted.is_empty()).then_some(0)
            } else {
                let labels: Vec<&str> = cell.choices.iter().map(|c| c.label.as_str()).collect();
                let at = labels
                    .iter()
                    .position(|l| l.eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| {
                        format!(
                            "the cell at {} is a choice of {}; none is {wanted:?}",
                            where_(),
                            labels.join(", ")
                        )
                    })?;
                Some(at)
            };
            let changes = cell
                .choices
                .iter()
                .enumerate()
                .any(|(i, c)| c.checked && pick != Some(i));
            if !overwrite && changes {
                return Err(format!("refusing to change the ticked box at {}", where_()));
            }
            for (i, c) in cell.choices.iter().enumerate() {
                let tick = pick == Some(i);
                if c.checked == tick {
                    continue;
                }
                if c.legacy {
                    // The field's default becomes the state; an explicit override goes.
                    edits.push((
                        c.glyph.0,
                        c.glyph.1,
                        format!("<{w}default{} {w}val=\"{}\"/>", m.decl, u8::from(tick)),
                    ));
                    if let Some((s, e)) = c.checked_element {
                        edits.push((s, e, String::new()));
                    }
                    continue;
                }
                edits.push((
                    c.glyph.0,
                    c.glyph.1,
                    if tick { "\u{2612}" } else { "\u{2610}" }.into(),
                ));
                if let Some((s, e)) = c.checked_element {
                    // The state element keeps its own name (`w14:checked`).
                    let name = super::element_qname(&xml[s..e]);
                    let prefix = name.rsplit_once(':').map_or("", |(p, _)| p);
                    let attr = if prefix.is_empty() {
                        "val".to_string()
                    } else {
                        format!("{prefix}:val")
                    };
                    edits.push((s, e, format!("<{name} {attr}=\"{}\"/>", u8::from(tick))));
                }
            }
            continue;
        }
        if let Some(control) = cell.control.as_ref()
            && let Some((text_start, text_end)) = control.text
        {
            // A content control is the slot: its text becomes the answer (a dropdown's own
            // item), and it stops showing its placeholder.
            let value = if control.items.is_empty() {
                cw.text.clone()
            } else {
                control
                    .items
                    .iter()
                    .find(|i| i.trim().eq_ignore_ascii_case(cw.text.trim()))
                    .cloned()
                    .ok_or_else(|| {
                        format!(
                            "the dropdown at {} offers {}; none is {:?}",
                            where_(),
                            control.items.join(", "),
                            cw.text
                        )
                    })?
            };
            if !overwrite && !control.value.trim().is_empty() && !placeholder(&control.value) {
                return Err(format!(
                    "refusing to overwrite the text already at {}",
                    where_()
                ));
            }
            // Inside the control's `w:t`: its lines, each in a `w:t` of its own, with breaks
            // between them as in a plain cell.
            let lines: Vec<String> = value
                .split('\n')
                .map(|l| escape(l.trim_end_matches('\r')))
                .collect();
            let between = format!(
                "</{w}t><{w}br{d}/><{w}t{d} xml:space=\"preserve\">",
                d = m.decl
            );
            edits.push((text_start, text_end, lines.join(&between)));
            if let Some((s, e)) = control.placeholder {
                edits.push((s, e, String::new()));
            }
            continue;
        }
        let props = cell.run_props.map(|(s, e)| &xml[s..e]);
        let text = if cell.after_label {
            format!(" {}", cw.text)
        } else {
            cw.text.clone()
        };
        let run = run_xml(&m, props, &text, cw.highlight);
        let (tag_start, tag_end) = cell.para_tag;
        if tag_start == 0
            && let Some(at) = cell.insert_at
        {
            // A question of a bare numbered list: its answer is a paragraph of its own after
            // it, indented under the list's text, not numbered.
            edits.push((
                at,
                at,
                format!(
                    "<{w}p{d}><{w}pPr><{w}ind {w}left=\"720\"/></{w}pPr>{run}</{w}p>",
                    d = m.decl
                ),
            ));
            continue;
        }
        if tag_start == 0 {
            return Err(format!("the cell at {} has no paragraph", where_()));
        }
        match cell.para_close {
            // `<w:p/>` or `<w:p …/>`: open it, and close it with its own name.
            None => {
                let tag = &xml[tag_start..tag_end];
                let open = format!("{}>", tag.trim_end_matches("/>").trim_end());
                let name = super::element_qname(tag);
                edits.push((tag_start, tag_end, format!("{open}{run}</{name}>")));
            }
            Some(close) if cell.text.trim().is_empty() => edits.push((close, close, run)),
            // A template's placeholder ("Enter name here") is replaced as an empty cell's
            // would be filled.
            Some(close) if overwrite || placeholder(&cell.text) => {
                // Keep the paragraph's properties, and an answer line's label; replace the
                // rest of its runs.
                let from = cell.props_end.unwrap_or(tag_end);
                let label = if cell.label.is_empty() {
                    String::new()
                } else {
                    run_xml(&m, props, &cell.label, false)
                };
                edits.push((from, close, format!("{label}{run}")));
            }
            Some(_) => {
                return Err(format!(
                    "refusing to overwrite the text already at {}",
                    where_()
                ));
            }
        }
    }
    edits.sort_by_key(|e| e.0);
    if edits.windows(2).any(|w| w[0].1 > w[1].0) {
        return Err("two answers for the same cell".into());
    }
    let mut out = String::with_capacity(xml.len() + edits.len() * 200);
    let mut pos = 0;
    for (start, end, text) in edits {
        out.push_str(&xml[pos..start]);
        out.push_str(&text);
        pos = end;
    }
    out.push_str(&xml[pos..]);
    Ok(out)
}

/// Whether `xml` is a well-formed XML 1.0 document: one root element, every start tag
/// closed by its own end tag, only characters XML allows (written or as references), only
/// the five predefined entities, and every prefix bound. Run on every part trustfill
/// changes, so that a slip in an edit is a refusal, never a file Word cannot open.
pub fn check_well_formed(xml: &str) -> std::result::Result<(), String> {
    use quick_xml::name::ResolveResult;
    use quick_xml::reader::NsReader;
    let xml = without_bom(xml);
    if let Some((at, c)) = xml.char_indices().find(|&(_, c)| !xml_char(c)) {
        return Err(format!(
            "character U+{:04X} at byte {at} is not allowed in XML",
            c as u32
        ));
    }
    let mut reader = NsReader::from_str(xml);
    let mut depth = 0_usize;
    let mut roots = 0_usize;
    loop {
        let at = reader.buffer_position();
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("at byte {at}: {e}"))?;
        if let ResolveResult::Unknown(p) = ns {
            return Err(format!("at byte {at}: prefix {p:?} is not declared"));
        }
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if depth == 0 {
                    roots += 1;
                    if roots > 1 {
                        return Err(format!("at byte {at}: a second root element"));
                    }
                }
                for a in e.attributes() {
                    let a = a.map_err(|e| format!("at byte {at}: {e}"))?;
                    let key = a.key.into_inner();
                    if !key.starts_with("xmlns")
                        && let (ResolveResult::Unknown(p), _) =
                            reader.resolver().resolve_attribute(a.key)
                    {
                        return Err(format!("at byte {at}: prefix {p:?} is not declared"));
                    }
                    let value = quick_xml::escape::unescape(&a.value)
                        .map_err(|e| format!("at byte {at}: {e}"))?;
                    if let Some(c) = value.chars().find(|&c| !xml_char(c)) {
                        return Err(format!(
                            "at byte {at}: character U+{:04X} is not allowed in XML",
                            c as u32
                        ));
                    }
                }
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                }
            }
            Event::End(_) => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| format!("at byte {at}: an end tag with no start"))?;
            }
            Event::Text(t) if depth == 0 && !t.trim().is_empty() => {
                return Err(format!("at byte {at}: text outside the root element"));
            }
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) if xml_char(c) => {}
                Ok(None) if matches!(&*r, "amp" | "lt" | "gt" | "quot" | "apos") => {}
                _ => {
                    return Err(format!(
                        "at byte {at}: &{}; is not a character XML allows",
                        &*r
                    ));
                }
            },
            Event::Eof => break,
            _ => {}
        }
    }
    match (depth, roots) {
        (0, 1) => Ok(()),
        (0, _) => Err("no root element".into()),
        _ => Err(format!("{depth} element(s) not closed at the end")),
    }
}

/// A run holding `text` (lines joined by `w:br`), with `props` (an `<w:rPr>` element copied
/// from the cell) and a yellow highlight when `highlight`.
fn run_xml(m: &Markup, props: Option<&str>, text: &str, highlight: bool) -> String {
    let w = &m.p;
    let props = run_props(m, props, highlight);
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            format!(
                "<{w}t xml:space=\"preserve\">{}</{w}t>",
                escape(line.trim_end_matches('\r'))
            )
        })
        .collect();
    format!(
        "<{w}r{}>{props}{}</{w}r>",
        m.decl,
        lines.join(&format!("<{w}br/>"))
    )
}

/// The run properties to write: the cell's, without a highlight of their own, with ours in
/// its place in the schema's order when `highlight`.
fn run_props(m: &Markup, props: Option<&str>, highlight: bool) -> String {
    let inner = props
        .and_then(|p| {
            let open_end = p.find('>')? + 1;
            if p[..open_end].ends_with("/>") {
                return Some(String::new());
            }
            let close = p.rfind("</")?;
            Some(p[open_end..close].to_string())
        })
        .unwrap_or_default();
    let mut children = split_children(&inner);
    children.retain(|c| element_name(c) != "highlight");
    if highlight {
        let at = children
            .iter()
            .position(|c| AFTER_HIGHLIGHT.contains(&element_name(c)))
            .unwrap_or(children.len());
        children.insert(at, format!("<{w}highlight {w}val=\"yellow\"/>", w = m.p));
    }
    if children.is_empty() {
        String::new()
    } else {
        format!("<{w}rPr>{}</{w}rPr>", children.concat(), w = m.p)
    }
}

/// The top-level elements of an XML fragment (`<w:b/><w:color w:val="FF0000"/>…`).
fn split_children(fragment: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0_i32;
    let mut start = 0;
    let mut i = 0;
    let bytes = fragment.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'<' {
            let end = fragment[i..].find('>').map_or(bytes.len(), |e| i + e + 1);
            let tag = &fragment[i..end];
            if depth == 0 {
                start = i;
            }
            if tag.starts_with("</") {
                depth -= 1;
            } else if !tag.ends_with("/>") && !tag.starts_with("<?") {
                depth += 1;
            }
            if depth == 0 {
                out.push(fragment[start..end].to_string());
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// `w:highlight` → `highlight`.
fn element_name(element: &str) -> &str {
    let name = element
        .trim_start_matches('<')
        .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .next()
        .unwrap_or("");
    name.rsplit(':').next().unwrap_or(name)
}

/// Text for `w:t`: markup escaped, characters XML 1.0 forbids dropped (the rule the xlsx
/// writer uses, [`xml_char`]), and line ends too: lines are `w:br`, not characters.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => {}
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docx::tests::DOC;

    /// The usual spelling: the main namespace is `w:`.
    fn w() -> Markup {
        Markup {
            p: "w:".into(),
            decl: String::new(),
        }
    }

    fn write(row: u32, col: u32, text: &str, highlight: bool) -> (usize, CellWrite) {
        (
            0,
            CellWrite {
                row,
                col,
                text: text.into(),
                highlight,
                style_like: None,
            },
        )
    }

    #[test]
    fn answers_go_into_their_cells_with_the_cells_run_properties() {
        let tables = Document::parse(DOC).unwrap();
        let out = rewrite(
            DOC,
            &tables,
            &[
                write(2, 1, "Yes", true),
                write(3, 1, "=HYPERLINK(\"x\") & <b>\nsecond line", false),
            ],
            false,
        )
        .unwrap();
        assert!(
            out.contains(r#"<w:p><w:pPr><w:rPr><w:sz w:val="18"/></w:rPr></w:pPr><w:r><w:rPr><w:sz w:val="18"/><w:highlight w:val="yellow"/></w:rPr><w:t xml:space="preserve">Yes</w:t></w:r></w:p>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<w:tc><w:p><w:r><w:t xml:space="preserve">=HYPERLINK("x") &amp; &lt;b&gt;</w:t><w:br/><w:t xml:space="preserve">second line</w:t></w:r></w:p></w:tc>"#),
            "{out}"
        );
        // Read back, the cells hold the answers; everything else is as it was.
        let again = super::super::scan(&out).unwrap();
        let grid = again[0].grid("t".into());
        assert_eq!(grid.rows[2][1], "Yes");
        assert_eq!(grid.rows[3][1], "=HYPERLINK(\"x\") & <b>\nsecond line");
        let first = tables.tables[0].cell(2, 1).unwrap().para_close.unwrap();
        assert_eq!(out[..first], DOC[..first]);
        let last = tables.tables[0].cell(3, 1).unwrap().para_tag.1;
        assert_eq!(out[out.len() - (DOC.len() - last)..], DOC[last..]);
    }

    #[test]
    fn text_already_in_a_cell_is_replaced_only_when_asked() {
        let tables = Document::parse(DOC).unwrap();
        let err = rewrite(DOC, &tables, &[write(2, 0, "x", false)], false).unwrap_err();
        assert!(err.contains("refusing to overwrite"), "{err}");
        let out = rewrite(DOC, &tables, &[write(0, 1, "Answer", false)], true).unwrap();
        assert!(
            out.contains(r#"<w:tc><w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Answer</w:t></w:r></w:p></w:tc>"#),
            "the cell's run properties are kept: {out}"
        );
        let err = rewrite(DOC, &tables, &[write(9, 1, "x", false)], false).unwrap_err();
        assert!(err.contains("no cell at table 1 row 10"), "{err}");
    }

    #[test]
    fn the_highlight_takes_its_place_in_the_schema_order() {
        assert_eq!(
            run_props(
                &w(),
                Some(
                    r#"<w:rPr><w:b/><w:highlight w:val="green"/><w:u w:val="single"/><w:lang w:val="en-GB"/></w:rPr>"#
                ),
                true
            ),
            r#"<w:rPr><w:b/><w:highlight w:val="yellow"/><w:u w:val="single"/><w:lang w:val="en-GB"/></w:rPr>"#
        );
        assert_eq!(run_props(&w(), Some("<w:rPr/>"), false), "");
        assert_eq!(
            run_props(&w(), None, true),
            r#"<w:rPr><w:highlight w:val="yellow"/></w:rPr>"#
        );
    }

    /// A text checkbox row and a content-control checkbox row.
    const BOXES_DOC: &str = r#"<w:document xmlns:w="w" xmlns:w14="w14"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Question</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Response</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Is data encrypted at rest?</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t xml:space="preserve">☐ Yes   ☐ No</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Do you have a SOC 2 report?</w:t></w:r></w:p></w:tc><w:tc><w:p><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="0"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>&#9744;</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t xml:space="preserve"> Yes </w:t></w:r><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="1"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>☒</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t xml:space="preserve"> No</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#;

    #[test]
    fn checkboxes_are_a_choice_and_are_ticked_not_typed_into() {
        let tables = Document::parse(BOXES_DOC).unwrap();
        let grid = tables.tables[0].grid("t".into());
        assert_eq!(grid.rows[1][1], "", "nothing ticked yet");
        assert_eq!(grid.rows[2][1], "No", "the ticked content control");
        let labels: Vec<&str> = tables.tables[0]
            .cell(2, 1)
            .unwrap()
            .choices
            .iter()
            .map(|c| c.label.as_str())
            .collect();
        assert_eq!(labels, ["Yes", "No"]);
        let facts = tables.tables[0].facts(false);
        assert_eq!(facts.validations.len(), 2);

        let out = rewrite(BOXES_DOC, &tables, &[write(1, 1, "yes", true)], false).unwrap();
        assert!(out.contains("☒ Yes   ☐ No"), "{out}");
        assert!(!out.contains("highlight"), "a tick is not a run");
        assert_eq!(
            super::super::scan(&out).unwrap()[0].grid("t".into()).rows[1][1],
            "Yes"
        );

        // A ticked content control is changed only with overwrite, both its glyph and state.
        let err = rewrite(BOXES_DOC, &tables, &[write(2, 1, "Yes", false)], false).unwrap_err();
        assert!(err.contains("refusing to change the ticked box"), "{err}");
        let out = rewrite(BOXES_DOC, &tables, &[write(2, 1, "Yes", false)], true).unwrap();
        assert!(
            out.contains(r#"<w14:checked w14:val="1"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>☒</w:t>"#)
                && out.contains(r#"<w14:checked w14:val="0"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>☐</w:t>"#),
            "{out}"
        );
        let err = rewrite(BOXES_DOC, &tables, &[write(1, 1, "Maybe", false)], false).unwrap_err();
        assert!(
            err.contains("a choice of Yes, No; none is \"Maybe\""),
            "{err}"
        );
    }

    #[test]
    fn paragraph_answers_go_into_the_empty_paragraph_or_after_the_label() {
        let doc = Document::parse(super::super::tests::PARAS).unwrap();
        let w = |row: u32, text: &str| {
            (
                super::super::TEXT_INDEX,
                CellWrite {
                    row,
                    col: 2,
                    text: text.into(),
                    highlight: false,
                    style_like: None,
                },
            )
        };
        let out = rewrite(
            super::super::tests::PARAS,
            &doc,
            &[w(1, "Yes"), w(2, "We follow a documented plan.")],
            false,
        )
        .unwrap();
        assert!(
            out.contains(
                r#"<w:p><w:r><w:t xml:space="preserve">Yes</w:t></w:r></w:p><w:p><w:r><w:t>2)"#
            ),
            "{out}"
        );
        assert!(
            out.contains(r#"<w:t>Response:</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve"> We follow a documented plan.</w:t></w:r></w:p>"#),
            "{out}"
        );
        let again = Document::parse(&out).unwrap();
        assert_eq!(
            again.text.unwrap().grid("t".into()).rows[2][2],
            "We follow a documented plan."
        );
    }

    /// What the `docx_xml` fuzz target checks, over a few thousand deterministic mutations of
    /// the test documents (cut, doubled or swapped spans): no panic; a document that reads and
    /// takes the answers is well-formed XML and reads again with them, whatever the answers
    /// hold (markup, line breaks, characters XML forbids).
    #[test]
    fn mutated_documents_are_refused_or_written_readably() {
        let ns0 = DOC.replace("w:", "ns0:").replace("xmlns:w=", "xmlns:ns0=");
        let bom = format!("\u{FEFF}{CONTROLS}");
        let docs = [
            DOC,
            BOXES_DOC,
            super::super::tests::PARAS,
            CONTROLS,
            LEGACY,
            FIELDS,
            super::super::tests::TEXT_BOX,
            &ns0,
            &bom,
        ];
        let mut seed = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for round in 0..3000 {
            let base = docs[round % docs.len()];
            let bytes = base.as_bytes();
            let (a, b) = (next(bytes.len()), next(bytes.len()));
            let (a, b) = (a.min(b), a.max(b));
            let mut m = bytes[..a].to_vec();
            match next(3) {
                0 => {}
                1 => m.extend_from_slice(&bytes[a..b]),
                _ => m.extend_from_slice(&bytes[a..b.min(a + 40)]),
            }
            m.extend_from_slice(&bytes[b..]);
            m.extend_from_slice(&bytes[a..b]);
            let Ok(xml) = std::str::from_utf8(&m) else {
                continue;
            };
            let Ok(doc) = Document::parse(xml) else {
                continue;
            };
            let mut writes = Vec::new();
            let tables = doc
                .tables
                .iter()
                .enumerate()
                .chain(doc.text.iter().map(|t| (super::super::TEXT_INDEX, t)));
            for (index, table) in tables {
                // The first row is the header (or a form's first label), never a slot.
                for (r, row) in table.rows.iter().enumerate().skip(1) {
                    for c in row
                        .iter()
                        .filter(|c| c.para_tag != (0, 0) && c.choices.is_empty())
                    {
                        writes.push((
                            index,
                            CellWrite {
                                row: r as u32,
                                col: c.col,
                                text: ANSWERS[writes.len() % ANSWERS.len()].into(),
                                highlight: true,
                                style_like: None,
                            },
                        ));
                    }
                }
            }
            if let Ok(out) = rewrite_xml(xml, &writes, true) {
                check_well_formed(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
                let again = Document::parse(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
                for (index, w) in &writes {
                    if let Some(c) = again.table(*index).and_then(|t| t.cell(w.row, w.col)) {
                        assert!(c.text.contains('x'), "{c:?} in {out}");
                    }
                }
            }
        }
    }

    /// Answers the fuzz property writes: each holds `x`, and markup, line breaks or
    /// characters XML 1.0 forbids.
    pub(crate) const ANSWERS: [&str; 4] = [
        "x",
        "x\u{FFFE}<&>\n]]>\u{FFFF}\"'",
        "\r\nx\t\u{C}\u{1}\n",
        HOSTILE_X,
    ];
    const HOSTILE_X: &str =
        "a\u{FFFE}x\u{FFFF}c\u{1}\u{8}\u{B}\u{C}\u{1F}d & <e> ]]> \"'\t\r\nf\u{10FFFF}";

    /// A dropdown content control and a plain-text one, both showing their placeholders.
    const CONTROLS: &str = r#"<w:document xmlns:w="w"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Question</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Answer</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Is data encrypted at rest?</w:t></w:r></w:p></w:tc><w:tc><w:p><w:sdt><w:sdtPr><w:showingPlcHdr/><w:dropDownList><w:listItem w:displayText="Choose an item." w:value=""/><w:listItem w:displayText="Yes" w:value="Y"/><w:listItem w:displayText="No" w:value="N"/></w:dropDownList></w:sdtPr><w:sdtContent><w:r><w:rPr><w:rStyle w:val="PlaceholderText"/></w:rPr><w:t>Choose an item.</w:t></w:r></w:sdtContent></w:sdt></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Describe your backups.</w:t></w:r></w:p></w:tc><w:tc><w:sdt><w:sdtPr><w:showingPlcHdr/><w:text/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Click or tap here to enter text.</w:t></w:r></w:p></w:sdtContent></w:sdt></w:tc></w:tr></w:tbl></w:body></w:document>"#;

    #[test]
    fn content_controls_are_the_answer_slot() {
        let doc = Document::parse(CONTROLS).unwrap();
        let grid = doc.tables[0].grid("t".into());
        assert_eq!(grid.rows[1][1], "", "a placeholder is no answer");
        assert_eq!(grid.rows[2][1], "");
        let facts = doc.tables[0].facts(false);
        assert_eq!(facts.validations.len(), 1, "the dropdown is a choice");
        let out = rewrite(
            CONTROLS,
            &doc,
            &[
                write(1, 1, "yes", true),
                write(2, 1, "Daily, <encrypted> & tested.", true),
            ],
            false,
        )
        .unwrap();
        assert!(
            out.contains(r#"<w:sdtPr><w:dropDownList>"#)
                && out.contains(r#"<w:t>Yes</w:t></w:r></w:sdtContent>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<w:sdtPr><w:text/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Daily, &lt;encrypted&gt; &amp; tested.</w:t>"#),
            "{out}"
        );
        let again = Document::parse(&out).unwrap();
        let grid = again.tables[0].grid("t".into());
        assert_eq!(
            (grid.rows[1][1].as_str(), grid.rows[2][1].as_str()),
            ("Yes", "Daily, <encrypted> & tested.")
        );
        let err = rewrite(CONTROLS, &doc, &[write(1, 1, "Maybe", false)], false).unwrap_err();
        assert!(
            err.contains("offers Choose an item., Yes, No; none is \"Maybe\""),
            "{err}"
        );
        let err = rewrite(&out, &again, &[write(1, 1, "No", false)], false).unwrap_err();
        assert!(err.contains("refusing to overwrite"), "{err}");
        // Overwritten, the whole text goes, entities and all.
        let out2 = rewrite(&out, &again, &[write(2, 1, "Weekly.", false)], true).unwrap();
        let grid = Document::parse(&out2).unwrap().tables[0].grid("t".into());
        assert_eq!(grid.rows[2][1], "Weekly.");
    }

    /// Legacy form checkboxes (`FORMCHECKBOX` fields), one ticked by an explicit override.
    const LEGACY: &str = r#"<w:document xmlns:w="w"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Question</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Response</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Is data encrypted at rest?</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check1"/><w:checkBox><w:sizeAuto/><w:default w:val="0"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> Yes </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check2"/><w:checkBox><w:sizeAuto/><w:default w:val="0"/><w:checked/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> No</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#;

    #[test]
    fn legacy_form_checkboxes_are_a_choice_too() {
        let doc = Document::parse(LEGACY).unwrap();
        let cell = doc.tables[0].cell(1, 1).unwrap();
        let read: Vec<(&str, bool, bool)> = cell
            .choices
            .iter()
            .map(|c| (c.label.as_str(), c.checked, c.legacy))
            .collect();
        assert_eq!(read, [("Yes", false, true), ("No", true, true)]);
        assert_eq!(
            cell.text, "No",
            "the explicit override wins over the default"
        );
        let out = rewrite(LEGACY, &doc, &[write(1, 1, "Yes", true)], true).unwrap();
        assert!(out.contains(r#"<w:name w:val="Check1"/><w:checkBox><w:sizeAuto/><w:default w:val="1"/></w:checkBox>"#), "{out}");
        assert!(out.contains(r#"<w:name w:val="Check2"/><w:checkBox><w:sizeAuto/><w:default w:val="0"/></w:checkBox>"#), "{out}");
        assert_eq!(
            Document::parse(&out).unwrap().tables[0]
                .cell(1, 1)
                .unwrap()
                .text,
            "Yes"
        );
    }

    /// One unlabelled legacy box per option column (a PCI SAQ): Yes ticked, No not.
    fn tick_slots() -> String {
        let field = |name: &str, on: u8| {
            format!(
                r#"<w:tc><w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="{name}"/><w:checkBox><w:sizeAuto/><w:default w:val="{on}"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:tc>"#
            )
        };
        format!(
            r#"<w:document xmlns:w="w"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Question</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Yes</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>No</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Is data encrypted at rest?</w:t></w:r></w:p></w:tc>{}{}</w:tr></w:tbl></w:body></w:document>"#,
            field("Yes1", 1),
            field("No1", 0)
        )
    }

    #[test]
    fn a_mark_ticks_a_lone_box_and_moving_it_needs_overwrite() {
        let xml = tick_slots();
        let doc = Document::parse(&xml).unwrap();
        let state = |xml: &str| -> Vec<String> {
            let doc = Document::parse(xml).unwrap();
            (1..3)
                .map(|c| doc.tables[0].cell(1, c).unwrap().text.clone())
                .collect()
        };
        assert_eq!(state(&xml), ["X", ""]);
        // Moving the mark from Yes to No: the empty text unticks, any mark ticks.
        let moves = [write(1, 1, "", false), write(1, 2, "X", false)];
        let err = rewrite(&xml, &doc, &moves, false).unwrap_err();
        assert!(
            err.contains("refusing to change the ticked box at table 1 row 2 column 2"),
            "{err}"
        );
        let out = rewrite(&xml, &doc, &moves, true).unwrap();
        assert_eq!(state(&out), ["", "X"]);
        // Ticking the box already ticked, or leaving an empty one empty, changes nothing.
        let same = rewrite(
            &xml,
            &doc,
            &[write(1, 1, "x", false), write(1, 2, "", false)],
            false,
        )
        .unwrap();
        assert_eq!(same, xml);
    }

    /// A legacy text form field (`FORMTEXT`) as the answer slot.
    const FIELDS: &str = r#"<w:document xmlns:w="w"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Question</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Answer</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Describe your backups.</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/><w:textInput/></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t xml:space="preserve">     </w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Is MFA required?</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl></w:body></w:document>"#;

    #[test]
    fn a_text_form_field_is_the_slot_and_protection_locks_the_other_cells() {
        let doc = Document::parse(FIELDS).unwrap();
        let field = doc.tables[0].cell(1, 1).unwrap();
        assert!(field.control.is_some(), "{field:?}");
        assert_eq!(field.text, "", "the field's blank result is no answer");
        let out = rewrite(
            FIELDS,
            &doc,
            &[write(1, 1, "Daily, encrypted.", true)],
            false,
        )
        .unwrap();
        assert!(
            out.contains(r#"<w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t xml:space="preserve">Daily, encrypted.</w:t>"#),
            "{out}"
        );
        // Protected for form filling: the plain cell is locked, the field is not.
        let facts = doc.tables[0].facts(true);
        assert!(facts.locked_cells.contains(&(2, 1)));
        assert!(!facts.locked_cells.contains(&(1, 1)));
        assert!(doc.tables[0].facts(false).locked_cells.is_empty());
        assert!(super::super::protected_for_forms(
            r#"<w:settings><w:documentProtection w:edit="forms" w:enforcement="1"/></w:settings>"#
        ));
        assert!(!super::super::protected_for_forms(
            r#"<w:settings><w:documentProtection w:edit="readOnly" w:enforcement="1"/></w:settings>"#
        ));
        assert!(!super::super::protected_for_forms(
            r#"<w:settings><w:documentProtection w:edit="forms" w:enforcement="0"/></w:settings>"#
        ));
    }

    /// Every character XML 1.0 forbids, and some it allows that need care.
    const HOSTILE: &str =
        "a\u{FFFE}b\u{FFFF}c\u{1}\u{8}\u{B}\u{C}\u{1F}d & <e> ]]> \"'\t\r\nf\u{10FFFF}\u{E000}";

    #[test]
    fn answers_with_characters_xml_forbids_are_written_without_them() {
        let doc = Document::parse(DOC).unwrap();
        let out = rewrite_xml(DOC, &[write(2, 1, HOSTILE, true)], false).unwrap();
        check_well_formed(&out).unwrap();
        for c in [
            '\u{FFFE}', '\u{FFFF}', '\u{1}', '\u{8}', '\u{B}', '\u{C}', '\u{1F}',
        ] {
            assert!(!out.contains(c), "U+{:04X} written", c as u32);
        }
        let again = Document::parse(&out).unwrap();
        assert_eq!(
            again.tables[0].cell(2, 1).unwrap().text,
            "abcd & <e> ]]> \"'\t\nf\u{10FFFF}\u{E000}"
        );
        // The same in a content control and a checkbox-free form field.
        let out = rewrite_xml(CONTROLS, &[write(2, 1, HOSTILE, false)], false).unwrap();
        check_well_formed(&out).unwrap();
        assert!(!out.contains('\u{FFFE}'));
        drop(doc);
    }

    #[test]
    fn overwriting_a_cell_with_a_text_box_ends_at_the_cells_own_paragraph() {
        let out = rewrite_xml(
            crate::docx::tests::TEXT_BOX,
            &[write(1, 1, "New answer", false)],
            true,
        )
        .unwrap();
        check_well_formed(&out).unwrap();
        assert!(
            out.contains(r#"<w:p><w:pPr><w:jc w:val="left"/></w:pPr><w:r><w:t xml:space="preserve">New answer</w:t></w:r></w:p></w:tc>"#),
            "{out}"
        );
        // And the paragraph question whose paragraph holds a text box.
        let out = rewrite_xml(
            crate::docx::tests::TEXT_BOX,
            &[(
                super::super::TEXT_INDEX,
                CellWrite {
                    row: 1,
                    col: 2,
                    text: "Yes".into(),
                    highlight: false,
                    style_like: None,
                },
            )],
            true,
        )
        .unwrap();
        check_well_formed(&out).unwrap();
        assert!(
            out.ends_with(
                r#"<w:p><w:r><w:t xml:space="preserve">Yes</w:t></w:r></w:p></w:body></w:document>"#
            ),
            "{out}"
        );
    }

    #[test]
    fn a_byte_order_mark_is_kept_and_edits_land_where_they_belong() {
        let with_bom = format!("\u{FEFF}{DOC}");
        let out = rewrite_xml(&with_bom, &[write(2, 1, "Yes", false)], false).unwrap();
        check_well_formed(&out).unwrap();
        let plain = rewrite_xml(DOC, &[write(2, 1, "Yes", false)], false).unwrap();
        assert_eq!(out, format!("\u{FEFF}{plain}"));
    }

    #[test]
    fn new_elements_use_the_documents_own_prefix_or_declare_one() {
        let ns0 = DOC.replace("w:", "ns0:").replace("xmlns:w=", "xmlns:ns0=");
        let out = rewrite_xml(
            &ns0,
            &[write(2, 1, "Yes\nAll", true), write(3, 1, "No", false)],
            false,
        )
        .unwrap();
        check_well_formed(&out).unwrap();
        assert!(!out.contains("<w:") && !out.contains("</w:"), "{out}");
        assert!(out.contains(r#"<ns0:r><ns0:rPr><ns0:sz ns0:val="18"/><ns0:highlight ns0:val="yellow"/></ns0:rPr><ns0:t xml:space="preserve">Yes</ns0:t><ns0:br/><ns0:t xml:space="preserve">All</ns0:t></ns0:r>"#), "{out}");
        assert!(
            out.contains(r#"<ns0:p><ns0:r><ns0:t xml:space="preserve">No</ns0:t></ns0:r></ns0:p>"#),
            "{out}"
        );
        // The main namespace as the default one: `w:` declared where it is used.
        let default = DOC.replace("w:", "").replace("xmlns:w=", "xmlns=");
        let out = rewrite_xml(&default, &[write(2, 1, "Yes", true)], false).unwrap();
        check_well_formed(&out).unwrap();
        let again = Document::parse(&out).unwrap();
        assert_eq!(again.tables[0].cell(2, 1).unwrap().text, "Yes");
        // Legacy checkboxes too.
        let ns0 = LEGACY
            .replace("w:", "ns0:")
            .replace("xmlns:w=", "xmlns:ns0=");
        let out = rewrite_xml(&ns0, &[write(1, 1, "Yes", false)], true).unwrap();
        check_well_formed(&out).unwrap();
        assert!(out.contains(r#"<ns0:default ns0:val="1"/>"#), "{out}");
    }

    #[test]
    fn a_checkbox_state_written_with_an_end_tag_is_replaced_whole() {
        let long = LEGACY
            .replace(
                r#"<w:default w:val="0"/>"#,
                r#"<w:default w:val="0"></w:default>"#,
            )
            .replace("<w:checked/>", "<w:checked></w:checked>");
        let out = rewrite_xml(&long, &[write(1, 1, "Yes", false)], true).unwrap();
        check_well_formed(&out).unwrap();
        assert!(out.contains(r#"<w:name w:val="Check1"/><w:checkBox><w:sizeAuto/><w:default w:val="1"/></w:checkBox>"#), "{out}");
        assert!(out.contains(r#"<w:name w:val="Check2"/><w:checkBox><w:sizeAuto/><w:default w:val="0"/></w:checkBox>"#), "{out}");
        let long = BOXES_DOC.replace(
            r#"<w14:checked w14:val="1"/>"#,
            r#"<w14:checked w14:val="1"></w14:checked>"#,
        );
        let out = rewrite_xml(&long, &[write(2, 1, "Yes", false)], true).unwrap();
        check_well_formed(&out).unwrap();
        let long = CONTROLS.replace("<w:showingPlcHdr/>", "<w:showingPlcHdr></w:showingPlcHdr>");
        let out = rewrite_xml(&long, &[write(1, 1, "Yes", false)], false).unwrap();
        check_well_formed(&out).unwrap();
        assert!(
            !out.contains("showingPlcHdr></w:sdtPr><w:dropDownList>"),
            "{out}"
        );
    }

    #[test]
    fn xml_that_is_not_well_formed_is_found() {
        check_well_formed(DOC).unwrap();
        check_well_formed(&format!("\u{FEFF}{DOC}")).unwrap();
        for (bad, why) in [
            ("<a><b></a></b>", "expected `</b>`"),
            ("<a><b>", "not closed"),
            ("<a/><b/>", "second root"),
            ("<a>\u{FFFE}</a>", "U+FFFE"),
            ("<a>&#1;</a>", "&#1;"),
            ("<a>&#xFFFF;</a>", "&#xFFFF;"),
            ("<a>&nbsp;</a>", "&nbsp;"),
            ("<a x=\"&#0;\"/>", ""),
            ("<w:a/>", "\"w\" is not declared"),
            (
                "<a xmlns:w=\"u\"><b w:x=\"1\" v:y=\"2\"/></a>",
                "\"v\" is not declared",
            ),
            ("<a></a>text", "outside"),
            ("", "no root"),
        ] {
            let err = check_well_formed(bad).expect_err(bad);
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn a_text_control_keeps_the_answers_line_breaks() {
        let doc = Document::parse(CONTROLS).unwrap();
        let out = rewrite(
            CONTROLS,
            &doc,
            &[write(2, 1, "Daily.\r\nTested monthly.", false)],
            false,
        )
        .unwrap();
        check_well_formed(&out).unwrap();
        assert!(
            out.contains(
                r#"<w:t>Daily.</w:t><w:br/><w:t xml:space="preserve">Tested monthly.</w:t>"#
            ),
            "{out}"
        );
        let again = Document::parse(&out).unwrap();
        assert_eq!(
            again.tables[0].cell(2, 1).unwrap().text,
            "Daily.\nTested monthly."
        );
    }

    #[test]
    fn overwriting_an_answer_line_keeps_its_label() {
        let paras =
            super::super::tests::PARAS.replace("<w:t>Response:</w:t>", "<w:t>Response: old</w:t>");
        let doc = Document::parse(&paras).unwrap();
        let cell = doc.text.as_ref().unwrap().cell(2, 2).unwrap();
        assert_eq!(
            (cell.text.as_str(), cell.label.as_str()),
            ("old", "Response:")
        );
        let w = (
            super::super::TEXT_INDEX,
            CellWrite {
                row: 2,
                col: 2,
                text: "New.".into(),
                highlight: false,
                style_like: None,
            },
        );
        let err = rewrite_xml(&paras, std::slice::from_ref(&w), false).unwrap_err();
        assert!(err.contains("refusing to overwrite"), "{err}");
        let out = rewrite_xml(&paras, &[w], true).unwrap();
        assert!(
            out.contains(r#"<w:p><w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">Response:</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve"> New.</w:t></w:r></w:p>"#),
            "{out}"
        );
        let again = Document::parse(&out).unwrap();
        let cell = again.text.as_ref().unwrap().cell(2, 2).unwrap();
        assert_eq!(
            (cell.text.as_str(), cell.label.as_str()),
            ("New.", "Response:")
        );
    }

    /// The run properties keep every child of the cell's own, nested ones whole, drop its
    /// highlight and put ours before the first child the schema orders after it (`w:lang`
    /// comes after `w:highlight`, `w:color` before); an empty
    /// `<w:rPr/>` gives none (cargo-mutants found the child splitting unchecked).
    #[test]
    fn run_properties_keep_their_children_and_order_the_highlight() {
        let props = r#"<w:rPr><w:b/><w:color w:val="FF0000"></w:color><w:lang w:val="en"><x:y/></w:lang><w:highlight w:val="green"/><w:u w:val="single"/></w:rPr>"#;
        assert_eq!(
            split_children(&props[7..props.len() - 8]),
            [
                "<w:b/>",
                r#"<w:color w:val="FF0000"></w:color>"#,
                r#"<w:lang w:val="en"><x:y/></w:lang>"#,
                r#"<w:highlight w:val="green"/>"#,
                r#"<w:u w:val="single"/>"#,
            ]
        );
        assert_eq!(split_children("<?pi x?><w:b/>"), ["<?pi x?>", "<w:b/>"]);
        assert_eq!(split_children("x <w:b/> y<w:i/>z"), ["<w:b/>", "<w:i/>"]);
        assert_eq!(
            run_props(&w(), Some(props), true),
            r#"<w:rPr><w:b/><w:color w:val="FF0000"></w:color><w:highlight w:val="yellow"/><w:lang w:val="en"><x:y/></w:lang><w:u w:val="single"/></w:rPr>"#
        );
        assert_eq!(
            run_props(&w(), Some(props), false),
            r#"<w:rPr><w:b/><w:color w:val="FF0000"></w:color><w:lang w:val="en"><x:y/></w:lang><w:u w:val="single"/></w:rPr>"#
        );
        assert_eq!(run_props(&w(), Some("<w:rPr/>"), false), "");
        assert_eq!(
            run_props(&w(), Some("<w:rPr />"), true),
            r#"<w:rPr><w:highlight w:val="yellow"/></w:rPr>"#
        );
        for (element, name) in [
            ("<w:b/>", "b"),
            ("<w:highlight>", "highlight"),
            (r#"<w:u w:val="x"/>"#, "u"),
            ("<b/>", "b"),
        ] {
            assert_eq!(element_name(element), name, "{element}");
        }
    }

    /// Line ends never reach a `w:t` (lines are `w:br`); a character reference is allowed
    /// when it names a character XML allows, refused otherwise.
    #[test]
    fn escaping_and_character_references() {
        assert_eq!(escape("a\r\nb\rc\n<&>"), "abc&lt;&amp;&gt;");
        let doc = |t: &str| {
            format!(
                r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:body></w:document>"#
            )
        };
        assert_eq!(check_well_formed(&doc("caf&#233; &#x41; &amp;")), Ok(()));
        let err = check_well_formed(&doc("&#xFFFF;")).unwrap_err();
        assert!(
            err.contains("&#xFFFF; is not a character XML allows"),
            "{err}"
        );
    }
}
