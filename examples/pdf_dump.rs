//! What trustfill reads from PDFs: pages, words, AcroForm fields, and the time it takes.
//!
//!     cargo run --release --example pdf_dump -- FILE.pdf… [--words N] [--rules N] [--fields N] [--table]
//!
//! `--table` prints the rows of the table recovered from word positions whose first column
//! holds question ids, as `kb import`, `inspect` and `fill` read it.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1)?.parse().ok())
            .unwrap_or(0)
    };
    let (show_words, show_fields): (usize, usize) = (count("--words"), count("--fields"));
    let limits = trustfill::limits::Limits::default();
    for path in args.iter().filter(|a| a.ends_with(".pdf")) {
        let path = std::path::Path::new(path);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let start = Instant::now();
        let pdf = match trustfill::pdf::Pdf::open(path, &limits) {
            Ok(pdf) => pdf,
            Err(e) => {
                println!("{name}: refused: {e}");
                continue;
            }
        };
        let read = pdf.words_and_rules(path);
        let rules = read.as_ref().map(|r| r.1.clone()).unwrap_or_default();
        let words = read.map(|r| r.0);
        let fields = pdf.fields();
        let took = start.elapsed().as_secs_f64();
        match words {
            Ok(words) => {
                let pages = words.iter().map(|w| w.page).max().unwrap_or(0);
                println!(
                    "{name}: {pages} pages with text, {} words, {} fields, {took:.2} s",
                    words.len(),
                    fields.len()
                );
                if args.iter().any(|a| a == "--table") {
                    let table = trustfill::pdf::table::questionnaire(
                        &words,
                        &rules,
                        trustfill::text::looks_like_id,
                        limits.max_rows,
                    )
                    .unwrap_or_default()
                    .0;
                    for row in table {
                        let cells: Vec<String> =
                            row.iter().map(|c| c.chars().take(40).collect()).collect();
                        println!("  {}", cells.join(" | "));
                    }
                }
                for w in words.iter().take(show_words) {
                    println!(
                        "  p{} x {:.0}-{:.0} y {:.0} size {:.1} {}",
                        w.page, w.x0, w.x1, w.y, w.size, w.text
                    );
                }
            }
            Err(e) => println!("{name}: text refused: {e}; {} fields", fields.len()),
        }
        for r in rules.iter().take(count("--rules")) {
            println!(
                "  rule p{} ({:.0},{:.0})-({:.0},{:.0})",
                r.page, r.x0, r.y0, r.x1, r.y1
            );
        }
        for f in fields.iter().take(show_fields) {
            println!(
                "  field {:?} {:?} value {:?} options {:?} page {:?} rect {:?}",
                f.name, f.kind, f.value, f.options, f.page, f.rect
            );
        }
    }
}
