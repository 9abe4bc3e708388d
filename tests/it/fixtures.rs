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

/// The fidelity fixture's question sheet and where things are on it (0-based rows and columns).
pub struct Fidelity;
impl Fidelity {
    pub const SHEET: &str = "Questions";
    pub const PART: &str = "xl/worksheets/sheet1.xml";
    /// (id, question) on rows 1..; every one is answered by the shipped knowledge base.
    pub const QUESTIONS: [(&str, &str); 6] = [
        ("Q-01", "Is customer data encrypted at rest?"),
        ("Q-02", "Do you have a current SOC 2 Type II report?"),
        (
            "Q-03",
            "Is multi-factor authentication required for all employees?",
        ),
        ("Q-04", "Are backups encrypted?"),
        ("Q-05", "Do you have a documented incident response plan?"),
        (
            "Q-06",
            "Is penetration testing performed by a third party at least annually?",
        ),
    ];
    pub const ANSWER_COL: u16 = 2;
    pub const COMMENT_COL: u16 = 3;
    /// The row whose comment cell the vendor filled in before sending (its answer is empty).
    pub const PREFILLED_ROW: u32 = 4;
    pub const PREFILLED_COMMENT: &str = "Ask our security team for the backup runbook.";
}

/// A questionnaire holding everything the README says survives a fill: a conditional format,
/// a note and a threaded comment, a hyperlink, a defined name, a plain and an x14 (extLst) data
/// validation, a table, a sparkline, a protected sheet with unlocked answer cells, a pre-filled
/// comment, and with `xlsm` a VBA project. rust_xlsxwriter writes most of it; the threaded
/// comment and the x14 validation, which it does not write, are added to the package after.
pub fn fidelity_workbook(path: &Path, xlsm: bool) {
    use rust_xlsxwriter::{
        ConditionalFormatCell, ConditionalFormatCellRule, Note, Sparkline, Table,
    };
    let mut wb = Workbook::new();
    let when = ExcelDateTime::from_ymd(2026, 1, 1).unwrap();
    wb.set_properties(&DocProperties::new().set_creation_datetime(&when));
    let bold = Format::new().set_bold();
    let unlocked = Format::new().set_unlocked();
    let red = Format::new().set_font_color(rust_xlsxwriter::Color::Red);

    let ws = wb.add_worksheet().set_name(Fidelity::SHEET).unwrap();
    for (c, h) in ["ID", "Question", "Answer", "Comments", "Policy", "Trend"]
        .iter()
        .enumerate()
    {
        ws.write_with_format(0, c as u16, *h, &bold).unwrap();
    }
    for (i, (id, question)) in Fidelity::QUESTIONS.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write(r, 0, *id).unwrap();
        ws.write(r, 1, *question).unwrap();
        ws.write_with_format(r, Fidelity::ANSWER_COL, "", &unlocked)
            .unwrap();
        let comment = if r == Fidelity::PREFILLED_ROW {
            Fidelity::PREFILLED_COMMENT
        } else {
            ""
        };
        ws.write_with_format(r, Fidelity::COMMENT_COL, comment, &unlocked)
            .unwrap();
        // Numbers for the sparkline, far right.
        for k in 0..4u16 {
            ws.write(r, 10 + k, f64::from(k * (r as u16 + 1))).unwrap();
        }
    }
    ws.write_url(1, 4, "https://example.com/policies/encryption")
        .unwrap();
    ws.insert_note(
        1,
        1,
        &Note::new("Asked by every customer.").set_author("Reviewer"),
    )
    .unwrap();
    ws.add_conditional_format(
        1,
        2,
        6,
        2,
        &ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo("\"No\""))
            .set_format(&red),
    )
    .unwrap();
    ws.add_data_validation(
        1,
        2,
        3,
        2,
        &DataValidation::new()
            .allow_list_strings(&["Yes", "No", "N/A"])
            .unwrap(),
    )
    .unwrap();
    ws.add_sparkline(
        1,
        5,
        &Sparkline::new().set_range((Fidelity::SHEET, 1, 10, 1, 13)),
    )
    .unwrap();
    ws.set_column_width(1, 60).unwrap();
    ws.protect();

    let evidence = wb.add_worksheet().set_name("Evidence").unwrap();
    for (r, (doc, owner)) in [
        ("Document", "Owner"),
        ("Encryption standard", "Security"),
        ("Backup runbook", "Operations"),
    ]
    .iter()
    .enumerate()
    {
        evidence.write(r as u32, 0, *doc).unwrap();
        evidence.write(r as u32, 1, *owner).unwrap();
    }
    evidence.add_table(0, 0, 2, 1, &Table::new()).unwrap();

    let lists = wb.add_worksheet().set_name("Lists").unwrap();
    for (i, v) in ["Yes", "No", "N/A"].iter().enumerate() {
        lists.write(i as u32, 0, *v).unwrap();
    }
    lists.set_hidden(true);
    wb.define_name("Answers", "=Questions!$C$2:$C$7").unwrap();

    let dir = tempfile::tempdir().unwrap();
    if xlsm {
        // Not a real VBA project: the patcher copies the part's bytes whatever they are.
        let vba = dir.path().join("vbaProject.bin");
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 31 % 251) as u8).collect();
        std::fs::write(&vba, bytes).unwrap();
        wb.add_vba_project(&vba).unwrap();
    }
    let plain = dir.path().join("plain.xlsx");
    wb.save(&plain).unwrap();
    add_threaded_comment_and_x14_validation(&plain, path);
}

/// Copy the package at `from` to `to`, adding a threaded comment on `Questions!B2` (with its
/// person list) and an x14 list validation on C5:C7 into the sheet's `<extLst>`.
fn add_threaded_comment_and_x14_validation(from: &Path, to: &Path) {
    use std::io::{Read, Write};
    const X14_DV: &str = r#"<ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1"><x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>C5:C7</xm:sqref></x14:dataValidation></x14:dataValidations></ext>"#;
    const THREADED: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><threadedComment ref="B2" dT="2026-01-01T09:00:00.00" personId="{5C0B4E5A-0000-4000-8000-000000000001}" id="{5C0B4E5A-0000-4000-8000-0000000000C1}"><text>Check this against the encryption standard.</text></threadedComment></ThreadedComments>"#;
    const PERSONS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><person displayName="Reviewer" id="{5C0B4E5A-0000-4000-8000-000000000001}" userId="reviewer@example.com" providerId="None"/></personList>"#;
    let mut source = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..source.len() {
        let mut entry = source.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let text = || String::from_utf8(bytes.clone()).unwrap();
        let bytes = match name.as_str() {
            Fidelity::PART => {
                let xml = text();
                assert!(xml.contains("</extLst>"), "the sparkline writes an extLst");
                xml.replace("</extLst>", &format!("{X14_DV}</extLst>"))
                    .into_bytes()
            }
            "xl/worksheets/_rels/sheet1.xml.rels" => text()
                .replace("</Relationships>", r#"<Relationship Id="rIdTc1" Type="http://schemas.microsoft.com/office/2017/10/relationships/threadedComment" Target="../threadedComments/threadedComment1.xml"/></Relationships>"#)
                .into_bytes(),
            "xl/_rels/workbook.xml.rels" => text()
                .replace("</Relationships>", r#"<Relationship Id="rIdPerson" Type="http://schemas.microsoft.com/office/2017/10/relationships/person" Target="persons/person.xml"/></Relationships>"#)
                .into_bytes(),
            "[Content_Types].xml" => text()
                .replace("</Types>", r#"<Override PartName="/xl/threadedComments/threadedComment1.xml" ContentType="application/vnd.ms-excel.threadedcomments+xml"/><Override PartName="/xl/persons/person.xml" ContentType="application/vnd.ms-excel.person+xml"/></Types>"#)
                .into_bytes(),
            _ => bytes,
        };
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(&bytes).unwrap();
    }
    for (name, text) in [
        ("xl/threadedComments/threadedComment1.xml", THREADED),
        ("xl/persons/person.xml", PERSONS),
    ] {
        out.start_file(name, options).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap();
}
