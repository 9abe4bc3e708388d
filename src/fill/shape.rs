//! The shape an answer takes in its cell: one of the dropdown's own values (`N/A` becomes `NA`
//! when the list says `NA`), the comment in the comment column, or, with a single answer
//! column, the short answer followed by the comment.

/// What to write for one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shaped {
    pub answer: Option<String>,
    pub comment: Option<String>,
    /// Why something was not written, for the review sheet.
    pub note: Option<String>,
}

use crate::text::{class_and_qualifier, option_class};

fn same(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
    };
    norm(a) == norm(b) || norm(unnumbered(a)) == norm(unnumbered(b))
}

/// An option without the number a list put before it: last year's "4) AWS" is this year's
/// "AWS".
fn unnumbered(option: &str) -> &str {
    let t = option.trim_start();
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    match t[digits..].strip_prefix([')', '.']) {
        Some(rest) if digits > 0 && !rest.trim().is_empty() => rest.trim_start(),
        _ => t,
    }
}

/// Shape a knowledge-base answer for a question's cells.
pub fn shape(
    short: &str,
    comment: &str,
    allowed: Option<&[String]>,
    has_comment_cell: bool,
) -> Shaped {
    shape_reused(short, comment, allowed, has_comment_cell, None)
}

/// [`shape`] for an answer given before to this very question (`reused`: the reference, as
/// "HECVAT 4.1.2 AIQU-01"): when the dropdown does not offer it, it is written as it was
/// then, with a note, not moved to the comment. Last year's edition took it.
pub fn shape_reused(
    short: &str,
    comment: &str,
    allowed: Option<&[String]>,
    has_comment_cell: bool,
    reused: Option<&str>,
) -> Shaped {
    let mut comment = comment.trim().to_string();
    let pick = allowed.and_then(|values| {
        values.iter().find(|v| same(v, short)).or_else(|| {
            let v = option_class(short)
                .and_then(|c| values.iter().find(|v| option_class(v) == Some(c)))?;
            // "Yes. All customer data is encrypted …" takes the dropdown's Yes; what follows
            // the Yes is part of the approved answer and goes with the comment.
            comment = match (class_and_qualifier(short).1, comment.as_str()) {
                ("", c) => c.to_string(),
                (q, "") => q.to_string(),
                (q, c) => format!("{q} — {c}"),
            };
            Some(v)
        })
    });
    let comment_out = (has_comment_cell && !comment.is_empty()).then(|| comment.clone());
    match allowed {
        Some(values) => {
            match pick {
                Some(value) => Shaped {
                    answer: Some(value.clone()),
                    comment: comment_out,
                    note: (!has_comment_cell && !comment.is_empty())
                        .then(|| "the comment was not written: no comment column".to_string()),
                },
                None if reused.is_some() => Shaped {
                    answer: Some(short.to_string()),
                    comment: comment_out,
                    note: Some(format!(
                        "written as answered in {}, though the dropdown offers only {}",
                        reused.unwrap_or_default(),
                        values.join(", ")
                    )),
                },
                // A value answer ("Within 24 hours") under a Yes/No dropdown: the dropdown is left
                // for the reviewer, and the answer goes with the comment where it can be read.
                None if has_comment_cell => Shaped {
                    answer: None,
                    comment: Some(if comment.is_empty() {
                        short.to_string()
                    } else {
                        format!("{short} — {comment}")
                    }),
                    note: Some(format!(
                        "dropdown left blank: the approved answer {short:?} is not one of its values ({}); it is in the comment",
                        values.join(", ")
                    )),
                },
                None => Shaped {
                    answer: None,
                    comment: None,
                    note: Some(format!(
                        "the approved answer {short:?} is not one of the dropdown's values ({})",
                        values.join(", ")
                    )),
                },
            }
        }
        None if has_comment_cell => Shaped {
            answer: Some(short.to_string()),
            comment: comment_out,
            note: None,
        },
        None => Shaped {
            answer: Some(if comment.is_empty() {
                short.to_string()
            } else {
                format!("{short} — {comment}")
            }),
            comment: None,
            note: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn dropdown_values_are_used_verbatim() {
        let caiq = list(&["Yes", "No", "NA"]);
        assert_eq!(
            shape("N/A", "Not used.", Some(&caiq), true)
                .answer
                .as_deref(),
            Some("NA")
        );
        assert_eq!(
            shape("yes", "", Some(&caiq), true).answer.as_deref(),
            Some("Yes")
        );
        let hecvat = list(&["Yes", "No", "N/A"]);
        assert_eq!(
            shape("NA", "", Some(&hecvat), true).answer.as_deref(),
            Some("N/A")
        );
        assert_eq!(
            shape("Yes (ISO/IEC 27001:2022)", "", Some(&caiq), true)
                .answer
                .as_deref(),
            Some("Yes")
        );
        assert_eq!(
            shape("No, not in scope", "", Some(&caiq), true)
                .answer
                .as_deref(),
            Some("No")
        );
        assert_eq!(
            shape("N/A - no card data", "", Some(&caiq), true)
                .answer
                .as_deref(),
            Some("NA")
        );
        assert_eq!(shape("Nobody", "", Some(&caiq), true).answer, None);
        let hosting = list(&["1) On premises", "4) AWS"]);
        assert_eq!(
            shape("4) aws", "", Some(&hosting), false).answer.as_deref(),
            Some("4) AWS")
        );
    }

    #[test]
    fn answers_outside_the_dropdown_go_to_the_comment_or_nowhere() {
        let yes_no = list(&["Yes", "No"]);
        let s = shape(
            "72 hours",
            "We notify within 72 hours.",
            Some(&yes_no),
            true,
        );
        assert_eq!(s.answer, None);
        assert_eq!(
            s.comment.as_deref(),
            Some("72 hours — We notify within 72 hours.")
        );
        assert!(s.note.unwrap().contains("dropdown left blank"));
        let s = shape(
            "72 hours",
            "We notify within 72 hours.",
            Some(&yes_no),
            false,
        );
        assert_eq!((s.answer, s.comment), (None, None));
        assert!(
            s.note
                .unwrap()
                .contains("not one of the dropdown's values (Yes, No)")
        );
    }

    #[test]
    fn comment_goes_to_its_column_or_follows_the_answer() {
        let with = shape("Yes", "AES-256 at rest.", None, true);
        assert_eq!(
            (with.answer.as_deref(), with.comment.as_deref()),
            (Some("Yes"), Some("AES-256 at rest."))
        );
        let single = shape("Yes", "AES-256 at rest.", None, false);
        assert_eq!(single.answer.as_deref(), Some("Yes — AES-256 at rest."));
        assert_eq!(single.comment, None);
        // No comment, nothing for the comment cell; a dropdown with no comment cell keeps the
        // comment out of the answer.
        assert_eq!(
            shape("Yes", "", Some(&list(&["Yes", "No"])), true).comment,
            None
        );
        assert_eq!(
            shape(
                "Yes",
                "AES-256 at rest.",
                Some(&list(&["Yes", "No"])),
                false
            )
            .comment,
            None
        );
        let dropdown_only = shape(
            "Yes",
            "AES-256 at rest.",
            Some(&list(&["Yes", "No"])),
            false,
        );
        assert_eq!(dropdown_only.answer.as_deref(), Some("Yes"));
        assert!(dropdown_only.note.unwrap().contains("no comment column"));
    }

    #[test]
    fn what_follows_a_yes_in_the_dropdown_goes_with_the_comment() {
        let yes_no = list(&["Yes", "No", "NA"]);
        let prose = shape(
            "Yes. All customer data is encrypted at rest with AES-256.",
            "",
            Some(&yes_no),
            true,
        );
        assert_eq!(
            (prose.answer.as_deref(), prose.comment.as_deref()),
            (
                Some("Yes"),
                Some("All customer data is encrypted at rest with AES-256.")
            )
        );
        let both = shape(
            "Yes (ISO/IEC 27001:2022)",
            "Certified since 2021.",
            Some(&yes_no),
            true,
        );
        assert_eq!(
            both.comment.as_deref(),
            Some("ISO/IEC 27001:2022 — Certified since 2021.")
        );
        assert_eq!(
            shape("No, not in scope", "", Some(&yes_no), true)
                .comment
                .as_deref(),
            Some("not in scope")
        );
        // Without a comment column the rest is not written, and the review says so.
        let no_column = shape("N/A - no card data", "", Some(&yes_no), false);
        assert_eq!(no_column.answer.as_deref(), Some("NA"));
        assert!(no_column.note.unwrap().contains("no comment column"));
        // A value the dropdown lacks keeps its words once, in the comment.
        let value = shape(
            "Yes, after 5 attempts",
            "",
            Some(&list(&["On", "Off"])),
            true,
        );
        assert_eq!(value.comment.as_deref(), Some("Yes, after 5 attempts"));
        // A status that is the option's own words adds nothing.
        let status = shape("In Place", "", Some(&list(&["Yes", "No"])), true);
        assert_eq!(
            (status.answer.as_deref(), status.comment),
            (Some("Yes"), None)
        );
    }

    #[test]
    fn control_statuses_and_numbered_options_take_the_answer() {
        let pci = list(&[
            "In Place",
            "In Place with CCW",
            "Not Applicable",
            "Not in Place",
        ]);
        let pick = |short: &str, values: &[String]| shape(short, "", Some(values), false).answer;
        assert_eq!(pick("Yes", &pci).as_deref(), Some("In Place"));
        assert_eq!(pick("No", &pci).as_deref(), Some("Not in Place"));
        assert_eq!(pick("N/A", &pci).as_deref(), Some("Not Applicable"));
        // And back: last year's "In Place" is this year's Yes.
        assert_eq!(
            pick("In Place", &list(&["Yes", "No"])).as_deref(),
            Some("Yes")
        );
        let nist = list(&[
            "Implemented",
            "Partially Implemented",
            "Planned",
            "Not Applicable",
        ]);
        assert_eq!(pick("Yes", &nist).as_deref(), Some("Implemented"));
        // "4) AWS" last year is "AWS" now; a number alone is no option's name.
        let hosting = list(&["Self-Managed", "AWS", "Azure"]);
        assert_eq!(pick("4) AWS", &hosting).as_deref(), Some("AWS"));
        assert_eq!(pick("4)", &list(&["4)", "5)"])).as_deref(), Some("4)"));
        assert_eq!(pick("2", &hosting), None);
    }

    #[test]
    fn last_years_answer_to_the_same_question_is_written_as_it_was() {
        let yes_no = list(&["Yes", "No"]);
        let fresh = shape_reused("N/A", "Not offered.", Some(&yes_no), true, None);
        assert_eq!(fresh.answer, None, "not reused: left for the reviewer");
        let reused = shape_reused(
            "N/A",
            "Not offered.",
            Some(&yes_no),
            true,
            Some("HECVAT 4.1.2 AIQU-01"),
        );
        assert_eq!(reused.answer.as_deref(), Some("N/A"));
        assert_eq!(reused.comment.as_deref(), Some("Not offered."));
        assert_eq!(
            reused.note.as_deref(),
            Some(
                "written as answered in HECVAT 4.1.2 AIQU-01, though the dropdown offers only Yes, No"
            )
        );
        // A value the dropdown has is taken as the dropdown spells it, reused or not.
        let spelled = shape_reused("yes", "", Some(&yes_no), true, Some("X 1"));
        assert_eq!(
            (spelled.answer.as_deref(), spelled.note),
            (Some("Yes"), None)
        );
    }
}
