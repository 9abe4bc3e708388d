//! Reading a PDF: its words with their positions (pdf-extract's text walk over lopdf's object
//! model) and its AcroForm fields (lopdf). What questions are in them, and writing answers back,
//! are built on this (issue 25); nothing here decides about questions.
//!
//! Hostile input: the file is read under the file-size limit, its objects are counted against
//! the element limit, an encrypted file is refused (trustfill never decrypts), a damaged one is
//! an error, and lopdf and the text walk run under `workbook::contained`: a PDF that panics
//! them is refused, never a crash.

pub mod form;
pub mod paragraphs;
pub mod table;

use std::path::Path;

use crate::error::{Error, Result};
use crate::limits::Limits;

/// One word on a page: its text, its left and right edges and its baseline, in points from
/// the page's top-left corner (y grows down, as in reading order), and its font size.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub page: u32,
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub size: f32,
    pub text: String,
}

/// A straight rule a page draws (a table's border): its page, and its ends in points from the
/// page's top-left (`y0 == y1` for a horizontal rule, `x0 == x1` for a vertical one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub page: u32,
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rule {
    pub fn horizontal(&self) -> bool {
        (self.y0 - self.y1).abs() < 0.5
    }
}

/// What kind of AcroForm field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    CheckBox,
    Radio,
    PushButton,
    Choice,
    Signature,
}

/// One terminal AcroForm field: its full name (`parent.child`), kind, current value, the
/// options of a choice list or the on-states of a check box or radio group, and where its
/// first widget is (page, and rectangle `[left, top, right, bottom]` in points from the page's
/// top-left, as words are).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub kind: FieldKind,
    pub value: String,
    pub options: Vec<String>,
    pub page: Option<u32>,
    pub rect: Option<[f32; 4]>,
    /// The field's object (none for a field written inline in its parent: it cannot be
    /// changed by appending objects).
    pub id: Option<lopdf::ObjectId>,
    /// Its widgets: the field itself when merged with its one widget, else its kids.
    pub widgets: Vec<Widget>,
    /// A choice list's export values, one per option (the option itself when it has none).
    pub exports: Vec<String>,
    /// The name a form shows for the field (`/TU`), when it has one.
    pub tooltip: Option<String>,
}

/// One widget (the box on a page) of a field: its object, page, rectangle (as a field's)
/// and, for a check box or radio button, its on-state.
#[derive(Debug, Clone, PartialEq)]
pub struct Widget {
    pub id: Option<lopdf::ObjectId>,
    pub page: Option<u32>,
    pub rect: Option<[f32; 4]>,
    pub on: Option<String>,
}

/// A PDF opened for reading.
pub struct Pdf {
    pub doc: lopdf::Document,
}

fn damaged(path: &Path, message: impl Into<String>) -> Error {
    Error::Spreadsheet {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

impl Pdf {
    /// Open `path` under `limits`: too large, encrypted, damaged or with more objects than
    /// the element limit are refused.
    pub fn open(path: &Path, limits: &Limits) -> Result<Pdf> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io("cannot read", path, e))?;
        if meta.len() > limits.max_file_bytes {
            return Err(Error::Limit {
                path: path.to_path_buf(),
                message: format!(
                    "it is {} MB, over the limit of {} MB",
                    meta.len() / 1_000_000,
                    limits.max_file_bytes / 1_000_000
                ),
                flag: "--max-file-size",
            });
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
        if !bytes.starts_with(b"%PDF") {
            return Err(damaged(
                path,
                "the file is damaged: not a PDF (no %PDF header)",
            ));
        }
        // lopdf inflates object streams as it loads, and page contents as they are read,
        // with no limit: a few KB can inflate to gigabytes. Measured first, under the limit.
        if let Some(over) = expands_past(&bytes, limits.max_expanded_bytes) {
            return Err(Error::Limit {
                path: path.to_path_buf(),
                message: format!(
                    "its compressed streams expand to over {} MB, the limit",
                    over / crate::limits::MB
                ),
                flag: "--max-expanded-size",
            });
        }
        // lopdf parses nested arrays and dictionaries recursively: a few hundred KB of "["
        // overflow the stack, which no panic guard catches.
        if nested_past(&bytes, 256) {
            return Err(damaged(
                path,
                "the file is damaged: its objects nest more than 256 deep",
            ));
        }
        let loaded = crate::workbook::contained(|| lopdf::Document::load_mem(&bytes));
        let doc = match loaded {
            Ok(Ok(doc)) => doc,
            Ok(Err(e)) if e.to_string().to_lowercase().contains("encrypt") => {
                return Err(damaged(path, "the PDF is password-protected (encrypted)"));
            }
            Ok(Err(e)) => {
                return Err(damaged(
                    path,
                    format!("the file is damaged: not a readable PDF ({e})"),
                ));
            }
            Err(_) => return Err(damaged(path, "the file is damaged: not a readable PDF")),
        };
        if doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok() {
            return Err(damaged(path, "the PDF is password-protected (encrypted)"));
        }
        // Text extraction climbs each page's /Parent chain for inherited attributes: a chain
        // that loops (fuzzing found one) or runs absurdly deep is damage, refused before that.
        for (_, page) in doc.get_pages() {
            let mut node = page;
            let mut hops = 0;
            while let Some(parent) = doc
                .get_dictionary(node)
                .ok()
                .and_then(|d| d.get(b"Parent").ok())
                .and_then(|p| p.as_reference().ok())
            {
                hops += 1;
                if hops > 64 {
                    return Err(damaged(path, "the file is damaged: its page tree loops"));
                }
                node = parent;
            }
        }
        if doc.objects.len() as u64 > limits.max_xml_elements {
            return Err(Error::Limit {
                path: path.to_path_buf(),
                message: format!(
                    "it has {} objects, over the limit of {}",
                    doc.objects.len(),
                    limits.max_xml_elements
                ),
                flag: "--max-xml-elements",
            });
        }
        let mut doc = doc;
        widths_as_lists(&mut doc);
        Ok(Pdf { doc })
    }

    /// Its words, page by page in the order the page draws them. A PDF the text walk cannot
    /// read (or that panics it) is an error naming the file.
    pub fn words(&self, path: &Path) -> Result<Vec<Word>> {
        self.words_and_rules(path).map(|(w, _)| w)
    }

    /// Its words, and the horizontal rules its pages draw: a table's row borders.
    pub fn words_and_rules(&self, path: &Path) -> Result<(Vec<Word>, Vec<Rule>)> {
        let mut out = Words::default();
        let walk = crate::workbook::contained(|| pdf_extract::output_doc(&self.doc, &mut out));
        match walk {
            Ok(Ok(())) => {
                out.end_word();
                let rules = crate::workbook::contained(|| self.rules()).map_err(|_| {
                    damaged(path, "cannot read the PDF's drawing: the file is damaged")
                })?;
                Ok((out.words, rules))
            }
            Ok(Err(e)) => Err(damaged(path, format!("cannot read the PDF's text: {e:?}"))),
            Err(_) => Err(damaged(
                path,
                "cannot read the PDF's text: the file is damaged",
            )),
        }
    }

    /// The straight rules its pages draw (table borders): stroked line segments and
    /// rectangles, and filled rectangles under two points thick, at least ten points long.
    /// Read from each page's own content stream (a form XObject's drawing is not followed); a
    /// page whose content cannot be decoded draws none.
    fn rules(&self) -> Vec<Rule> {
        let doc = &self.doc;
        let mut out = Vec::new();
        for (number, id) in doc.get_pages() {
            let Some(height) = page_height(doc, id) else {
                continue;
            };
            let Ok(content) = doc
                .get_page_content(id)
                .and_then(|bytes| lopdf::content::Content::decode(&bytes))
            else {
                continue;
            };
            rules_of(&content.operations, number, height, &mut out);
        }
        out
    }

    /// Its AcroForm fields (none when it is not a form), depth-first in the order of the
    /// form's field tree. A field tree deeper than 32 levels or with a cycle is cut there.
    pub fn fields(&self) -> Vec<Field> {
        let doc = &self.doc;
        let pages: std::collections::HashMap<lopdf::ObjectId, u32> =
            doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
        // A widget's page: its /P, else the page whose /Annots lists it.
        let mut annots: std::collections::HashMap<lopdf::ObjectId, lopdf::ObjectId> =
            Default::default();
        for &page in pages.keys() {
            let list = doc
                .get_dictionary(page)
                .ok()
                .and_then(|d| d.get(b"Annots").ok())
                .and_then(|a| resolve(doc, a).as_array().ok());
            for a in list.into_iter().flatten() {
                if let Ok(id) = a.as_reference() {
                    annots.insert(id, page);
                }
            }
        }
        let pages = Places { pages, annots };
        let Some(form) = doc
            .catalog()
            .ok()
            .and_then(|c| c.get(b"AcroForm").ok())
            .and_then(|o| resolve(doc, o).as_dict().ok())
        else {
            return Vec::new();
        };
        let Some(fields) = form
            .get(b"Fields")
            .ok()
            .and_then(|o| resolve(doc, o).as_array().ok())
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for f in fields {
            collect(doc, f, "", None, 0, &pages, &mut seen, &mut out);
        }
        out
    }
}

/// An object, or the object a reference points to (one level).
fn resolve<'a>(doc: &'a lopdf::Document, o: &'a lopdf::Object) -> &'a lopdf::Object {
    match o {
        lopdf::Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        o => o,
    }
}

fn text_of(doc: &lopdf::Document, o: &lopdf::Object) -> Option<String> {
    match resolve(doc, o) {
        lopdf::Object::String(bytes, _) => Some(decode_text(bytes)),
        lopdf::Object::Name(name) => Some(String::from_utf8_lossy(name).into_owned()),
        _ => None,
    }
}

/// A PDF text string: UTF-16BE with its byte order mark, else PDFDocEncoding (read as
/// Latin-1, which agrees with it on the printable range).
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

#[allow(clippy::too_many_arguments)]
fn collect(
    doc: &lopdf::Document,
    node: &lopdf::Object,
    prefix: &str,
    inherited_kind: Option<Vec<u8>>,
    depth: usize,
    pages: &Places,
    seen: &mut std::collections::HashSet<lopdf::ObjectId>,
    out: &mut Vec<Field>,
) {
    if depth > 32 {
        return;
    }
    if let lopdf::Object::Reference(id) = node
        && !seen.insert(*id)
    {
        return;
    }
    let Ok(dict) = resolve(doc, node).as_dict() else {
        return;
    };
    let part = dict.get(b"T").ok().and_then(|t| text_of(doc, t));
    let name = match (&part, prefix.is_empty()) {
        (Some(p), true) => p.clone(),
        (Some(p), false) => format!("{prefix}.{p}"),
        (None, _) => prefix.to_string(),
    };
    let kind = dict
        .get(b"FT")
        .ok()
        .and_then(|o| resolve(doc, o).as_name().ok())
        .map(<[u8]>::to_vec)
        .or(inherited_kind);
    // Kids that are fields (they have a name) make this a non-terminal field; kids without
    // one are its widgets.
    let kids: Vec<&lopdf::Object> = dict
        .get(b"Kids")
        .ok()
        .and_then(|k| resolve(doc, k).as_array().ok())
        .map(|k| k.iter().collect())
        .unwrap_or_default();
    let field_kids: Vec<&lopdf::Object> = kids
        .iter()
        .copied()
        .filter(|k| resolve(doc, k).as_dict().is_ok_and(|d| d.get(b"T").is_ok()))
        .collect();
    if !field_kids.is_empty() {
        for k in field_kids {
            collect(doc, k, &name, kind.clone(), depth + 1, pages, seen, out);
        }
        return;
    }
    let Some(kind) = kind else {
        return;
    };
    let flags = dict
        .get(b"Ff")
        .ok()
        .and_then(|o| resolve(doc, o).as_i64().ok())
        .unwrap_or(0);
    let kind = match kind.as_slice() {
        b"Tx" => FieldKind::Text,
        b"Ch" => FieldKind::Choice,
        b"Sig" => FieldKind::Signature,
        b"Btn" if flags & (1 << 16) != 0 => FieldKind::PushButton,
        b"Btn" if flags & (1 << 15) != 0 => FieldKind::Radio,
        b"Btn" => FieldKind::CheckBox,
        _ => return,
    };
    let value = dict
        .get(b"V")
        .ok()
        .and_then(|v| text_of(doc, v))
        .unwrap_or_default();
    // The widgets: the field itself (merged field and widget) or its kids.
    let own_id = node.as_reference().ok();
    let widgets: Vec<(Option<lopdf::ObjectId>, &lopdf::Dictionary)> = if kids.is_empty() {
        vec![(own_id, dict)]
    } else {
        kids.iter()
            .filter_map(|k| Some((k.as_reference().ok(), resolve(doc, k).as_dict().ok()?)))
            .collect()
    };
    let mut options: Vec<String> = Vec::new();
    let mut exports: Vec<String> = Vec::new();
    if kind == FieldKind::Choice
        && let Ok(opts) = dict.get(b"Opt").and_then(|o| resolve(doc, o).as_array())
    {
        for o in opts {
            // An option is a string, or [export value, display text].
            let (export, shown) = match resolve(doc, o) {
                lopdf::Object::Array(pair) => (
                    pair.first().and_then(|p| text_of(doc, p)),
                    pair.last().and_then(|p| text_of(doc, p)),
                ),
                o => (text_of(doc, o), text_of(doc, o)),
            };
            if let (Some(export), Some(shown)) = (export, shown) {
                exports.push(export);
                options.push(shown);
            }
        }
    }
    let widgets: Vec<Widget> = widgets
        .into_iter()
        .map(|(id, w)| {
            // A check box's or radio button's on-state: the name of its normal appearance
            // that is not /Off.
            let on = w
                .get(b"AP")
                .ok()
                .and_then(|ap| resolve(doc, ap).as_dict().ok())
                .and_then(|ap| ap.get(b"N").ok())
                .and_then(|n| resolve(doc, n).as_dict().ok())
                .and_then(|n| {
                    n.iter()
                        .map(|(state, _)| String::from_utf8_lossy(state).into_owned())
                        .find(|state| state != "Off")
                });
            let page_id = w
                .get(b"P")
                .ok()
                .and_then(|p| p.as_reference().ok())
                .filter(|p| pages.pages.contains_key(p))
                .or_else(|| id.and_then(|id| pages.annots.get(&id).copied()));
            let height = page_id.and_then(|id| page_height(doc, id)).unwrap_or(792.0);
            // PDF user space counts y up from the bottom; words count it down from the top.
            let rect = w.get(b"Rect").ok().and_then(|r| {
                let nums: Vec<f32> = resolve(doc, r)
                    .as_array()
                    .ok()?
                    .iter()
                    .filter_map(|n| resolve(doc, n).as_float().ok())
                    .collect();
                let [x0, y0, x1, y1] = <[f32; 4]>::try_from(nums).ok()?;
                Some([
                    x0.min(x1),
                    height - y0.max(y1),
                    x0.max(x1),
                    height - y0.min(y1),
                ])
            });
            Widget {
                id,
                page: page_id.and_then(|p| pages.pages.get(&p).copied()),
                rect,
                on: matches!(kind, FieldKind::CheckBox | FieldKind::Radio)
                    .then_some(on)
                    .flatten(),
            }
        })
        .collect();
    if matches!(kind, FieldKind::CheckBox | FieldKind::Radio) {
        for on in widgets.iter().filter_map(|w| w.on.clone()) {
            if !options.contains(&on) {
                options.push(on);
            }
        }
    }
    let tooltip = dict
        .get(b"TU")
        .ok()
        .and_then(|t| text_of(doc, t))
        .filter(|t| !t.trim().is_empty());
    out.push(Field {
        name,
        kind,
        value,
        options,
        page: widgets.first().and_then(|w| w.page),
        rect: widgets.first().and_then(|w| w.rect),
        id: own_id,
        widgets,
        exports,
        tooltip,
    });
}

/// Where a form's widgets are: page objects by number, and annotations by page object.
struct Places {
    pages: std::collections::HashMap<lopdf::ObjectId, u32>,
    annots: std::collections::HashMap<lopdf::ObjectId, lopdf::ObjectId>,
}

/// Whether arrays and dictionaries nest more than `max` deep anywhere in a PDF's bytes,
/// outside strings, comments and stream data (skipped to their `endstream`).
fn nested_past(bytes: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' => depth += 1,
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b']' => depth = depth.saturating_sub(1),
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'%' => {
                while i < bytes.len() && !matches!(bytes[i], b'\r' | b'\n') {
                    i += 1;
                }
            }
            b'(' => {
                // A literal string: balanced parentheses, backslash escapes.
                let mut open = 0usize;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'(' => open += 1,
                        b')' => {
                            open -= 1;
                            if open == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            b's' if bytes[i..].starts_with(b"stream") => {
                match bytes[i..].windows(9).position(|w| w == b"endstream") {
                    Some(end) => i += end + 8,
                    None => return false,
                }
            }
            _ => {}
        }
        if depth > max {
            return true;
        }
        i += 1;
    }
    false
}

/// Some(limit) when the Flate-compressed streams of a PDF's bytes expand to more than
/// `limit` bytes together. Streams are found by their `stream` keyword and the dictionary
/// before it (no parse: lopdf has not seen the file yet); one whose data does not inflate is
/// left to lopdf to refuse.
fn expands_past(bytes: &[u8], limit: u64) -> Option<u64> {
    use std::io::Read;
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let mut total: u64 = 0;
    let mut at = 0;
    while let Some(found) = find(&bytes[at..], b"stream") {
        let start = at + found;
        at = start + 6;
        // "endstream" also contains "stream"; a stream keyword ends its line.
        if start >= 3 && &bytes[start - 3..start] == b"end" {
            continue;
        }
        let data = match bytes.get(at..) {
            Some([b'\r', b'\n', rest @ ..])
            | Some([b'\n', rest @ ..])
            | Some([b'\r', rest @ ..]) => rest,
            _ => continue,
        };
        // The dictionary: back to its "<<", at most 4 KB before.
        let head = &bytes[start.saturating_sub(4096)..start];
        let dict = head
            .windows(2)
            .rposition(|w| w == b"<<")
            .map_or(head, |i| &head[i..]);
        // Flate alone, or first: a chain starting with another filter is left to lopdf.
        if find(dict, b"FlateDecode").is_none()
            || [&b"ASCII85Decode"[..], b"ASCIIHexDecode", b"LZWDecode"]
                .iter()
                .any(|f| find(dict, f).is_some())
        {
            continue;
        }
        let mut inflated =
            flate2::read::ZlibDecoder::new(data).take(limit.saturating_sub(total) + 1);
        let n = std::io::copy(&mut inflated, &mut std::io::sink()).unwrap_or(0);
        total += n;
        if total > limit {
            return Some(limit);
        }
    }
    None
}

/// CID fonts' glyph widths (`/W`) written only as `c [w1 w2 …]` lists: the text walk reads the
/// other form (`c_first c_last w`, as Microsoft Print to PDF writes) as no widths, every glyph
/// an em wide, and a line's words drift right of where they are drawn. Changes the document
/// in memory only (a filled copy appends its own objects to the original bytes); a range
/// over 65,536 glyphs is left as it was.
fn widths_as_lists(doc: &mut lopdf::Document) {
    use lopdf::Object;
    let ranged = |w: &[Object]| {
        w.iter()
            .zip(w.iter().skip(1))
            .any(|(a, b)| a.as_i64().is_ok() && b.as_i64().is_ok())
    };
    let expand = |w: &[Object]| -> Option<Vec<Object>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < w.len() {
            match (w.get(i), w.get(i + 1), w.get(i + 2)) {
                (Some(c), Some(Object::Array(list)), _) => {
                    out.push(c.clone());
                    out.push(Object::Array(list.clone()));
                    i += 2;
                }
                (Some(first), Some(last), Some(width)) => {
                    let (first, last) = (first.as_i64().ok()?, last.as_i64().ok()?);
                    if !(0..=65_536).contains(&(last - first)) {
                        return None;
                    }
                    out.push(Object::Integer(first));
                    let n = (last - first + 1) as usize;
                    out.push(Object::Array(vec![width.clone(); n]));
                    i += 3;
                }
                _ => return None,
            }
        }
        Some(out)
    };
    // CID font dictionaries are objects of their own, or inline in a Type0 font's
    // /DescendantFonts (itself inline or an array object); their /W inline or referenced.
    let fix = |dict: &mut lopdf::Dictionary, referenced: &mut Vec<lopdf::ObjectId>| {
        let cid = dict
            .get(b"Subtype")
            .and_then(|s| s.as_name())
            .is_ok_and(|n| n.starts_with(b"CIDFontType"));
        if !cid {
            return;
        }
        match dict.get(b"W") {
            Ok(Object::Array(w)) if ranged(w) => {
                if let Some(lists) = expand(w) {
                    dict.set("W", Object::Array(lists));
                }
            }
            Ok(Object::Reference(r)) => referenced.push(*r),
            _ => {}
        }
    };
    let mut referenced = Vec::new();
    for object in doc.objects.values_mut() {
        let inline: Vec<&mut lopdf::Dictionary> = match object {
            Object::Dictionary(dict) => {
                fix(dict, &mut referenced);
                match dict.get_mut(b"DescendantFonts") {
                    Ok(Object::Array(list)) => list
                        .iter_mut()
                        .filter_map(|o| o.as_dict_mut().ok())
                        .collect(),
                    _ => Vec::new(),
                }
            }
            Object::Array(list) => list
                .iter_mut()
                .filter_map(|o| o.as_dict_mut().ok())
                .collect(),
            _ => Vec::new(),
        };
        for dict in inline {
            fix(dict, &mut referenced);
        }
    }
    for id in referenced {
        if let Some(Object::Array(w)) = doc.objects.get_mut(&id)
            && ranged(w)
            && let Some(lists) = expand(w)
        {
            *w = lists;
        }
    }
}

/// A page's height in points: its `MediaBox`, inherited from its parents when it has none.
fn page_height(doc: &lopdf::Document, page: lopdf::ObjectId) -> Option<f32> {
    let mut node = doc.get_dictionary(page).ok()?;
    for _ in 0..32 {
        if let Ok(mb) = node.get(b"MediaBox").map(|m| resolve(doc, m)) {
            let nums: Vec<f32> = mb
                .as_array()
                .ok()?
                .iter()
                .filter_map(|n| resolve(doc, n).as_float().ok())
                .collect();
            let [_, y0, _, y1] = <[f32; 4]>::try_from(nums).ok()?;
            return Some((y1 - y0).abs());
        }
        node = doc
            .get_dictionary(node.get(b"Parent").ok()?.as_reference().ok()?)
            .ok()?;
    }
    None
}

/// Characters into words: a word ends at a space, at a gap wider than a tenth of the font
/// size, or where the baseline moves.
#[derive(Default)]
struct Words {
    words: Vec<Word>,
    current: Option<Word>,
    page: u32,
    height: f64,
}

impl Words {
    fn end_word(&mut self) {
        if let Some(w) = self.current.take()
            && !w.text.trim().is_empty()
        {
            self.words.push(w);
        }
    }
}

impl pdf_extract::OutputDev for Words {
    fn begin_page(
        &mut self,
        page: u32,
        media_box: &pdf_extract::MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> std::result::Result<(), pdf_extract::OutputError> {
        self.end_word();
        self.page = page;
        self.height = media_box.ury - media_box.lly;
        Ok(())
    }

    fn end_page(&mut self) -> std::result::Result<(), pdf_extract::OutputError> {
        self.end_word();
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> std::result::Result<(), pdf_extract::OutputError> {
        // The rendered size: the text matrix scales the font size.
        let scale = (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt();
        let size = (font_size * scale).max(0.1);
        let x = trm.m31 as f32;
        let y = (self.height - trm.m32) as f32;
        let advance = (width * size) as f32;
        let size = size as f32;
        if ch.chars().all(char::is_whitespace) {
            self.end_word();
            return Ok(());
        }
        let joins = self.current.as_ref().is_some_and(|w| {
            w.page == self.page && (w.y - y).abs() < size * 0.5 && (x - w.x1).abs() < size * 0.15
        });
        if !joins {
            self.end_word();
        }
        match self.current.as_mut() {
            Some(w) if joins => {
                w.text.push_str(ch);
                w.x1 = x + advance;
            }
            _ => {
                self.current = Some(Word {
                    page: self.page,
                    x0: x,
                    x1: x + advance,
                    y,
                    size,
                    text: ch.to_string(),
                });
            }
        }
        Ok(())
    }

    fn begin_word(&mut self) -> std::result::Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> std::result::Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> std::result::Result<(), pdf_extract::OutputError> {
        // A text move is no word boundary by itself: Word draws "A&A" and "-" as two runs
        // that touch. Where the next character lands decides.
        Ok(())
    }
}

/// The rules a page's drawing operations make: a path's segments and rectangles, kept when it
/// is stroked, or filled and thin (a border drawn as a filled box). At most a million.
fn rules_of(ops: &[lopdf::content::Operation], page: u32, height: f32, out: &mut Vec<Rule>) {
    type Matrix = [f32; 6];
    let mut ctm: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut stack: Vec<Matrix> = Vec::new();
    // The current path's straight pieces, in user space.
    let mut pieces: Vec<((f32, f32), (f32, f32))> = Vec::new();
    let mut at: Option<(f32, f32)> = None;
    let mut start: Option<(f32, f32)> = None;
    let map = |m: &Matrix, (x, y): (f32, f32)| {
        (
            x * m[0] + y * m[2] + m[4],
            height - (x * m[1] + y * m[3] + m[5]),
        )
    };
    for op in ops {
        let n: Vec<f32> = op
            .operands
            .iter()
            .filter_map(|o| o.as_float().ok())
            .collect();
        match (op.operator.as_str(), n.as_slice()) {
            ("q", _) if stack.len() < 64 => stack.push(ctm),
            ("Q", _) => ctm = stack.pop().unwrap_or(ctm),
            ("cm", &[a, b, c, d, e, f]) => {
                let m = ctm;
                ctm = [
                    a * m[0] + b * m[2],
                    a * m[1] + b * m[3],
                    c * m[0] + d * m[2],
                    c * m[1] + d * m[3],
                    e * m[0] + f * m[2] + m[4],
                    e * m[1] + f * m[3] + m[5],
                ];
            }
            ("m", &[x, y]) => {
                at = Some((x, y));
                start = at;
            }
            ("l", &[x, y]) => {
                if let Some(from) = at {
                    pieces.push((from, (x, y)));
                }
                at = Some((x, y));
            }
            ("h", _) => {
                if let (Some(a), Some(s)) = (at, start) {
                    pieces.push((a, s));
                }
                at = start;
            }
            ("re", &[x, y, w, h]) => {
                pieces.push(((x, y), (x + w, y)));
                pieces.push(((x + w, y), (x + w, y + h)));
                pieces.push(((x + w, y + h), (x, y + h)));
                pieces.push(((x, y + h), (x, y)));
                at = Some((x, y));
                start = at;
            }
            (paint @ ("S" | "s" | "B" | "B*" | "b" | "b*" | "f" | "F" | "f*" | "n"), _) => {
                let mapped: Vec<((f32, f32), (f32, f32))> = pieces
                    .drain(..)
                    .map(|(a, b)| (map(&ctm, a), map(&ctm, b)))
                    .collect();
                at = None;
                start = None;
                if matches!(paint, "S" | "s" | "B" | "B*" | "b" | "b*") {
                    out.extend(mapped.iter().filter_map(|&(a, b)| rule(page, a, b)));
                } else if paint != "n" && !mapped.is_empty() {
                    // A thin filled box is one rule along its length.
                    let xs = mapped.iter().flat_map(|(a, b)| [a.0, b.0]);
                    let ys = mapped.iter().flat_map(|(a, b)| [a.1, b.1]);
                    let span = |v: &mut dyn Iterator<Item = f32>| {
                        v.fold((f32::MAX, f32::MIN), |(l, h), x| (l.min(x), h.max(x)))
                    };
                    let ((x0, x1), (y0, y1)) = (span(&mut { xs }), span(&mut { ys }));
                    let (xm, ym) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
                    let line = if x1 - x0 < 2.0 {
                        rule(page, (xm, y0), (xm, y1))
                    } else if y1 - y0 < 2.0 {
                        rule(page, (x0, ym), (x1, ym))
                    } else {
                        None
                    };
                    out.extend(line);
                }
            }
            _ => {}
        }
        if out.len() > 1_000_000 {
            return;
        }
    }
}

/// A rule from `a` to `b` (page space, y down) when it is straight and at least ten points
/// long.
fn rule(page: u32, a: (f32, f32), b: (f32, f32)) -> Option<Rule> {
    let (w, h) = ((a.0 - b.0).abs(), (a.1 - b.1).abs());
    if h < 2.0 && w >= 10.0 {
        let y = (a.1 + b.1) / 2.0;
        Some(Rule {
            page,
            x0: a.0.min(b.0),
            y0: y,
            x1: a.0.max(b.0),
            y1: y,
        })
    } else if w < 2.0 && h >= 10.0 {
        let x = (a.0 + b.0) / 2.0;
        Some(Rule {
            page,
            x0: x,
            y0: a.1.min(b.1),
            x1: x,
            y1: a.1.max(b.1),
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::content::{Content, Operation};
    use lopdf::{Object, Stream, dictionary};

    /// A one-page PDF (612 × 792) with `lines` of Helvetica 10 at (72, 720 − 20·i), and a
    /// form: a text field "Q1" over the first line's right, a check box "Q2" (on-state "Yes")
    /// and a choice list "Q3" with [export, shown] options.
    fn sample(lines: &[&str], encrypt: bool) -> Vec<u8> {
        let mut doc = lopdf::Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let mut ops = vec![Operation::new("BT", vec![])];
        for (i, line) in lines.iter().enumerate() {
            ops.push(Operation::new("Tf", vec!["F1".into(), 10.into()]));
            ops.push(Operation::new(
                "Tm",
                vec![
                    1.into(),
                    0.into(),
                    0.into(),
                    1.into(),
                    72.into(),
                    (720 - 20 * i as i64).into(),
                ],
            ));
            ops.push(Operation::new("Tj", vec![Object::string_literal(*line)]));
        }
        ops.push(Operation::new("ET", vec![]));
        let content = Content { operations: ops };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = doc.new_object_id();
        let on = doc.add_object(Stream::new(dictionary! {}, Vec::new()));
        let text = doc.add_object(dictionary! {
            "FT" => "Tx", "T" => Object::string_literal("Q1"), "V" => Object::string_literal("Yes"),
            "Type" => "Annot", "Subtype" => "Widget", "P" => page_id,
            "Rect" => vec![300.into(), 715.into(), 500.into(), 730.into()],
        });
        let check = doc.add_object(dictionary! {
            "FT" => "Btn", "T" => Object::string_literal("Q2"), "V" => "Off",
            "Type" => "Annot", "Subtype" => "Widget", "P" => page_id,
            "Rect" => vec![300.into(), 695.into(), 310.into(), 705.into()],
            "AP" => dictionary! { "N" => dictionary! { "Yes" => on, "Off" => on } },
        });
        let choice = doc.add_object(dictionary! {
            "FT" => "Ch", "T" => Object::string_literal("Q3"), "Ff" => 1 << 17,
            "Opt" => vec![
                Object::Array(vec![Object::string_literal("y"), Object::string_literal("Yes")]),
                Object::Array(vec![Object::string_literal("n"), Object::string_literal("No")]),
            ],
            "Type" => "Annot", "Subtype" => "Widget", "P" => page_id,
            "Rect" => vec![300.into(), 675.into(), 400.into(), 685.into()],
        });
        doc.objects.insert(
            page_id,
            Object::Dictionary(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
                "Annots" => vec![text.into(), check.into(), choice.into()],
            }),
        );
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
                "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            }),
        );
        // The fields under a parent field "form": full names "form.Q1", ….
        let parent = doc.add_object(dictionary! {
            "T" => Object::string_literal("form"),
            "Kids" => vec![text.into(), check.into(), choice.into()],
        });
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog", "Pages" => pages_id,
            "AcroForm" => dictionary! { "Fields" => vec![parent.into()] },
        });
        doc.trailer.set("Root", catalog);
        if encrypt {
            let enc = doc.add_object(dictionary! { "Filter" => "Standard", "V" => 1 });
            doc.trailer.set("Encrypt", enc);
        }
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn words_come_with_their_page_and_position_top_down() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "q.pdf",
            &sample(
                &["1. Do you encrypt data at rest?", "2. Is MFA required?"],
                false,
            ),
        );
        let pdf = Pdf::open(&path, &Limits::default()).unwrap();
        let words = pdf.words(&path).unwrap();
        let text: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            text,
            [
                "1.",
                "Do",
                "you",
                "encrypt",
                "data",
                "at",
                "rest?",
                "2.",
                "Is",
                "MFA",
                "required?"
            ]
        );
        let first = &words[0];
        assert_eq!(
            (first.page, first.x0, first.y, first.size),
            (1, 72.0, 72.0, 10.0)
        );
        // The second line is 20 points further down; words on a line go left to right.
        assert_eq!(words[7].y, 92.0);
        assert!(words.windows(2).take(6).all(|w| w[0].x1 <= w[1].x0));
    }

    #[test]
    fn form_fields_are_read_with_names_kinds_options_and_places() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "f.pdf", &sample(&["Question"], false));
        let fields = Pdf::open(&path, &Limits::default()).unwrap().fields();
        let got: Vec<(&str, FieldKind, &str, Vec<&str>)> = fields
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.kind,
                    f.value.as_str(),
                    f.options.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("form.Q1", FieldKind::Text, "Yes", vec![]),
                ("form.Q2", FieldKind::CheckBox, "Off", vec!["Yes"]),
                ("form.Q3", FieldKind::Choice, "", vec!["Yes", "No"]),
            ]
        );
        assert!(fields.iter().all(|f| f.page == Some(1)));
        // Rect flipped into the words' space: 792 − 730 = 62 at the top.
        assert_eq!(fields[0].rect, Some([300.0, 62.0, 500.0, 77.0]));
    }

    #[test]
    fn encrypted_damaged_large_and_other_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let refused = |path: &Path, limits: &Limits| match Pdf::open(path, limits) {
            Ok(_) => panic!("{} was read", path.display()),
            Err(e) => e.to_string(),
        };
        let limits = Limits::default();
        let locked = write(dir.path(), "locked.pdf", &sample(&["x"], true));
        assert!(refused(&locked, &limits).contains("password-protected"));
        let text = write(dir.path(), "text.pdf", b"hello, not a pdf");
        assert!(refused(&text, &limits).contains("no %PDF header"));
        let mut cut = sample(&["x"], false);
        cut.truncate(cut.len() / 3);
        let cut = write(dir.path(), "cut.pdf", &cut);
        assert!(refused(&cut, &limits).contains("damaged"));
        let small = Limits {
            max_file_bytes: 100,
            ..Limits::default()
        };
        let ok = write(dir.path(), "ok.pdf", &sample(&["x"], false));
        assert!(refused(&ok, &small).contains("over the limit"));
        let few = Limits {
            max_xml_elements: 3,
            ..Limits::default()
        };
        assert!(refused(&ok, &few).contains("objects, over the limit of 3"));
    }

    #[test]
    fn text_strings_decode_from_utf16_or_latin1() {
        assert_eq!(decode_text(&[0xFE, 0xFF, 0x00, 0x59, 0x00, 0xE9]), "Yé");
        assert_eq!(decode_text(b"Caf\xe9"), "Café");
    }

    #[test]
    fn borders_are_stroked_lines_and_thin_filled_boxes_however_painted() {
        let op = |o: &str, n: &[f32]| Operation::new(o, n.iter().map(|&v| v.into()).collect());
        let ops = [
            // A filled box half a point high (f*, as Word paints): a horizontal rule.
            op("re", &[72.0, 700.0, 200.0, 0.5]),
            op("f*", &[]),
            // A stroked segment, moved by a cm: a vertical rule.
            op("q", &[]),
            op("cm", &[1.0, 0.0, 0.0, 1.0, 10.0, 0.0]),
            op("m", &[100.0, 600.0]),
            op("l", &[100.0, 700.0]),
            op("S", &[]),
            op("Q", &[]),
            // A clip, a cell's shading and a short tick: no rules.
            op("re", &[0.0, 0.0, 612.0, 792.0]),
            op("W*", &[]),
            op("n", &[]),
            op("re", &[72.0, 600.0, 50.0, 30.0]),
            op("f", &[]),
            op("m", &[10.0, 10.0]),
            op("l", &[14.0, 10.0]),
            op("S", &[]),
        ];
        let mut rules = Vec::new();
        rules_of(&ops, 3, 792.0, &mut rules);
        assert_eq!(
            rules,
            [
                Rule {
                    page: 3,
                    x0: 72.0,
                    y0: 91.75,
                    x1: 272.0,
                    y1: 91.75
                },
                Rule {
                    page: 3,
                    x0: 110.0,
                    y0: 92.0,
                    x1: 110.0,
                    y1: 192.0
                },
            ]
        );
    }

    #[test]
    fn cid_widths_given_as_ranges_are_read_as_lists() {
        use lopdf::Object;
        let mut doc = lopdf::Document::with_version("1.7");
        let w = doc.add_object(Object::Array(vec![
            3.into(),
            5.into(),
            500.into(),
            7.into(),
            Object::Array(vec![250.into(), 300.into()]),
        ]));
        let inline = dictionary! { "Type" => "Font", "Subtype" => "CIDFontType2", "W" => w };
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "DescendantFonts" => vec![inline.into()],
        });
        widths_as_lists(&mut doc);
        let lists = Object::Array(vec![
            3.into(),
            Object::Array(vec![500.into(), 500.into(), 500.into()]),
            7.into(),
            Object::Array(vec![250.into(), 300.into()]),
        ]);
        assert_eq!(doc.get_object(w).unwrap(), &lists);
        assert!(doc.get_dictionary(font).is_ok());
    }

    #[test]
    fn nesting_is_measured_outside_strings_comments_and_streams() {
        let deep = [b"1 0 obj\n".to_vec(), vec![b'['; 300], vec![b']'; 300]].concat();
        assert!(nested_past(&deep, 256));
        assert!(!nested_past(&deep, 300));
        let dicts = b"<< /A << /B << /C 1 >> >> >>".repeat(100);
        assert!(!nested_past(&dicts, 3));
        assert!(nested_past(&dicts, 2));
        // Brackets inside a string, a comment or a stream's data are no nesting.
        let quiet = [
            b"(".to_vec(),
            vec![b'['; 300],
            b"\\) still a string)\n%".to_vec(),
            vec![b'['; 300],
            b"\n<< /Length 300 >>\nstream\n".to_vec(),
            vec![b'['; 300],
            b"\nendstream\n[ ]".to_vec(),
        ]
        .concat();
        assert!(!nested_past(&quiet, 4));
    }
}
