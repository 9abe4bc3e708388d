//! Line numbers for byte offsets: where in a file a problem is.

/// 1-based line number of a byte offset in `text`. For one lookup; a loop over a file's
/// entries uses [`Lines`], which counts the file's lines once.
pub fn line_of(text: &str, offset: usize) -> usize {
    Lines::new(text).line(offset)
}

/// Where each line of a text starts, for turning byte offsets into line numbers in
/// O(log lines) each.
pub struct Lines {
    /// Byte offset of every `\n`, in order.
    newlines: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        Lines {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// 1-based line number of a byte offset (offsets past the end give the last line).
    pub fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&nl| nl < offset) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_are_one_based() {
        let text = "a\nb\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 4), 3);
        assert_eq!(line_of(text, 99), 3);
    }

    #[test]
    fn lines_are_counted_once_per_file() {
        let text = "a\nb\n\nc";
        let lines = Lines::new(text);
        let expected = [1, 1, 2, 2, 3, 4, 4, 4];
        for (offset, line) in expected.iter().enumerate() {
            assert_eq!(lines.line(offset), *line, "offset {offset}");
            assert_eq!(line_of(text, offset), *line);
        }
    }
}
