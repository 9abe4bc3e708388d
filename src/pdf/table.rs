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
pub(super) fn lines(words: &[&Word]) -> Vec<Vec<Word>> {
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

/// The words a document writes whole: those inside a line piece, never its first or last
/// (where a narrow column breaks a word: "communicate" over "d,", "Questi" over "on"),
/// lowercased, without the punctuation around them.
#[derive(Default)]
pub struct Vocabulary(std::collections::HashSet<String>);

impl Vocabulary {
    pub fn of(words: &[&Word], starts: &[f32]) -> Vocabulary {
        let column = |x: f32| starts.iter().rposition(|&s| s <= x + 1.0).unwrap_or(0);
        let mut pages: Vec<u32> = words.iter().map(|w| w.page).collect();
        pages.dedup();
        let mut set = std::collections::HashSet::new();
        for page in pages {
            let on: Vec<&Word> = words.iter().copied().filter(|w| w.page == page).collect();
            let lines = lines(&on);
            let mut previous: Vec<(f32, f32, f32)> = Vec::new();
            for line in &lines {
                let mut pieces = Vec::new();
                for piece in
                    line.chunk_by(|a, b| b.x0 - a.x1 <= b.size && column(a.x0) == column(b.x0))
                {
                    let (x0, x1, y) = (piece[0].x0, piece[piece.len() - 1].x1, piece[0].y);
                    let mut whole: Vec<&Word> = piece
                        .iter()
                        .skip(1)
                        .take(piece.len().saturating_sub(2))
                        .collect();
                    // A paragraph's first line: no line just above starts at its x.
                    let first = !previous.iter().any(|&(px0, _, py)| {
                        (px0 - x0).abs() < 1.5 && y - py < piece[0].size * 1.6 && y > py
                    });
                    if first && piece.len() > 1 {
                        whole.push(&piece[0]);
                    }
                    // A line ending well short of the widest line beside it ended at a space.
                    let widest = previous
                        .iter()
                        .filter(|&&(px0, _, _)| (px0 - x0).abs() < 1.5)
                        .map(|&(_, px1, _)| px1)
                        .fold(x1, f32::max);
                    if piece.len() > 1 && x1 < widest - piece[0].size * 2.0 {
                        whole.push(&piece[piece.len() - 1]);
                    }
                    for w in whole {
                        let bare = bare(&w.text);
                        if !bare.is_empty() {
                            set.insert(bare);
                        }
                    }
                    pieces.push((x0, x1, y));
                }
                previous.retain(|&(_, _, py)| line[0].y - py < 20.0);
                previous.extend(pieces);
            }
        }
        Vocabulary(set)
    }

    fn has(&self, word: &str) -> bool {
        self.0.contains(word)
    }
}

/// A word lowercased, without the punctuation around it.
fn bare(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// `next` line onto a cell's `text`: with no space before punctuation, after a word broken at
/// a hyphen ("A&A-" over "01.1", "CSP-" over "owned"), or after a word a narrow column broke
/// (`full`: the line before was one word as wide as the column) when a half is no word the
/// document writes whole ("communicate" + "d,", "documentati" + "on", never "incorporated" +
/// "to"); else with one.
fn join_line(text: &mut String, next: &str, words: &Vocabulary, full: bool) {
    let last = text.rsplit(' ').next().unwrap_or("");
    let first = next.split(' ').next().unwrap_or("");
    let hyphen = last.len() > 1 && last.ends_with('-');
    let punctuation = next.starts_with([',', '.', ';', ':', '?', ')']);
    let broken = || {
        let (a, b) = (bare(last), bare(first));
        let whole = words.has(&format!("{a}{b}")) && !(words.has(&a) && words.has(&b));
        // English words of one or two letters; any other is a word's end.
        const SHORT: [&str; 30] = [
            "a", "i", "o", "am", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is",
            "it", "me", "my", "no", "of", "ok", "on", "or", "so", "to", "up", "us", "we", "vs",
            "id",
        ];
        let n = b.chars().count();
        let tail = (!words.has(&b) && n <= 3) || (n <= 2 && !SHORT.contains(&b.as_str()));
        full && !a.is_empty()
            && !b.is_empty()
            && last.ends_with(|c: char| c.is_alphanumeric())
            && first.starts_with(|c: char| c.is_lowercase())
            && (whole || tail)
    };
    if !hyphen && !punctuation && !broken() {
        text.push(' ');
    }
    text.push_str(next);
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

/// The header of a table whose rows are bordered: of the (up to four) bands between the
/// rules above its first row (`key_top`, its first key's top), one naming two options or more
/// ("In Place | Not in Place") under the band naming the columns (a header of two rows: both),
/// else the nearest filling three quarters of the columns the fullest fills (a note or a
/// section's title between header and first row fills fewer); one cell per column start;
/// none without borders.
pub fn header(words: &[&Word], starts: &[f32], rules: &[f32], key_top: f32) -> Vec<Vec<String>> {
    let column = |x: f32| starts.iter().rposition(|&s| s <= x + 1.0).unwrap_or(0);
    let mut ys: Vec<f32> = rules.iter().copied().filter(|&y| y < key_top).collect();
    ys.sort_by(f32::total_cmp);
    ys.dedup_by(|a, b| (*a - *b).abs() < 1.0);
    if ys.len() == 1 {
        ys.insert(0, ys[0] - 60.0);
    }
    let band = |(above, top): (f32, f32)| {
        let mut cells = vec![String::new(); starts.len()];
        let mut inside: Vec<&&Word> = words
            .iter()
            .filter(|w| {
                let middle = w.y - w.size * 0.35;
                middle > above && middle < top
            })
            .collect();
        inside.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
        for w in inside {
            let cell = &mut cells[column(w.x0)];
            if !cell.is_empty() {
                cell.push(' ');
            }
            cell.push_str(&w.text);
        }
        cells
    };
    let filled = |cells: &Vec<String>| cells.iter().filter(|c| !c.is_empty()).count();
    let bands: Vec<Vec<String>> = ys
        .windows(2)
        .rev()
        .take(4)
        .map(|w| band((w[0], w[1])))
        .collect();
    let most = bands.iter().map(filled).max().unwrap_or(0);
    // A band naming two options or more ("In Place", "Not in Place") is the labels of a
    // header of two rows, wherever it lies among the bands; else the nearest band filling
    // three quarters of what the fullest fills.
    let options = |b: &Vec<String>| {
        b.iter()
            .filter(|c| crate::text::option_class(c).is_some())
            .count()
    };
    let Some(nearest) = bands.iter().position(|b| options(b) >= 2).or_else(|| {
        bands
            .iter()
            .position(|b| most > 0 && filled(b) * 4 >= most * 3)
    }) else {
        return Vec::new();
    };
    // A header of two rows (column names over option labels, "Response" over "In Place |
    // Not in Place"): the names, what is written over the labels as the first label's
    // column's name (one cell spanning them, as a workbook merges it), then the labels.
    let labels = &bands[nearest];
    let first = labels.iter().position(|l| !l.is_empty()).unwrap_or(0);
    let two_rows = |above: &Vec<String>| {
        first > 0
            && options(labels) >= 2
            && filled(above) >= 2
            && above[..first].iter().any(|n| !n.is_empty())
            && above[first..].iter().any(|n| !n.is_empty())
    };
    match bands.get(nearest + 1) {
        Some(above) if two_rows(above) => {
            let mut names: Vec<String> = above.clone();
            let over: Vec<String> = names
                .iter_mut()
                .zip(labels)
                .filter(|(_, label)| !label.is_empty())
                .map(|(name, _)| std::mem::take(name))
                .filter(|name| !name.is_empty())
                .collect();
            names[first] = over.join(" ");
            let labels = labels
                .iter()
                .zip(&names)
                .enumerate()
                .map(|(c, (label, _))| {
                    if c >= first {
                        label.clone()
                    } else {
                        String::new()
                    }
                })
                .collect();
            vec![names, labels]
        }
        _ => vec![bands[nearest].clone()],
    }
}

/// The rows of one page's table whose first column holds `is_key` cells: `starts` from
/// [`starts`], `rules` the page's horizontal rules' y (none when it draws no borders).
pub fn rows(words: &[&Word], starts: &[f32], rules: &[f32], is_key: impl Fn(&str) -> bool) -> Rows {
    keyed_rows(
        words,
        starts,
        rules,
        None,
        &Vocabulary::of(words, starts),
        is_key,
    )
    .rows
}

/// One page of a table.
#[derive(Default)]
struct Page {
    rows: Rows,
    /// The top of the first row's key.
    first: Option<f32>,
    /// The cells of a row continued from the page before, above the page's first border.
    before: Vec<String>,
    /// The cells of a row continued on the next page, below the page's last border.
    after: Vec<String>,
}

/// [`rows`] of a page whose table's drawn borders run from `span.0` to `span.1` down it: a
/// first row without a border above reaches up to the top, a last row without a border
/// below down to the bottom, and what lies in the table above its first border or below its
/// last and in no row is a row continued from or on another page.
fn keyed_rows(
    words: &[&Word],
    starts: &[f32],
    rules: &[f32],
    span: Option<(f32, f32)>,
    vocabulary: &Vocabulary,
    is_key: impl Fn(&str) -> bool,
) -> Page {
    let lines = lines(words);
    let starts = starts.to_vec();
    if starts.len() < 2 {
        return Page::default();
    }
    let column = |x: f32| starts.iter().rposition(|&s| s <= x + 1.0).unwrap_or(0);
    // Pieces of lines per column, as (top y, bottom y, text).
    let mut pieces: Vec<Vec<(f32, f32, String)>> = vec![Vec::new(); starts.len()];
    let mut sizes: Vec<Vec<f32>> = vec![Vec::new(); starts.len()];
    // Each piece's right edge and its number of words.
    let mut ends: Vec<Vec<(f32, usize)>> = vec![Vec::new(); starts.len()];
    for line in &lines {
        for w in line {
            let c = column(w.x0);
            let cell = &mut pieces[c];
            match cell.last_mut() {
                Some((_, bottom, text)) if (*bottom - w.y).abs() < w.size * 0.4 => {
                    text.push(' ');
                    text.push_str(&w.text);
                    if let Some(end) = ends[c].last_mut() {
                        *end = (w.x1, end.1 + 1);
                    }
                }
                _ => {
                    cell.push((w.y - w.size, w.y, w.text.clone()));
                    sizes[c].push(w.size);
                    ends[c].push((w.x1, 1));
                }
            }
        }
    }
    // A piece of one word reaching its column's right edge (within 1.5 points of the
    // rightmost any piece reaches): where a narrow column breaks a word too long for it.
    let full: Vec<Vec<bool>> = ends
        .iter()
        .map(|column| {
            let edge = column.iter().map(|e| e.0).fold(f32::MIN, f32::max);
            column
                .iter()
                .map(|&(x1, n)| n == 1 && x1 >= edge - 4.0)
                .collect()
        })
        .collect();
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
                        join_line(t, &text, vocabulary, false);
                    }
                    _ => out.push((top, bottom, text)),
                }
            }
            out
        })
        .collect();
    let keys: Vec<&(f32, f32, String)> = blocks[0].iter().filter(|b| is_key(&b.2)).collect();
    let first = keys.iter().map(|k| k.0).min_by(f32::total_cmp);
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
    // Above the first or below the last (a row split over two pages has a border on one
    // side only), the band ends at the border.
    for (i, k) in keys.iter().enumerate() {
        let c = centre(k);
        let above = ys.iter().rev().find(|&&y| y <= c).copied();
        let below = ys.iter().find(|&&y| y >= c).copied();
        let (top, bottom) = span.unwrap_or(bands[i]);
        match (above, below) {
            (Some(a), Some(b)) => bands[i] = (a, b),
            (Some(a), None) => bands[i] = (bands[i].0.max(a), bands[i].1.max(bottom)),
            (None, Some(b)) => bands[i] = (bands[i].0.min(top), bands[i].1.min(b)),
            (None, None) => {}
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
    let mut before = vec![String::new(); blocks.len()];
    let mut after = vec![String::new(); blocks.len()];
    for (c, column_pieces) in pieces.iter().enumerate().skip(1) {
        for (n, p) in column_pieces.iter().enumerate() {
            let after_full = n > 0 && full[c][n - 1];
            let overlap = |band: &(f32, f32)| (band.1.min(p.1) - band.0.max(p.0)).max(0.0);
            let Some(i) = (0..keys.len())
                .filter(|&i| overlap(&bands[i]) > 0.0)
                .max_by(|&a, &z| overlap(&bands[a]).total_cmp(&overlap(&bands[z])))
            else {
                // In the table but in no row: a row continued from the page before (above
                // the first border) or on the next (below the last).
                let inside =
                    span.is_some_and(|(top, bottom)| p.0 >= top - 1.0 && p.1 <= bottom + 1.0);
                if inside && ys.first().is_some_and(|&y| p.1 <= y + 1.0) {
                    join_cell(&mut before[c], &p.2, vocabulary, after_full);
                } else if inside && ys.last().is_some_and(|&y| p.0 >= y - 1.0) {
                    join_cell(&mut after[c], &p.2, vocabulary, after_full);
                }
                continue;
            };
            join_cell(&mut rows[i][c], &p.2, vocabulary, after_full);
        }
    }
    Page {
        rows,
        first,
        before,
        after,
    }
}

/// `next` after a cell's text: on its own when the cell is empty, else as [`join_line`].
fn join_cell(cell: &mut String, next: &str, words: &Vocabulary, full: bool) {
    if cell.is_empty() {
        cell.push_str(next);
    } else {
        join_line(cell, next, words, full);
    }
}

/// A row's `cells` under columns starting at `from`, under the columns starting at `to`:
/// each cell to the column starting nearest its own; cells meeting in one are joined.
fn onto(cells: Vec<String>, from: &[f32], to: &[f32], words: &Vocabulary) -> Vec<String> {
    let mut out = vec![String::new(); to.len()];
    for (cell, x) in cells.into_iter().zip(from) {
        let Some(c) =
            (0..to.len()).min_by(|&a, &b| (to[a] - x).abs().total_cmp(&(to[b] - x).abs()))
        else {
            continue;
        };
        if !cell.is_empty() {
            join_cell(&mut out[c], &cell, words, false);
        }
    }
    out
}

/// The y of the horizontal borders a page draws across a good part of it (over 100 points):
/// a border drawn cell by cell is one border, its pieces at one y within a point.
fn row_borders(rules: &[super::Rule], page: u32) -> Vec<f32> {
    let mut pieces: Vec<(f32, f32, f32)> = rules
        .iter()
        .filter(|r| r.page == page && r.horizontal())
        .map(|r| (r.y0, r.x0, r.x1))
        .collect();
    pieces.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f32, f32, f32)> = Vec::new();
    for (y, x0, x1) in pieces {
        match out.last_mut() {
            Some((oy, ox0, ox1)) if (y - *oy).abs() < 1.0 => {
                *ox0 = ox0.min(x0);
                *ox1 = ox1.max(x1);
            }
            _ => out.push((y, x0, x1)),
        }
    }
    out.into_iter()
        .filter(|(_, x0, x1)| x1 - x0 > 100.0)
        .map(|(y, _, _)| y)
        .collect()
}

/// The table of questions a document draws over its pages: its header row (above the first
/// row of the first page with rows) and its rows keyed by `is_key`, page after page. Columns
/// are the vertical borders the pages draw when there are three or more, else where lines
/// start ([`starts`]); rows are between the horizontal borders drawn across a good part of a
/// page, and the page of each. `Err(max_rows)` when it has more rows than that.
pub fn questionnaire(
    words: &[Word],
    rules: &[super::Rule],
    is_key: impl Fn(&str) -> bool + Copy,
    max_rows: u32,
) -> Result<(Rows, Vec<u32>), u32> {
    let all: Vec<&Word> = words.iter().collect();
    // Columns: each page's own vertical borders when it draws three or more (a document's
    // tables differ page by page: a Word SAQ is one table per section, each as wide as its
    // text), else where lines start over the whole document.
    let drawn = |page: u32| -> Vec<f32> {
        let mut xs: Vec<f32> = rules
            .iter()
            .filter(|r| r.page == page && !r.horizontal() && r.y1 - r.y0 > 5.0)
            .map(|r| r.x0)
            .collect();
        xs.sort_by(f32::total_cmp);
        xs.dedup_by(|a, b| (*a - *b).abs() < 2.0);
        // The right edge starts no column: the last border no word of the page lies right
        // of (an empty column left of it still is one).
        if let Some(&x) = xs.last()
            && !words.iter().any(|w| w.page == page && w.x0 >= x - 1.0)
        {
            xs.pop();
        }
        xs
    };
    let global = starts(&all);
    let last = words.iter().map(|w| w.page).max().unwrap_or(0);
    let mut out: Rows = Vec::new();
    // The page of each row of `out`.
    let mut on_page: Vec<u32> = Vec::new();
    // The cells of the row the page before continues on this one.
    let mut pending: Vec<String> = Vec::new();
    let vocabulary = Vocabulary::of(&all, &global);
    // Each page's table: its columns, its rows, and its header when it has rows.
    // Words and row borders by page, gathered once.
    let mut by_page: Vec<Vec<&Word>> = vec![Vec::new(); last as usize + 1];
    for w in &all {
        by_page[w.page as usize].push(w);
    }
    let borders: Vec<Vec<f32>> = (0..=last).map(|page| row_borders(rules, page)).collect();
    let words_on = |page: u32| -> &[&Word] { &by_page[page as usize] };
    let read = |page: u32, starts: &[f32]| -> (Page, Vec<Vec<String>>) {
        let on = words_on(page);
        let ys = &borders[page as usize];
        let span = rules
            .iter()
            .filter(|r| r.page == page && !r.horizontal() && r.y1 - r.y0 > 5.0)
            .fold(None, |span: Option<(f32, f32)>, r| {
                Some(span.map_or((r.y0, r.y1), |(t, b)| (t.min(r.y0), b.max(r.y1))))
            });
        let found = keyed_rows(on, starts, ys, span, &vocabulary, is_key);
        let head = found
            .first
            .map(|key_top| header(on, starts, ys, key_top))
            .unwrap_or_default();
        (found, head)
    };
    let pages: Vec<(Vec<f32>, Page, Vec<Vec<String>>)> = (1..=last)
        .map(|page| {
            let own = drawn(page);
            let starts = if own.len() >= 3 {
                let mut own = own;
                // A table whose left border is not drawn starts at its leftmost word.
                if let Some(left) = words_on(page).iter().map(|w| w.x0).min_by(f32::total_cmp)
                    && own[0] - left > 2.0
                {
                    own.insert(0, left);
                }
                own
            } else {
                global.clone()
            };
            let (found, head) = read(page, &starts);
            (starts, found, head)
        })
        .collect();
    // The questionnaire's columns: of the pages' tables by their number of columns, the
    // number with the most rows over all its pages, as the first of them draws them. A page
    // whose own borders make two columns more or fewer is another table; the others' columns
    // are mapped onto them, each to the one starting nearest.
    let mut by_count: std::collections::BTreeMap<usize, usize> = Default::default();
    for (starts, found, _) in &pages {
        *by_count.entry(starts.len()).or_default() += found.rows.len();
    }
    let Some((&count, _)) = by_count
        .iter()
        .filter(|(_, rows)| **rows > 0)
        .max_by_key(|(_, rows)| **rows)
    else {
        return Ok((Vec::new(), Vec::new()));
    };
    let Some(canonical) = pages
        .iter()
        .find(|(starts, found, _)| starts.len() == count && !found.rows.is_empty())
        .map(|(starts, _, _)| starts.clone())
    else {
        return Ok((Vec::new(), Vec::new()));
    };
    for (page, (mut starts, mut found, mut head)) in (1..=last).zip(pages) {
        let ys = &borders[page as usize];
        if starts.len().abs_diff(canonical.len()) > 1 {
            if !found.rows.is_empty() {
                pending.clear();
                continue;
            }
            // Borders that make no table of rows (a last row drawn without its column
            // borders, beside a box): the page is read in the questionnaire's columns.
            (found, head) = read(page, &canonical);
            starts = canonical.clone();
        }
        if found.rows.is_empty() && found.before.iter().all(String::is_empty) {
            pending = std::mem::take(&mut found.after);
            continue;
        }
        let map = |cells: Vec<String>| {
            if starts == canonical {
                cells
            } else {
                onto(cells, &starts, &canonical, &vocabulary)
            }
        };
        found.rows = found.rows.into_iter().map(map).collect();
        found.before = map(found.before);
        found.after = map(found.after);
        if out.is_empty() && !found.rows.is_empty() {
            out.extend(head.into_iter().map(map));
            on_page.resize(out.len(), page);
        }
        // A row split over two pages: its part without the key joins the part with it.
        let continued = !found.rows.is_empty()
            && found
                .first
                .is_some_and(|top| ys.first().is_none_or(|&y| y > top));
        if continued && let Some(first) = found.rows.first_mut() {
            for (cell, earlier) in first.iter_mut().zip(&pending).skip(1) {
                if !earlier.is_empty() {
                    let mut joined = earlier.clone();
                    if !cell.is_empty() {
                        join_line(&mut joined, cell, &vocabulary, false);
                    }
                    *cell = joined;
                }
            }
        } else if !out.is_empty() && found.before.iter().any(|c| !c.is_empty()) {
            let last = out.len() - 1;
            for (cell, later) in out[last].iter_mut().zip(&found.before).skip(1) {
                if !later.is_empty() {
                    join_cell(cell, later, &vocabulary, false);
                }
            }
        }
        pending = std::mem::take(&mut found.after);
        out.extend(found.rows);
        on_page.resize(out.len(), page);
        if out.len() as u64 > u64::from(max_rows) {
            return Err(max_rows);
        }
    }
    Ok((out, on_page))
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

    /// Rules of a bordered table on `page`: a horizontal border at each of `ys`, drawn cell
    /// by cell (each piece narrower than 100 points, as Word draws them), and column borders
    /// from `top` to `bottom`.
    fn borders(page: u32, ys: &[f32], top: f32, bottom: f32) -> Vec<super::super::Rule> {
        let xs = [18.0, 78.0, 218.0, 258.0, 400.0];
        let mut out = Vec::new();
        for &y in ys {
            for w in xs.windows(2) {
                out.push(super::super::Rule {
                    page,
                    x0: w[0],
                    y0: y,
                    x1: w[1],
                    y1: y,
                });
            }
        }
        for x in xs {
            out.push(super::super::Rule {
                page,
                x0: x,
                y0: top,
                x1: x,
                y1: bottom,
            });
        }
        out
    }

    #[test]
    fn ids_broken_over_lines_and_rows_split_over_pages_are_joined() {
        let id = |t: &str| t.contains('-') && t.contains('.') && !t.contains(' ');
        let mut words = Vec::new();
        // Page 1: a header, a row whose id a narrow column breaks after the dash and whose
        // question breaks a word too long for the column, then the top of a row whose id is
        // on page 2 (no border below it).
        words.extend(line(1, 20.0, 10.0, "Question ID"));
        words.extend(line(1, 80.0, 10.0, "Question"));
        words.extend(line(1, 220.0, 10.0, "Answer"));
        words.extend(line(1, 260.0, 10.0, "Description"));
        words.extend(line(1, 22.0, 26.0, "A&A-"));
        words.extend(line(1, 22.0, 32.0, "01.1"));
        words.extend(line(1, 80.0, 20.0, "Are audit"));
        words.extend(line(1, 80.0, 26.0, "communicate"));
        words.extend(line(1, 80.0, 32.0, "d, and"));
        words.extend(line(1, 80.0, 38.0, "applied?"));
        words.extend(line(1, 220.0, 20.0, "Yes"));
        words.extend(line(1, 260.0, 20.0, "CSP-"));
        words.extend(line(1, 260.0, 26.0, "owned policies."));
        words.extend(line(1, 80.0, 44.0, "Are audits"));
        words.extend(line(1, 220.0, 44.0, "No"));
        words.extend(line(1, 260.0, 44.0, "Not yet, as"));
        // Page 2: the rest of that row, its id centred in it, and a border below.
        words.extend(line(2, 80.0, 10.0, "independent?"));
        words.extend(line(2, 260.0, 10.0, "planned."));
        words.extend(line(2, 22.0, 10.0, "A&A-"));
        words.extend(line(2, 22.0, 16.0, "02.1"));
        // A footer outside the table.
        words.extend(line(1, 80.0, 90.0, "Page 1"));
        let mut rules = borders(1, &[14.0, 38.0], 14.0, 50.0);
        rules.extend(borders(2, &[22.0], 4.0, 22.0));
        let (rows, pages) = questionnaire(&words, &rules, id, 100).unwrap();
        // A row's page is the one its id is printed on.
        assert_eq!(pages, [1, 1, 2]);
        let got: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            got,
            [
                vec!["Question ID", "Question", "Answer", "Description"],
                vec![
                    "A&A-01.1",
                    "Are audit communicated, and applied?",
                    "Yes",
                    "CSP-owned policies."
                ],
                vec![
                    "A&A-02.1",
                    "Are audits independent?",
                    "No",
                    "Not yet, as planned."
                ],
            ]
        );
    }

    #[test]
    fn a_word_broken_at_the_column_edge_is_joined_only_when_a_half_is_no_word() {
        let words = Vocabulary(
            ["incorporated", "to", "on", "documentation"]
                .map(String::from)
                .into(),
        );
        let join = |a: &str, b: &str, full: bool| {
            let mut text = a.to_string();
            join_line(&mut text, b, &words, full);
            text
        };
        assert_eq!(
            join("were communicate", "d, and", true),
            "were communicated, and"
        );
        assert_eq!(
            join("results incorporated", "to establish", true),
            "results incorporated to establish"
        );
        assert_eq!(
            join("relevant documentati", "on developed", true),
            "relevant documentation developed"
        );
        // Not at the column's edge: a line ends at a space.
        assert_eq!(
            join("relevant documentati", "on developed", false),
            "relevant documentati on developed"
        );
        assert_eq!(
            join("security requirements", ", and", false),
            "security requirements, and"
        );
        assert_eq!(join("the", "- item", false), "the - item");
    }

    #[test]
    fn a_header_of_names_over_option_labels_is_two_rows_and_a_note_is_no_header() {
        let starts = [20.0, 80.0, 220.0, 260.0, 300.0, 340.0];
        let mut words = Vec::new();
        words.extend(line(1, 80.0, 20.0, "Requirement"));
        words.extend(line(1, 220.0, 20.0, "Testing"));
        words.extend(line(1, 262.0, 20.0, "Response"));
        words.extend(line(1, 220.0, 32.0, ""));
        words.extend(line(1, 260.0, 32.0, "In Place"));
        words.extend(line(1, 300.0, 32.0, "Not Tested"));
        words.extend(line(1, 340.0, 32.0, "Not in Place"));
        // A section's title, then a note between the header and the first row.
        words.extend(line(1, 20.0, 44.0, "2.2 Systems are configured securely."));
        words.extend(line(1, 20.0, 56.0, "Note: applies to"));
        words.extend(line(1, 220.0, 56.0, "web servers."));
        let refs: Vec<&Word> = words.iter().filter(|w| !w.text.is_empty()).collect();
        let head = header(&refs, &starts, &[10.0, 24.0, 36.0, 48.0, 60.0], 62.0);
        assert_eq!(
            head,
            [
                vec!["", "Requirement", "Testing", "Response", "", ""],
                vec!["", "", "", "In Place", "Not Tested", "Not in Place"],
            ]
        );
        // A one-row header is that row.
        let head = header(&refs[..3], &starts, &[10.0, 24.0], 30.0);
        assert_eq!(
            head,
            [vec!["", "Requirement", "Testing", "Response", "", ""]]
        );
    }

    #[test]
    fn option_labels_are_found_under_their_names_below_a_note_spanning_the_table() {
        // The note fills every column, the labels three: the band filling most is the note's.
        let starts = [20.0, 80.0, 220.0, 260.0, 300.0, 340.0];
        let mut words = Vec::new();
        // A note over the whole table, the column names, the option labels, a section title.
        words.extend(line(1, 20.0, 20.0, "Note: these"));
        words.extend(line(1, 80.0, 20.0, "requirements mirror"));
        words.extend(line(1, 220.0, 20.0, "the standard,"));
        words.extend(line(1, 262.0, 20.0, "in full,"));
        words.extend(line(1, 300.0, 20.0, "every one"));
        words.extend(line(1, 340.0, 20.0, "of them."));
        words.extend(line(1, 80.0, 32.0, "Requirement"));
        words.extend(line(1, 220.0, 32.0, "Testing"));
        words.extend(line(1, 262.0, 32.0, "Response"));
        words.extend(line(1, 260.0, 44.0, "In Place"));
        words.extend(line(1, 300.0, 44.0, "Not Applicable"));
        words.extend(line(1, 340.0, 44.0, "Not in Place"));
        words.extend(line(1, 20.0, 56.0, "1.3 Network access is restricted."));
        let refs: Vec<&Word> = words.iter().collect();
        let head = header(&refs, &starts, &[10.0, 24.0, 36.0, 48.0, 60.0], 62.0);
        assert_eq!(
            head,
            [
                vec!["", "Requirement", "Testing", "Response", "", ""],
                vec!["", "", "", "In Place", "Not Applicable", "Not in Place"],
            ]
        );
    }
}
