//! Questions a flat PDF writes as numbered paragraphs, outside any table ("1.1. Have you
//! previously provided…?", "Q3) Describe…"): a line starting with a number, and the lines
//! under it indented to its text, read as one question when it asks something. Lines every
//! few pages repeat (running headers and footers) and table-of-contents lines (dot leaders)
//! are never questions.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::Word;

/// A question's number as the first word of its line: "1.1.", "2)", "Q3", "Question 4:".
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:Q(?:uestion)?\s*)?(\d{1,3}(?:\.\d{1,3}){0,4})[.):]?$").expect("regex")
});

/// One numbered question: its page, number and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbered {
    pub page: u32,
    pub id: String,
    pub text: String,
}

/// The numbered questions of `words`, in reading order.
pub fn questions(words: &[Word]) -> Vec<Numbered> {
    let last = words.iter().map(|w| w.page).max().unwrap_or(0);
    let mut pages: Vec<Vec<Vec<Word>>> = Vec::new();
    for page in 1..=last {
        let on: Vec<&Word> = words.iter().filter(|w| w.page == page).collect();
        pages.push(super::table::lines(&on));
    }
    // Running headers and footers: the same text on three pages or more.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let text_of = |line: &[Word]| {
        line.iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    for page in &pages {
        let mut once: Vec<String> = page.iter().map(|l| text_of(l)).collect();
        once.sort();
        once.dedup();
        for t in once {
            *seen.entry(t).or_default() += 1;
        }
    }
    let furniture = |line: &[Word]| seen.get(&text_of(line)).is_some_and(|&n| n >= 3);
    let mut out = Vec::new();
    // The question being read: it, the x its text starts at, and its last line's baseline.
    let mut open: Option<(Numbered, f32, f32, f32)> = None;
    let close = |open: &mut Option<(Numbered, f32, f32, f32)>, out: &mut Vec<Numbered>| {
        if let Some((q, ..)) = open.take()
            && (q.text.contains('?') || crate::text::reads_like_question(&q.text))
        {
            out.push(q);
        }
    };
    for (p, lines) in pages.iter().enumerate() {
        let page = p as u32 + 1;
        for line in lines {
            let text = text_of(line);
            // Furniture, contents lines and page numbers are skipped, not read as breaks.
            let page_number = line.len() == 1 && line[0].text.chars().all(|c| c.is_ascii_digit());
            if furniture(line) || text.contains("....") || page_number {
                continue;
            }
            let first = &line[0];
            if let Some(c) = NUMBER.captures(&first.text)
                && line.len() > 1
            {
                close(&mut open, &mut out);
                let rest = line[1..]
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                open = Some((
                    Numbered {
                        page,
                        id: c[1].to_string(),
                        text: rest,
                    },
                    line[1].x0,
                    first.y,
                    first.size,
                ));
                continue;
            }
            // A line continues the open question when it starts under its text, a line or
            // so below its last (on the next page, at the page's top).
            let continues = open.as_ref().is_some_and(|(q, x, y, size)| {
                (first.x0 - x).abs() < 2.0
                    && (first.size - size).abs() < 0.5
                    && if q.page == page {
                        first.y - y > 0.0 && first.y - y < size * 1.8
                    } else {
                        q.page + 1 == page
                    }
            });
            if continues && let Some((q, _, y, _)) = open.as_mut() {
                q.text.push(' ');
                q.text.push_str(&text);
                q.page = q.page.min(page);
                *y = first.y;
            } else {
                close(&mut open, &mut out);
            }
        }
    }
    close(&mut open, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(page: u32, x: f32, y: f32, text: &str) -> Vec<Word> {
        let mut at = x;
        text.split(' ')
            .map(|t| {
                let w = t.chars().count() as f32 * 5.0;
                let word = Word {
                    page,
                    x0: at,
                    x1: at + w,
                    y,
                    size: 10.0,
                    text: t.into(),
                };
                at += w + 3.0;
                word
            })
            .collect()
    }

    #[test]
    fn numbered_paragraphs_that_ask_are_questions() {
        let mut words = Vec::new();
        for page in 1..=3 {
            words.extend(line(page, 200.0, 20.0, "ACME SUPPLY CHAIN TEMPLATE"));
            words.extend(line(page, 300.0, 780.0, &page.to_string()));
        }
        words.extend(line(1, 72.0, 60.0, "1. Qualifying Questions ........ 4"));
        words.extend(line(1, 72.0, 100.0, "1. QUALIFYING QUESTIONS"));
        words.extend(line(
            1,
            90.0,
            130.0,
            "1.1. Have you previously provided supply chain",
        ));
        words.extend(line(1, 113.0, 142.0, "information to this organization?"));
        words.extend(line(1, 113.0, 170.0, "If yes, please provide an update."));
        words.extend(line(
            1,
            90.0,
            200.0,
            "1.2. Do you have controls aligned to NIST SP",
        ));
        words.extend(line(2, 113.0, 60.0, "800-161?"));
        words.extend(line(
            2,
            108.0,
            90.0,
            "1.2.1. Provide proof of the scope of controls.",
        ));
        words.extend(line(2, 72.0, 120.0, "2. Our history"));
        let got = questions(&words);
        let got: Vec<(u32, &str, &str)> = got
            .iter()
            .map(|q| (q.page, q.id.as_str(), q.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    1,
                    "1.1",
                    "Have you previously provided supply chain information to this organization?"
                ),
                (1, "1.2", "Do you have controls aligned to NIST SP 800-161?"),
                (2, "1.2.1", "Provide proof of the scope of controls."),
            ]
        );
    }
}
