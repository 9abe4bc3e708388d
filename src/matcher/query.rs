//! The queries: BM25 over the stemmed fields, the plain-words query, the audience filter every
//! query carries, and the IDF that weighs a question's terms.

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use super::signals::term_weight;
use super::{BOOST_COMMENT, BOOST_QUESTION, BOOST_TAGS, Matcher};
use crate::error::Result;
use crate::kb::Audience;

impl Matcher<'_> {
    /// The plain-words query: every token of the question as given, on the `words` field,
    /// restricted to the audience. None when the question has no words.
    pub(super) fn words_query(
        &mut self,
        question: &str,
        audience: Audience,
    ) -> Option<BooleanQuery> {
        let f = self.index.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut stream = self.words.token_stream(question);
        while let Some(token) = stream.next() {
            let term = Term::from_field_text(f.words, &token.text);
            should.push((
                Occur::Should,
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
            ));
        }
        drop(stream);
        if should.is_empty() {
            return None;
        }
        Some(self.restricted(Box::new(BooleanQuery::new(should)), audience))
    }

    /// `query`, keeping out what `audience` may not see ([`Matcher::audience_filter`]).
    pub(super) fn restricted(&self, query: Box<dyn Query>, audience: Audience) -> BooleanQuery {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query)];
        clauses.extend(self.audience_filter(audience));
        BooleanQuery::new(clauses)
    }

    /// The clauses that keep out every entry the audience may not see: one `MustNot` for each
    /// audience above it (every entry has exactly one audience). Excluding the few entries
    /// above the audience costs less than intersecting with the many it may see (a `Must`
    /// filter of allowed audiences was a fifth of `fill`'s time), and for the internal
    /// audience, which sees everything, there is no clause at all. The terms stay one nested
    /// union: flattened into the top query, tantivy scores them with block-max WAND, which was
    /// faster on short questions and slower on long ones (0.31 → 0.36 s on a varied library).
    pub(super) fn audience_filter(&self, audience: Audience) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.index.fields;
        Audience::ALL
            .into_iter()
            .filter(|a| !a.visible_to(audience))
            .map(|a| {
                let q = TermQuery::new(
                    Term::from_field_text(f.audience, a.as_str()),
                    IndexRecordOption::Basic,
                );
                (Occur::MustNot, Box::new(q) as Box<dyn Query>)
            })
            .collect()
    }

    pub(super) fn query(&self, terms: &[String], audience: Audience) -> BooleanQuery {
        let f = self.index.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in terms {
            for (field, boost) in [
                (f.question_terms, BOOST_QUESTION),
                (f.comment_terms, BOOST_COMMENT),
                (f.tags_terms, BOOST_TAGS),
            ] {
                let q = TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                );
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), boost * term_weight(term))),
                ));
            }
        }
        self.restricted(Box::new(BooleanQuery::new(should)), audience)
    }

    /// BM25's IDF, `ln(1 + (N − df + 0.5) / (df + 0.5))`, with `df` the largest document
    /// frequency over `fields`. Counting the comments too keeps generic words ("information",
    /// "protected") from looking rare just because few question phrasings use them. A term no
    /// entry uses gets the highest weight, so leaving it uncovered costs the most.
    pub(super) fn idf(&self, fields: &[Field], term: &str) -> Result<f32> {
        let mut df = 0_u64;
        for &field in fields {
            let n = self
                .searcher
                .doc_freq(&Term::from_field_text(field, term))
                .map_err(|source| self.index_error(source))?;
            df = df.max(n);
        }
        let df = df as f32;
        Ok((1.0 + (self.num_docs - df + 0.5) / (df + 0.5)).ln())
    }
}
