//! Generated questionnaire fixtures. They reproduce the layout quirks of real questionnaires
//! (title rows, an instructions sheet, repeated section headers, question text stored as
//! formulas with cached values, a formula answer cell, Yes/No/N/A dropdowns from a literal list
//! and from a hidden sheet, a hidden row, merged ranges, a protected sheet with unlocked answer
//! cells, an already answered row), in our own words. `fixtures/sample-questionnaire.xlsx` is
//! written by `cargo run --example make_fixtures`; a test checks it still matches this code.

#![allow(dead_code)]

use std::path::Path;

use rust_xlsxwriter::{DataValidation, DocProperties, ExcelDateTime, Format, Formula, Workbook};

pub const SHEET: &str = "Security Questionnaire";

/// A question of the sample: id, text, and whether the text is stored as a formula.
pub type SampleQuestion = (&'static str, &'static str, bool);

/// The sample's questions by section.
pub const SECTIONS: [(&str, &[SampleQuestion]); 3] = [
    (
        "Access Control",
        &[
            (
                "ACC-01",
                "Is multi-factor authentication required for all employees?",
                false,
            ),
            (
                "ACC-02",
                "Do you support single sign-on (SAML) for customer users?",
                true,
            ),
            (
                "ACC-03",
                "How quickly is access removed when an employee leaves?",
                false,
            ),
            (
                "ACC-04",
                "Are user access rights reviewed at least quarterly?",
                false,
            ),
            ("ACC-05", "Do you allow shared or generic accounts?", false),
        ],
    ),
    (
        "Data Protection",
        &[
            ("DAT-01", "Is customer data encrypted at rest?", false),
            (
                "DAT-02",
                "Which TLS versions do you support for data in transit?",
                true,
            ),
            ("DAT-03", "Are backups encrypted?", false),
            (
                "DAT-04",
                "How long is customer data retained after the contract ends?",
                false,
            ),
            (
                "DAT-05",
                "Do you process protected health information and sign BAAs?",
                false,
            ),
        ],
    ),
    (
        "Assurance",
        &[
            (
                "ASR-01",
                "Do you have a current SOC 2 Type II report?",
                false,
            ),
            ("ASR-02", "Are you ISO 27001 certified?", false),
            (
                "ASR-03",
                "Is penetration testing performed by a third party at least annually?",
                false,
            ),
            (
                "ASR-04",
                "Do you have a documented incident response plan?",
                false,
            ),
            (
                "ASR-05",
                "Will the product run on our on-premises mainframe?",
                false,
            ),
            ("ASR-06", "Summary of assurance answers", false),
        ],
    ),
];

/// Where things are in the generated sheet (0-based rows).
pub struct SampleLayout;
impl SampleLayout {
    pub const HIDDEN_ROW_ID: &str = "ACC-05";
    pub const ANSWERED_ID: &str = "ASR-02";
    pub const ANSWERED_VALUE: &str = "No";
    pub const FORMULA_ANSWER_ID: &str = "ASR-06";
}

pub fn sample_questionnaire(path: &Path) {
    let mut wb = Workbook::new();
    // A fixed creation time keeps the file stable between runs of the generator.
    let when = ExcelDateTime::from_ymd(2026, 1, 1).unwrap();
    wb.set_properties(&DocProperties::new().set_creation_datetime(&when));
    let title = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();
    let unlocked = Format::new().set_unlocked().set_text_wrap();

    let intro = wb.add_worksheet().set_name("Instructions").unwrap();
    intro
        .write(0, 0, "How to complete this questionnaire")
        .unwrap();
    intro
        .write(
            1,
            0,
            "1. Answer every question on the Security Questionnaire tab.",
        )
        .unwrap();
    intro
        .write(2, 0, "2. Use the dropdowns in the Response column.")
        .unwrap();

    let lists = wb.add_worksheet().set_name("Lists").unwrap();
    for (i, v) in ["Yes", "No", "N/A"].iter().enumerate() {
        lists.write(i as u32, 0, *v).unwrap();
    }
    lists.set_hidden(true);

    let ws = wb.add_worksheet().set_name(SHEET).unwrap();
    ws.merge_range(
        0,
        0,
        0,
        4,
        "Example Corp — Vendor Security Questionnaire",
        &title,
    )
    .unwrap();
    ws.write(
        1,
        0,
        "Please answer all questions. Questions marked * are required.",
    )
    .unwrap();
    ws.write(2, 0, "Vendor name").unwrap();
    ws.write_with_format(2, 2, "", &unlocked).unwrap();
    let mut row = 4;
    let mut first_answer_row = None;
    for (s, (section, questions)) in SECTIONS.iter().enumerate() {
        // Each section repeats the header row, with the section name merged over A:B.
        ws.merge_range(row, 0, row, 1, section, &bold).unwrap();
        for (c, h) in ["Response", "Comments", "Guidance"].iter().enumerate() {
            ws.write_with_format(row, 2 + c as u16, *h, &bold).unwrap();
        }
        row += 1;
        let start = row;
        for (id, question, as_formula) in questions.iter() {
            ws.write(row, 0, *id).unwrap();
            if *as_formula {
                let formula = Formula::new(format!("=\"{}\"", question.replace('"', "\"\"")))
                    .set_result(*question);
                ws.write_formula(row, 1, formula).unwrap();
            } else {
                ws.write(row, 1, *question).unwrap();
            }
            if *id == SampleLayout::FORMULA_ANSWER_ID {
                let copy = Formula::new(format!("=C{}", row)).set_result("");
                ws.write_formula_with_format(row, 2, copy, &unlocked)
                    .unwrap();
            } else if *id == SampleLayout::ANSWERED_ID {
                ws.write_with_format(row, 2, SampleLayout::ANSWERED_VALUE, &unlocked)
                    .unwrap();
            } else {
                ws.write_with_format(row, 2, "", &unlocked).unwrap();
            }
            ws.write_with_format(row, 3, "", &unlocked).unwrap();
            let guidance = Formula::new(format!(
                "=IF(C{r}=\"No\",\"Explain why not\",\"\")",
                r = row + 1
            ))
            .set_result("");
            ws.write_formula(row, 4, guidance).unwrap();
            if *id == SampleLayout::HIDDEN_ROW_ID {
                ws.set_row_hidden(row).unwrap();
            }
            row += 1;
        }
        // Section 1 uses a literal list (like CAIQ), the others a range on a hidden sheet
        // (like HECVAT).
        let dv = if s == 0 {
            DataValidation::new()
                .allow_list_strings(&["Yes", "No", "N/A"])
                .unwrap()
        } else {
            DataValidation::new().allow_list_formula(Formula::new("=Lists!$A$1:$A$3"))
        };
        ws.add_data_validation(start, 2, row - 1, 2, &dv).unwrap();
        first_answer_row.get_or_insert(start);
        row += 1;
    }
    ws.write(row, 0, "End of questionnaire").unwrap();
    ws.set_column_width(1, 60).unwrap();
    ws.set_column_width(3, 50).unwrap();
    ws.set_freeze_panes(5, 0).unwrap();
    ws.protect();
    wb.save(path).unwrap();
}

/// Total visible questions in the sample (the hidden row is not one).
pub fn sample_question_count() -> usize {
    SECTIONS.iter().map(|(_, q)| q.len()).sum::<usize>() - 1
}
