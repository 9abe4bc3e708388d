//! A PDF form's questions, and its answers written back in place (issue 25). A question is
//! a text field, a choice list, or the check boxes and radio buttons on one line, with the
//! words printed to their left (else its tooltip, else the line above it) as its text. The
//! answers are written as an incremental update: the original bytes unchanged, the changed
//! field and widget objects appended after them with a new cross-reference section, and the
//! form told to draw its fields again (`NeedAppearances`), so viewers show the values.

use std::collections::BTreeMap;
use std::io::Write;

use lopdf::{Dictionary, Object, ObjectId};

use super::{Field, FieldKind, Word};

/// One question of a form: its page, text, and where its answer goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub page: u32,
    pub text: String,
    pub answer: Answer,
}

/// Where a form question's answer goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A text field (the index of the field).
    Text(usize),
    /// Options, each set by one target: check boxes, a radio group's buttons, a choice list.
    Options(Vec<(String, Target)>),
}

/// What choosing an option sets.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Check field `field` (its on-state `on`); the other boxes of the question are cleared.
    Check { field: usize, on: String },
    /// Set radio group `field` to `on`.
    Radio { field: usize, on: String },
    /// Set choice list `field` to the export value.
    Choice { field: usize, export: String },
}

impl Answer {
    /// The option labels, when the answer is a choice.
    pub fn options(&self) -> Option<Vec<String>> {
        match self {
            Answer::Text(_) => None,
            Answer::Options(options) => Some(options.iter().map(|(l, _)| l.clone()).collect()),
        }
    }

    /// What the form holds now: a text field's text, the label of the option set (or of
    /// those set, joined by " / ").
    pub fn current(&self, fields: &[Field]) -> String {
        match self {
            Answer::Text(f) if crate::text::is_placeholder(&fields[*f].value, "") => String::new(),
            Answer::Text(f) => fields[*f].value.clone(),
            Answer::Options(options) => options
                .iter()
                .filter(|(_, t)| match t {
                    Target::Check { field, on } | Target::Radio { field, on } => {
                        fields[*field].value == *on
                    }
                    Target::Choice { field, export } => {
                        !export.is_empty() && fields[*field].value == *export
                    }
                })
                .map(|(l, _)| l.as_str())
                .collect::<Vec<_>>()
                .join(" / "),
        }
    }
}

/// The questions of a form whose fields are `fields`, its pages' words `words`, in page
/// and reading order. Push buttons and signatures ask nothing; a field on no page, or inline
/// in its parent (it cannot be written in place), is left out.
pub fn questions(words: &[Word], fields: &[Field]) -> Vec<Question> {
    // Answerable fields by page and line: (page, top, left, index).
    let mut placed: Vec<(u32, [f32; 4], usize)> = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| answerable(f))
        .filter_map(|(i, f)| Some((f.page?, f.rect?, i)))
        .collect();
    placed.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1[1].total_cmp(&b.1[1]))
            .then(a.1[0].total_cmp(&b.1[0]))
    });
    let mut out = Vec::new();
    let mut i = 0;
    while i < placed.len() {
        let (page, rect, f) = placed[i];
        let field = &fields[f];
        let middle = (rect[1] + rect[3]) / 2.0;
        let on_line = |r: &[f32; 4]| ((r[1] + r[3]) / 2.0 - middle).abs() < 4.0;
        let answer;
        if field.kind == FieldKind::CheckBox {
            // The check boxes on this line: one question, an option each.
            let mut boxes = vec![(rect, f)];
            while let Some(&(p, r, g)) = placed.get(i + 1)
                && p == page
                && on_line(&r)
                && fields[g].kind == FieldKind::CheckBox
            {
                boxes.push((r, g));
                i += 1;
            }
            let options = boxes
                .iter()
                .map(|&(r, g)| {
                    let on = fields[g]
                        .options
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "Yes".into());
                    let label = if boxes.len() == 1 {
                        on.clone()
                    } else {
                        label_right(words, page, &r).unwrap_or_else(|| on.clone())
                    };
                    (label, Target::Check { field: g, on })
                })
                .collect();
            answer = Answer::Options(options);
        } else if field.kind == FieldKind::Radio {
            let options = field
                .widgets
                .iter()
                .filter_map(|w| {
                    let on = w.on.clone()?;
                    let label = w
                        .rect
                        .filter(|_| crate::text::option_class(&on).is_none())
                        .and_then(|r| label_right(words, page, &r))
                        .unwrap_or_else(|| on.clone());
                    Some((label, Target::Radio { field: f, on }))
                })
                .collect();
            answer = Answer::Options(options);
        } else if field.kind == FieldKind::Choice {
            let options = field
                .options
                .iter()
                .zip(&field.exports)
                .filter(|(o, _)| !o.trim().is_empty() && !crate::text::is_placeholder(o, ""))
                .map(|(o, e)| {
                    (
                        o.clone(),
                        Target::Choice {
                            field: f,
                            export: e.clone(),
                        },
                    )
                })
                .collect();
            answer = Answer::Options(options);
        } else {
            answer = Answer::Text(f);
        }
        let text = text_left(words, page, &rect)
            .or_else(|| field.tooltip.clone())
            .or_else(|| text_above(words, page, &rect))
            .unwrap_or_else(|| field.name.clone());
        out.push(Question { page, text, answer });
        i += 1;
    }
    out
}

/// Whether a field can hold an answer trustfill writes: not a button or signature, on a
/// page, and its own object (not inline in its parent).
pub fn answerable(f: &Field) -> bool {
    !matches!(f.kind, FieldKind::PushButton | FieldKind::Signature)
        && f.page.is_some()
        && f.rect.is_some()
        && (f.id.is_some() || f.widgets.iter().all(|w| w.id.is_some()))
}

/// The words on `page` beside `rect` (their lines' middles within its height, or a font
/// size of its middle), left of it and right of any gap wider than three font sizes: a
/// field's printed label, its lines in reading order.
fn text_left(words: &[Word], page: u32, rect: &[f32; 4]) -> Option<String> {
    let middle = (rect[1] + rect[3]) / 2.0;
    let mut on: Vec<&Word> = words
        .iter()
        .filter(|w| w.page == page && w.x1 <= rect[0] + 1.0)
        .filter(|w| {
            let m = w.y - w.size * 0.35;
            (m - middle).abs() < ((rect[3] - rect[1]) / 2.0).max(w.size * 1.2)
        })
        .collect();
    on.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    let mut out: Vec<&Word> = Vec::new();
    for line in on.chunk_by(|a, b| (a.y - b.y).abs() < a.size * 0.4) {
        // The run of words ending nearest the box.
        let mut run: Vec<&Word> = Vec::new();
        for &w in line {
            if run.last().is_some_and(|p| w.x0 - p.x1 > w.size * 3.0) {
                run.clear();
            }
            run.push(w);
        }
        out.extend(run);
    }
    joined(&out)
}

/// The line of words just above `rect` on `page` (within two lines), overlapping it
/// across: the label of a box under its question.
fn text_above(words: &[Word], page: u32, rect: &[f32; 4]) -> Option<String> {
    let above: Vec<&Word> = words
        .iter()
        .filter(|w| w.page == page && w.y <= rect[1] + 1.0 && rect[1] - w.y < w.size * 2.5)
        .filter(|w| w.x1 >= rect[0] - 200.0 && w.x0 <= rect[2])
        .collect();
    let last = above.iter().map(|w| w.y).fold(f32::MIN, f32::max);
    let mut line: Vec<&Word> = above
        .into_iter()
        .filter(|w| (w.y - last).abs() < 1.0)
        .collect();
    line.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    joined(&line)
}

/// The word printed just right of a box on its line: an option's label ("☐ Yes").
fn label_right(words: &[Word], page: u32, rect: &[f32; 4]) -> Option<String> {
    let middle = (rect[1] + rect[3]) / 2.0;
    words
        .iter()
        .filter(|w| w.page == page && w.x0 >= rect[2] - 1.0 && w.x0 - rect[2] < 40.0)
        .filter(|w| ((w.y - w.size * 0.35) - middle).abs() < w.size)
        .min_by(|a, b| a.x0.total_cmp(&b.x0))
        .map(|w| w.text.clone())
}

fn joined(words: &[&Word]) -> Option<String> {
    let text = words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let text = text.trim().trim_end_matches(':').trim().to_string();
    (text.chars().any(char::is_alphabetic)).then_some(text)
}

/// A value to set, by field index.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A text field's text or a choice list's export value; `mark` draws its box tinted (a
    /// draft for review).
    Text { text: String, mark: bool },
    /// A check box's or radio group's state: `on` (one of its widgets' on-states) or "Off".
    State { on: String, mark: bool },
}

/// The value `answer` means for question `q`: a text field takes it as it is; an option is
/// the one whose label is the answer (case aside), else the one of the same class (Yes, No,
/// N/A: "Yes, since 2019" checks a "Yes" box). None when no option fits.
pub fn values_for(q: &Question, answer: &str, mark: bool) -> Option<Vec<(usize, Value)>> {
    match &q.answer {
        Answer::Text(f) => Some(vec![(
            *f,
            Value::Text {
                text: answer.to_string(),
                mark,
            },
        )]),
        Answer::Options(options) => {
            let wanted = answer.trim();
            let chosen = options
                .iter()
                .position(|(l, _)| l.trim().eq_ignore_ascii_case(wanted))
                .or_else(|| {
                    let class = crate::text::option_class(wanted)?;
                    options
                        .iter()
                        .position(|(l, _)| crate::text::option_class(l) == Some(class))
                })?;
            let mut out = Vec::new();
            for (i, (_, target)) in options.iter().enumerate() {
                match target {
                    // Every box of the question: the chosen one checked, the others cleared.
                    Target::Check { field, on } => out.push((
                        *field,
                        Value::State {
                            on: if i == chosen {
                                on.clone()
                            } else {
                                "Off".into()
                            },
                            mark: mark && i == chosen,
                        },
                    )),
                    Target::Radio { field, on } if i == chosen => out.push((
                        *field,
                        Value::State {
                            on: on.clone(),
                            mark,
                        },
                    )),
                    Target::Choice { field, export } if i == chosen => out.push((
                        *field,
                        Value::Text {
                            text: export.clone(),
                            mark,
                        },
                    )),
                    _ => {}
                }
            }
            Some(out)
        }
    }
}

/// Write `original` (the file's bytes, read as `doc`) with `values` set into `out`: the
/// original bytes, then the changed objects and a cross-reference section for them. The
/// form's `NeedAppearances` is set; a text field's stale appearance is dropped so viewers
/// draw its new value; a marked field's box is tinted.
pub fn write(
    original: &[u8],
    doc: &lopdf::Document,
    fields: &[Field],
    values: &[(usize, Value)],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut changed: BTreeMap<ObjectId, Object> = BTreeMap::new();
    let dict_of = |changed: &mut BTreeMap<ObjectId, Object>, id: ObjectId| -> Option<()> {
        if let std::collections::btree_map::Entry::Vacant(slot) = changed.entry(id) {
            let object = doc.get_object(id).ok()?;
            object.as_dict().ok()?;
            slot.insert(object.clone());
        }
        Some(())
    };
    let tint = |d: &mut Dictionary| {
        let mut mk = d
            .get(b"MK")
            .ok()
            .and_then(|m| m.as_dict().ok())
            .cloned()
            .unwrap_or_default();
        mk.set("BG", vec![1.0.into(), 0.95.into(), 0.6.into()]);
        d.set("MK", mk);
    };
    for (f, value) in values {
        let Some(field) = fields.get(*f) else {
            continue;
        };
        // The field's own object holds /V; a merged field is its widget too.
        let field_id = field
            .id
            .or_else(|| field.widgets.first().and_then(|w| w.id));
        let Some(field_id) = field_id else { continue };
        if dict_of(&mut changed, field_id).is_none() {
            continue;
        }
        let widget_ids: Vec<ObjectId> = field.widgets.iter().filter_map(|w| w.id).collect();
        for &w in &widget_ids {
            dict_of(&mut changed, w);
        }
        let set_v = |changed: &mut BTreeMap<ObjectId, Object>, v: Object| {
            if let Some(Object::Dictionary(d)) = changed.get_mut(&field_id) {
                d.set("V", v);
            }
        };
        match value {
            Value::Text { text, mark } => {
                set_v(
                    &mut changed,
                    Object::String(encode_text(text), lopdf::StringFormat::Literal),
                );
                for w in &widget_ids {
                    if let Some(Object::Dictionary(d)) = changed.get_mut(w) {
                        d.remove(b"AP");
                        if *mark {
                            tint(d);
                        }
                    }
                }
            }
            Value::State { on, mark } => {
                set_v(&mut changed, Object::Name(on.as_bytes().to_vec()));
                // Each widget its own state (one written inline in its field has no object
                // of its own to change).
                for widget in &field.widgets {
                    let Some(w) = widget.id else { continue };
                    if let Some(Object::Dictionary(d)) = changed.get_mut(&w) {
                        let state = if widget.on.as_deref() == Some(on.as_str()) {
                            on.as_str()
                        } else {
                            "Off"
                        };
                        d.set("AS", Object::Name(state.as_bytes().to_vec()));
                        if *mark && state != "Off" {
                            tint(d);
                        }
                    }
                }
            }
        }
    }
    // NeedAppearances on the form: its own object, or the catalog holding it inline.
    let root = doc.trailer.get(b"Root").and_then(Object::as_reference).ok();
    if let Some(root) = root {
        let form = doc
            .get_dictionary(root)
            .ok()
            .and_then(|c| c.get(b"AcroForm").ok())
            .cloned();
        match form {
            Some(Object::Reference(id)) => {
                if dict_of(&mut changed, id).is_some()
                    && let Some(Object::Dictionary(d)) = changed.get_mut(&id)
                {
                    d.set("NeedAppearances", true);
                }
            }
            Some(Object::Dictionary(_)) => {
                if dict_of(&mut changed, root).is_some()
                    && let Some(Object::Dictionary(c)) = changed.get_mut(&root)
                    && let Ok(Object::Dictionary(form)) = c.get_mut(b"AcroForm")
                {
                    form.set("NeedAppearances", true);
                }
            }
            _ => {}
        }
    }
    let mut update = lopdf::IncrementalDocument::create_from(original.to_vec(), doc.clone());
    for (id, object) in changed {
        update.new_document.set_object(id, object);
    }
    update.save_to(out)
}

/// A text string for a PDF: PDFDocEncoding where every character is Latin-1 printable,
/// else UTF-16BE with its byte order mark.
fn encode_text(text: &str) -> Vec<u8> {
    if text
        .chars()
        .all(|c| (' '..='~').contains(&c) || ('\u{a0}'..='\u{ff}').contains(&c))
    {
        text.chars().map(|c| c as u8).collect()
    } else {
        let mut out = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            out.extend(unit.to_be_bytes());
        }
        out
    }
}
