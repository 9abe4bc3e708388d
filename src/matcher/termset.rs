//! [`TermSet`]: an entry's analysed terms as one compact set, built once per entry read back.

/// A set of analysed terms in one buffer: the terms' text one after another, and each term's
/// hash and span, sorted by hash. An entry holds several (each phrasing, their union, the
/// comment and tags) and thousands of entries are prepared in one `fill`: two allocations a set
/// instead of one per term. A lookup is a binary search over the hashes, then one comparison
/// of text.
#[derive(Debug, Default)]
pub(crate) struct TermSet {
    text: String,
    spans: Vec<(u64, u32, u32)>,
}

fn hash(term: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(term)
}

impl TermSet {
    /// The distinct terms of `terms`.
    pub(crate) fn new<'a>(terms: impl IntoIterator<Item = &'a str>) -> TermSet {
        let mut all: Vec<(u64, &str)> = terms.into_iter().map(|t| (hash(t), t)).collect();
        all.sort_unstable();
        all.dedup();
        let mut set = TermSet {
            text: String::with_capacity(all.iter().map(|t| t.1.len()).sum()),
            spans: Vec::with_capacity(all.len()),
        };
        for (h, t) in all {
            let start = set.text.len() as u32;
            set.text.push_str(t);
            set.spans.push((h, start, set.text.len() as u32));
        }
        set
    }

    /// The distinct terms of a space-separated list (as the index stores them).
    pub(crate) fn of_words<'a>(lists: impl IntoIterator<Item = &'a str>) -> TermSet {
        TermSet::new(lists.into_iter().flat_map(str::split_whitespace))
    }

    fn get(&self, i: usize) -> &str {
        let (_, a, b) = self.spans[i];
        &self.text[a as usize..b as usize]
    }

    pub(crate) fn contains(&self, term: &str) -> bool {
        let h = hash(term);
        let first = self.spans.partition_point(|s| s.0 < h);
        (first..self.spans.len())
            .take_while(|&i| self.spans[i].0 == h)
            .any(|i| self.get(i) == term)
    }

    /// The terms, in the order of their hashes.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.spans.len()).map(|i| self.get(i))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_set_holds_each_term_once_and_finds_exactly_those() {
        let set = TermSet::of_words(["encrypt data rest", "data at-rest encrypt", ""]);
        let mut terms: Vec<&str> = set.iter().collect();
        terms.sort_unstable();
        assert_eq!(terms, ["at-rest", "data", "encrypt", "rest"]);
        for t in ["at-rest", "data", "encrypt", "rest"] {
            assert!(set.contains(t), "{t}");
        }
        for t in ["", "at", "dat", "datas", "zzz", "Data"] {
            assert!(!set.contains(t), "{t}");
        }
        assert!(TermSet::of_words([""]).is_empty());
        assert!(!TermSet::default().contains("a"));
    }
}
