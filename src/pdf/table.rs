//! Tables recovered from word positions (issue 25: not yet called by a container). Columns
//! are where many lines start, over all the table's pages (left-aligned cells start every line
//! at one x; the first column starts at the leftmost word, however its ids are aligned). Rows
//! are keyed by the first column's cells that are keys (a questionnaire's ids): a row is the
//! space between two of the table's drawn row borders, or without borders the id's span and
//! the blocks of lines its middle lies beside (ids are often vertically centred in tall rows, so
//! a row is not one y). Every line of every other column goes to the row it lies in.

use super::Word;

/// A recovered table of one page: rows of cells, one per column start, the key first.
pub type Rows = Vec<Vec<String>>;

/// Lines: words on one baseline of one page, left to right.
fn lines(words: &[&Word]) -> Vec<Vec<Word>> {
    let mut sorted: Vec<Word> = words.iter().map(|w| (*w).clone()).collect();
    sorted.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    let mut out: Vec<Vec<Word>> = Vec::new();
    for w in sorted {
        match out.last_mut() {
            Some(line) if (line[0].y - w.y).abs() < w.size * 0.4 => line.push(w),
            _ => out.push(vec![w]),
        }
    }
    out
}

/// Column starts: x positions (rounded to a point) where at least `min` line pieces start,
/// a piece being a run of words with no gap wider than a font size.
fn column_starts(lines: &[Vec<Word>], min: usize) -> Vec<f32> {
    let mut counts: std::collections::BTreeMap<i32, usize> = Default::default();
    for line in lines {
        let mut prev: Option<&Word> = None;
        for w in line {
            if prev.is_none_or(|p| w.x0 - p.x1 > w.size) {
                *counts.entry(w.x0.round() as i32).or_default() += 1;
            }
            prev = Some(w);
        }
    }
    // Neighbouring x (within 2 points) are one start.
    let mut starts: Vec<(f32, usize)> = Vec::new();
    for (x, n) in counts {
        match starts.last_mut() {
            Some((sx, sn)) if (x as f32 - *sx) <= 2.0 => *sn += n,
            _ => starts.push((x as f32, n)),
        }
    }
    // A column's start is shared by many lines: a tenth of the most common start's count,
    // at least `min` (centred headings and wrapped words start anywhere, a few times each).
    let most = starts.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let min = min.max(most / 10);
    starts
        .into_iter()
        .filter(|(_, n)| *n >= min)
        .map(|(x, _)| x)
        .collect()
}

/// The column starts of a table drawn over several pages alike: where at least three line
/// pieces start, over all of them.
pub fn starts(words: &[&Word]) -> Vec<f32> {
    let mut all = Vec::new();
    let mut pages: Vec<u32> = words.iter().map(|w| w.page).collect();
    pages.dedup();
    for page in pages {
        let on: Vec<&Word> = words.iter().copied().filter(|w| w.page == page).collect();
        all.extend(lines(&on));
    }
    let mut starts = column_starts(&all, 3 * 2);
    // The first column starts at the leftmost word, however its cells are aligned (centred
    // ids start anywhere).
    if let Some(left) = words.iter().map(|w| w.x0).min_by(f32::total_cmp)
        && starts.first().is_none_or(|&s| s - left > 2.0)
    {
        starts.insert(0, left);
    }
    starts
}

/// The header of a table whose rows are bordered: the cells of the band just above its first
/// row's (the rule above the first key, and the one above that), one per column start; empty
/// without borders or without a key.
pub fn header(
    words: &[&Word],
    starts: &[f32],
    rules: &[f32],
    is_key: impl Fn(&str) -> bool,
) -> Vec<String> {
    let column = |x: f32| starts.iter().rposition(|&s| s <= x + 1.0).unwrap_or(0);
    let Some(key) = words
        .iter()
        .filter(|w| column(w.x0) == 0 && is_key(&w.text))
        .min_by(|a, b| a.y.total_cmp(&b.y))
    else {
        return Vec::new();
    };
    let mut ys: Vec<f32> = rules.to_vec();
    ys.sort_by(f32::total_cmp);
    ys.dedup_by(|a, b| (*a - *b).abs() < 1.0);
    // The first row's top border is the last rule above its key's top; the header sits
    // between the rule above that and it.
    let Some(&top) = ys.iter().rev().find(|&&y| y < key.y - key.size) else {
        return Vec::new();
    };
    let above = ys
        .iter()
        .rev()
        .find(|&&y| y < top - 1.0)
        .copied()
        .unwrap_or(top - 60.0);
    let mut cells = vec![String::new(); starts.len()];
    let mut inside: Vec<&&Word> = words.iter().filter(|w| w.y > above && w.y < top).collect();
    inside.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    for w in inside {
        let cell = &mut cells[column(w.x0)];
        if !cell.is_empty() {
            cell.push(' ');
        }
        cell.push_str(&w.text);
    }
    cells
}

/// The rows of one page's table whose first column holds `is_key` cells: `starts` from
/// [`starts`], `rules` the page's horizontal rules' y (none when it draws no borders).
pub fn rows(words: &[&Word], starts: &[f32], rules: &[f32], is_key: impl Fn(&str) -> bool) -> Rows {
    let lines = lines(words);
    let starts = starts.to_vec();
    if starts.len() < 2 {
        return Vec::new();
    }
    let column = |x: f32| starts.iter().rposition(|&s| s <= x + 1.0).unwrap_or(0);
    // Pieces of lines per column, as (top y, bottom y, text).
    let mut pieces: Vec<Vec<(f32, f32, String)>> = vec![Vec::new(); starts.len()];
    let mut sizes: Vec<Vec<f32>> = vec![Vec::new(); starts.len()];
    for line in &lines {
        for w in line {
            let c = column(w.x0);
            let cell = &mut pieces[c];
            match cell.last_mut() {
                Some((_, bottom, text)) if (*bottom - w.y).abs() < w.size * 0.4 => {
                    text.push(' ');
                    text.push_str(&w.text);
                }
                _ => {
                    cell.push((w.y - w.size, w.y, w.text.clone()));
                    sizes[c].push(w.size);
                }
            }
        }
    }
    // Blocks: consecutive pieces of a column with a gap of less than a line between them.
    let blocks: Vec<Vec<(f32, f32, String)>> = pieces
        .iter()
        .zip(&sizes)
        .map(|(ps, sz)| {
            let mut out: Vec<(f32, f32, String)> = Vec::new();
            let mut last_size = 0.0_f32;
            for ((top, bottom, text), &size) in ps.iter().cloned().zip(sz) {
                let same = (size - last_size).abs() < 0.2;
                last_size = size;
                match out.last_mut() {
                    Some((_, b, t)) if same && top - *b < size * 0.9 => {
                        *b = bottom;
                        t.push(' ');
                        t.push_str(&text);
                    }
                    _ => out.push((top, bottom, text)),
                }
            }
            out
        })
        .collect();
    let keys: Vec<&(f32, f32, String)> = blocks[0].iter().filter(|b| is_key(&b.2)).collect();
    let centre = |k: &(f32, f32, String)| (k.0 + k.1) / 2.0;
    // A row's band: its key, and every block its key's middle lies in (the tall cells it is
    // centred beside); then a block that contains no key joins the band it overlaps most.
    let mut bands: Vec<(f32, f32)> = keys.iter().map(|k| (k.0, k.1)).collect();
    for column_blocks in blocks.iter().skip(1) {
        for b in column_blocks {
            let inside: Vec<usize> = (0..keys.len())
                .filter(|&i| centre(keys[i]) >= b.0 - 1.0 && centre(keys[i]) <= b.1 + 1.0)
                .collect();
            if let [i] = inside[..] {
                bands[i] = (bands[i].0.min(b.0), bands[i].1.max(b.1));
            }
        }
    }
    // With the table's row borders drawn, a row is the space between two: its key's band
    // is that space.
    let mut ys: Vec<f32> = rules.to_vec();
    ys.sort_by(f32::total_cmp);
    ys.dedup_by(|a, b| (*a - *b).abs() < 1.0);
    if ys.len() >= 2 {
        for (i, k) in keys.iter().enumerate() {
            let c = centre(k);
            if let Some(w) = ys.windows(2).find(|w| w[0] <= c && c <= w[1]) {
                bands[i] = (w[0], w[1]);
            }
        }
    }
    // Every line piece goes to the band it lies in (or overlaps most): two rows' one-line
    // cells a line apart are one block, but two pieces.
    let mut rows: Rows = keys
        .iter()
        .map(|k| {
            let mut row = vec![String::new(); blocks.len()];
            row[0] = k.2.clone();
            row
        })
        .collect();
    for (c, column_pieces) in pieces.iter().enumerate().skip(1) {
        for p in column_pieces {
            let overlap = |band: &(f32, f32)| (band.1.min(p.1) - band.0.max(p.0)).max(0.0);
            let Some(i) = (0..keys.len())
                .filter(|&i| overlap(&bands[i]) > 0.0)
                .max_by(|&a, &z| overlap(&bands[a]).total_cmp(&overlap(&bands[z])))
            else {
                continue;
            };
            let cell = &mut rows[i][c];
            if !cell.is_empty() {
                cell.push(' ');
            }
            cell.push_str(&p.2);
        }
    }
    rows
}

/// The table of questions a document draws over its pages: its header row (above the first
/// row of the first page with rows) and its rows keyed by `is_key`, page after page. Columns
/// are the vertical borders the pages draw when there are three or more, else where lines
/// start ([`starts`]); rows are between the horizontal borders drawn across a good part of a
/// page. `Err(max_rows)` when it has more rows than that.
pub fn questionnaire(
    words: &[Word],
    rules: &[super::Rule],
    is_key: impl Fn(&str) -> bool + Copy,
    max_rows: u32,
) -> Result<Rows, u32> {
    let all: Vec<&Word> = words.iter().collect();
    let mut borders_x: Vec<f32> = rules
        .iter()
        .filter(|r| !r.horizontal() && r.y1 - r.y0 > 5.0)
        .map(|r| r.x0)
        .collect();
    borders_x.sort_by(f32::total_cmp);
    borders_x.dedup_by(|a, b| (*a - *b).abs() < 2.0);
    // The right edge starts no column: keep the borders some word lies right of.
    borders_x.retain(|&x| words.iter().any(|w| w.x0 >= x - 1.0));
    let starts = if borders_x.len() >= 3 {
        borders_x
    } else {
        starts(&all)
    };
    let last = words.iter().map(|w| w.page).max().unwrap_or(0);
    let mut out: Rows = Vec::new();
    for page in 1..=last {
        let on: Vec<&Word> = all.iter().copied().filter(|w| w.page == page).collect();
        let ys: Vec<f32> = rules
            .iter()
            .filter(|r| r.page == page && r.horizontal() && r.x1 - r.x0 > 100.0)
            .map(|r| r.y0)
            .collect();
        let found = rows(&on, &starts, &ys, is_key);
        if out.is_empty() && !found.is_empty() {
            let head = header(&on, &starts, &ys, is_key);
            if head.iter().any(|h| !h.is_empty()) {
                out.push(head);
            }
        }
        out.extend(found);
        if out.len() as u64 > u64::from(max_rows) {
            return Err(max_rows);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of one line of a cell: `text` split at spaces from x, 4 points a character.
    fn line(page: u32, x: f32, y: f32, text: &str) -> Vec<Word> {
        let mut out = Vec::new();
        let mut at = x;
        for t in text.split(' ') {
            let w = t.chars().count() as f32 * 4.0;
            out.push(Word {
                page,
                x0: at,
                x1: at + w,
                y,
                size: 5.0,
                text: t.into(),
            });
            at += w + 2.0;
        }
        out
    }

    /// A completed-CAIQ page as an exported workbook draws it: a header row, then rows whose
    /// id is vertically centred beside a question of one or two lines, a one-word answer at
    /// the row's top and a description of up to four lines; rows bordered by rules.
    fn page() -> (Vec<Word>, Vec<f32>) {
        let mut words = Vec::new();
        words.extend(line(1, 20.0, 10.0, "Question ID"));
        words.extend(line(1, 80.0, 10.0, "Question"));
        words.extend(line(1, 220.0, 10.0, "Answer"));
        words.extend(line(1, 260.0, 10.0, "Description"));
        let rows = [
            (
                "A&A-01.1",
                &["Are audit policies", "established?"][..],
                "Yes",
                &["We audit", "twice", "a", "year."][..],
            ),
            (
                "A&A-01.2",
                &["Are they reviewed yearly?"][..],
                "No",
                &["Not yet."][..],
            ),
            (
                "A&A-02.1",
                &["Are audits independent?"][..],
                "NA",
                &["Out of scope", "for us."][..],
            ),
        ];
        let mut rules = vec![14.0];
        let mut top = 14.0;
        for (id, question, answer, description) in rows {
            let height = (description.len().max(question.len()) as f32) * 6.0 + 4.0;
            words.extend(line(1, 22.0, top + height / 2.0 + 2.0, id));
            for (i, q) in question.iter().enumerate() {
                words.extend(line(1, 80.0, top + 7.0 + 6.0 * i as f32, q));
            }
            words.extend(line(1, 220.0, top + 7.0, answer));
            for (i, d) in description.iter().enumerate() {
                words.extend(line(1, 260.0, top + 7.0 + 6.0 * i as f32, d));
            }
            top += height;
            rules.push(top);
        }
        // The same layout on many lines of many pages makes the column starts.
        (words, rules)
    }

    fn cells(rows: &Rows) -> Vec<(&str, &str, &str, &str)> {
        rows.iter()
            .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str()))
            .collect()
    }

    #[test]
    fn a_bordered_table_is_read_row_by_row_with_centred_ids() {
        let (words, rules) = page();
        let refs: Vec<&Word> = words.iter().collect();
        let id = |t: &str| t.contains('-') && t.contains('.');
        let starts = [20.0, 80.0, 220.0, 260.0];
        let expect = [
            (
                "A&A-01.1",
                "Are audit policies established?",
                "Yes",
                "We audit twice a year.",
            ),
            ("A&A-01.2", "Are they reviewed yearly?", "No", "Not yet."),
            (
                "A&A-02.1",
                "Are audits independent?",
                "NA",
                "Out of scope for us.",
            ),
        ];
        assert_eq!(cells(&rows(&refs, &starts, &rules, id)), expect);
        // Without the borders, a row is what lies beside its id.
        assert_eq!(cells(&rows(&refs, &starts, &[], id)), expect);
        // The header is no row; nothing without columns is a table.
        assert!(rows(&refs, &[20.0], &rules, id).is_empty());
    }

    #[test]
    fn column_starts_are_where_many_lines_start_and_the_leftmost_word() {
        // Ten pages of the same layout.
        let words: Vec<Word> = (1..=10)
            .flat_map(|p| {
                page().0.into_iter().map(move |mut w| {
                    w.page = p;
                    w
                })
            })
            .collect();
        let refs: Vec<&Word> = words.iter().collect();
        assert_eq!(starts(&refs), [20.0, 80.0, 220.0, 260.0]);
    }
}
