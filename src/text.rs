//! Text analysis shared by the index and the matcher, so both see the same terms: the English
//! analyzer registered with tantivy, a plain tokenizer for the BM25 reference, and the clean-up
//! applied to questionnaire text before matching (question ids, numbering, HTML, asterisks).

use std::sync::{Arc, LazyLock};

use regex::Regex;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, WhitespaceTokenizer,
};

use crate::thesaurus::Thesaurus;

/// Name of the tokenizer registered with every tantivy index we open. The indexed fields hold
/// text that [`Analyzer`] already turned into terms, so tantivy only splits on spaces: analysis
/// happens in one place, identical for entries and questions.
pub const TERMS_TOKENIZER: &str = "trustfill_terms";

pub fn terms_tokenizer() -> TextAnalyzer {
    TextAnalyzer::from(WhitespaceTokenizer::default())
}

/// Tokenizer of the index's `words` field: the second ranking's analysis.
pub const WORDS_TOKENIZER: &str = "trustfill_words";

/// Surface words: lower-cased and folded, stop words and [`FILLER_WORDS`] dropped, but no
/// stemming, no thesaurus and no question clean-up, so it errs where [`english`] does not
/// ("communications" is not "communicated"; an unknown acronym still counts). Without the stop
/// and filler words, "How many … does … have?" would agree with every "How many" entry.
pub fn words_tokenizer() -> TextAnalyzer {
    surface_words().build()
}

/// The chain both analyzers share: words, lower-cased and folded, without stop and filler
/// words.
fn surface_words() -> tantivy::tokenizer::TextAnalyzerBuilder<impl tantivy::tokenizer::Tokenizer> {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::new(Language::English).expect("tantivy ships English stop words"))
        .filter(StopWordFilter::remove(
            FILLER_WORDS.iter().map(|w| w.to_string()),
        ))
}

/// The full analysis: [`english`] terms, then [`Thesaurus`] canonical terms.
#[derive(Clone)]
pub struct Analyzer {
    english: TextAnalyzer,
    thesaurus: Arc<Thesaurus>,
}

impl Analyzer {
    pub fn new(thesaurus: Arc<Thesaurus>) -> Analyzer {
        Analyzer {
            english: english(),
            thesaurus,
        }
    }

    pub fn terms(&mut self, text: &str) -> Vec<String> {
        self.thesaurus.canonicalize(terms(&mut self.english, text))
    }

    /// [`Analyzer::terms`] without duplicates, first occurrence first.
    pub fn unique_terms(&mut self, text: &str) -> Vec<String> {
        let mut out = self.terms(text);
        let mut seen = std::collections::HashSet::new();
        out.retain(|t| seen.insert(t.clone()));
        out
    }

    /// The multi-word vocabulary members ("pen test", "user access review") among `words`, a
    /// text split into words in order: each with the range of words it spans and its group's
    /// canonical term.
    pub fn phrases_in(&mut self, words: &[&str]) -> Vec<(std::ops::Range<usize>, String)> {
        let mut all = Vec::new();
        let mut word_of = Vec::new();
        for (i, word) in words.iter().enumerate() {
            for term in terms(&mut self.english, word) {
                all.push(term);
                word_of.push(i);
            }
        }
        self.thesaurus
            .phrases(&all)
            .into_iter()
            .map(|(span, canonical)| {
                (
                    word_of[span.start]..word_of[span.end - 1] + 1,
                    canonical.to_string(),
                )
            })
            .collect()
    }

    /// The terms joined by spaces: what goes into an indexed field.
    pub fn index_text(&mut self, text: &str) -> String {
        self.terms(text).join(" ")
    }
}

/// Words every questionnaire uses that say nothing about the topic ("Do you…", "Please
/// describe…", "your organization"). Dropped on both sides, so they neither match entries nor
/// count as uncovered question terms.
pub const FILLER_WORDS: &[&str] = &[
    // Questionnaire phrasing.
    "do",
    "does",
    "did",
    "you",
    "your",
    "yours",
    "yourself",
    "we",
    "our",
    "ours",
    "us",
    "have",
    "has",
    "had",
    "can",
    "could",
    "would",
    "should",
    "shall",
    "may",
    "please",
    "describe",
    "provide",
    "explain",
    "detail",
    "details",
    "list",
    "state",
    "specify",
    "indicate",
    "confirm",
    "organization",
    "organisation",
    "organizations",
    "company",
    "vendor",
    "vendors",
    "what",
    "which",
    "how",
    "who",
    "whom",
    "whose",
    "why",
    "where",
    "when",
    "whether",
    "any",
    "all",
    "been",
    "being",
    "were",
    "am",
    "so",
    "also",
    "other",
    "etc",
    "e.g",
    "i.e",
    "eg",
    "ie",
    "yes",
    "n/a",
    // "Where applicable", "applicable laws": never the topic, and stemmed it would be
    // "application".
    "applicable",
    "na",
    // Function words beyond Lucene's short list. Not "up", "out", "off" or "over": phrases such
    // as "back up" and "roll out" need them. Negations are kept for polarity checks.
    "about",
    "above",
    "after",
    "again",
    "against",
    "below",
    "between",
    "both",
    "during",
    "each",
    "every",
    "few",
    "from",
    "further",
    "here",
    "him",
    "his",
    "her",
    "hers",
    "he",
    "she",
    "its",
    "itself",
    "me",
    "my",
    "more",
    "most",
    "many",
    "much",
    "own",
    "per",
    "some",
    "than",
    "those",
    "them",
    "through",
    "too",
    "under",
    "until",
    "upon",
    "very",
    "via",
    "while",
    "within",
];

/// Words questionnaires use around every topic ("established", "appropriate", "ensure",
/// "procedures"): kept, since some questions are about them, but weighted below topical terms.
/// The list is stemmed, so one form of each word covers the others ("establish" also stands for
/// "established", "documented" for "documentation").
pub const GENERIC_WORDS: &[&str] = &[
    "establish",
    "approve",
    "implement",
    "define",
    "evaluate",
    "maintain",
    "ensure",
    "appropriate",
    "relevant",
    "according",
    "regarding",
    "including",
    "associated",
    "provided",
    "use",
    "consider",
    "specific",
    "based",
    "practices",
    "best",
    "formal",
    "place",
    "required",
    "procedures",
    "process",
    "documented",
];

static GENERIC_TERMS: LazyLock<std::collections::HashSet<String>> =
    LazyLock::new(|| stemmed(GENERIC_WORDS));

/// Words that qualify what a question asks without changing it ("strong password policies",
/// "organizationally defined", "technical measures"): an entry that does not use them still
/// answers the question. Only the coverage check ([`is_modifier`]) uses the list.
const MODIFIER_WORDS: &[&str] = &[
    "strong",
    "adequate",
    "effective",
    "sufficient",
    "regular",
    "periodic",
    "organization",
    "organizational",
    "management",
    "measures",
    "technical",
    "documentation",
    "policies",
    "program",
    "controls",
    "mechanisms",
    "solution",
    "standard",
    "support",
    "current",
    "applicable",
    "necessary",
    "proper",
    "overall",
    "existing",
    "reasonable",
    "industry",
];

static MODIFIER_TERMS: LazyLock<std::collections::HashSet<String>> =
    LazyLock::new(|| stemmed(MODIFIER_WORDS));

/// The analysed terms of a word list, as a set.
fn stemmed(words: &[&str]) -> std::collections::HashSet<String> {
    let mut english = english();
    words.iter().flat_map(|w| terms(&mut english, w)).collect()
}

/// Whether a question's `word` (as written) and its analysed `term` only qualify what is asked:
/// a [`GENERIC_WORDS`] or modifier term, or an adverb ("organizationally", "periodically").
pub fn is_modifier(word: &str, term: &str) -> bool {
    is_generic(term)
        || MODIFIER_TERMS.contains(term)
        || (word.len() > 5 && word.to_lowercase().ends_with("ly"))
}

/// Whether a question's `word` names a measure it asks for ("What percentage…", "certificate
/// number"): a value the entry must state, which closeness in meaning never supplies (the
/// word "percentage" is near an SLA entry that says "99.9%" but not what the service credit is).
pub fn is_measure(word: &str) -> bool {
    const MEASURES: [&str; 11] = [
        "percentage",
        "percentages",
        "percent",
        "proportion",
        "ratio",
        "number",
        "numbers",
        "count",
        "amount",
        "quantity",
        "figure",
    ];
    MEASURES.iter().any(|m| word.eq_ignore_ascii_case(m))
}

/// Whether an analyzed term is one of [`GENERIC_WORDS`].
pub fn is_generic(term: &str) -> bool {
    GENERIC_TERMS.contains(term)
}

/// Lower-casing, ASCII folding, English stop words, [`FILLER_WORDS`] and the Snowball English
/// stemmer. Stop words are tantivy's (Lucene's) list, which drops "no" and "not": polarity checks
/// must look at the raw text, not at these tokens.
pub fn english() -> TextAnalyzer {
    surface_words()
        .filter(Stemmer::new(Language::English))
        .build()
}

/// An acronym spelled out letter by letter: "D-U-N-S", "U.S.A." (three letters or more, so that
/// "e.g." and "i.e." stay what they are).
static SPELLED_ACRONYM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-Za-z](?:[-.][A-Za-z]){2,}\b\.?").expect("regex"));

/// `text` with each [`SPELLED_ACRONYM`] written as one word ("DUNS", "USA"): split at its
/// separators it was single letters, which [`terms`] drops, and "D-U-N-S number" was left with
/// "number" only.
pub fn join_spelled_acronyms(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['-', '.']) {
        return std::borrow::Cow::Borrowed(text);
    }
    SPELLED_ACRONYM.replace_all(text, |c: &regex::Captures<'_>| c[0].replace(['-', '.'], ""))
}

/// Analyze `text` into terms, in order, duplicates kept.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let text = join_spelled_acronyms(text);
    let mut stream = analyzer.token_stream(&text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token_mut();
        // A lone letter is debris of "e.g.", "i.e." or "organization's", not a word.
        if token.text.len() == 1 && token.text.as_bytes()[0].is_ascii_alphabetic() {
            continue;
        }
        // Taken, not copied: every stage of the chain writes the next token afresh.
        out.push(std::mem::take(&mut token.text));
    }
    out
}

static HTML_TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]{1,200}>").expect("regex"));
/// A leading question id (`A&A-01.1`, `HLAP-03:`) or outline number (`1.2.3`, `Q12.`, `12)`).
static LEADING_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Z][A-Z&]{1,6}-\d{1,3}(?:\.\d{1,3})*\s*[:.)\-–]?|[Qq]?\d{1,3}(?:\.\d{1,3})+[.):]?|[Qq]?\d{1,3}[.):])\s+")
        .expect("regex")
});
/// A bare leading number is numbering only when a capitalised word follows (`12 Do you…`), not
/// when it is part of the question (`72 hours notice?`).
static LEADING_BARE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[Qq]?\d{1,3}\s+([A-Z])").expect("regex"));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Yes,
    No,
    NotApplicable,
}

/// Yes, No or N/A, also when the approved answer qualifies it: "Yes (ISO/IEC 27001:2022)",
/// "No, not applicable", "N/A - no card data".
pub fn class(value: &str) -> Option<Class> {
    class_and_qualifier(value).0
}

/// [`class`], and what the answer says after its Yes, No or N/A ("No, not in scope" → "not in
/// scope"; "Yes (ISO/IEC 27001:2022)" → "ISO/IEC 27001:2022"); empty when nothing follows.
pub fn class_and_qualifier(value: &str) -> (Option<Class>, &str) {
    let trimmed = value.trim();
    let lower = trimmed.to_lowercase();
    let lead_len = if lower.starts_with("n/a") {
        3
    } else {
        lower
            .find(|c: char| c.is_whitespace() || ",;:()-–—.".contains(c))
            .unwrap_or(lower.len())
    };
    let (lead, rest) = lower.split_at(lead_len);
    let lead = if lead == "n/a" { "na" } else { lead };
    // A qualifier must be set off by punctuation: "No (…)", "Yes, …", "N/A - …". "No material
    // changes" is a statement, not a No.
    let rest = rest.trim_start();
    let qualified = rest.is_empty() || rest.starts_with(|c: char| ",;:()-–—.".contains(c));
    let of = |v: &str| match v {
        "yes" | "y" | "true" => Some(Class::Yes),
        "no" | "n" | "false" => Some(Class::No),
        "na" | "notapplicable" | "none" => Some(Class::NotApplicable),
        _ => None,
    };
    if matches!(lead, "yes" | "no" | "na") && qualified {
        // The lead word is ASCII: it is as long in `trimmed` as in `lower`.
        let rest = trimmed[lead_len..]
            .trim_start_matches(|c: char| c.is_whitespace() || ",;:(-–—.".contains(c));
        let rest = match rest.strip_suffix(')') {
            Some(inner) if !inner.contains('(') => inner.trim_end(),
            _ => rest,
        };
        return (of(lead), rest);
    }
    let whole: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    (of(&whole), "")
}

/// The Yes, No or N/A an option of a choice stands for: its [`class`], or a control status
/// that says the same ("In Place" and "Implemented" are a Yes, "Not in Place" and "Not
/// Implemented" a No). "In Place with CCW", "Planned" or "Partially" stand for none: a plain
/// Yes does not say them.
pub fn option_class(option: &str) -> Option<Class> {
    class(option).or_else(|| {
        let words: Vec<String> = option
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        match words.join(" ").as_str() {
            "in place" | "implemented" | "fully implemented" => Some(Class::Yes),
            "not in place" | "not implemented" => Some(Class::No),
            _ => None,
        }
    })
}

/// Question ids: `A&A-01.1`, `GNRL-01`, `HLAP-03`, `IAM-02`, `Q12`, `1.2.3`; a stray space
/// after the hyphen (`AIS- 02.2`, a typo CAIQ v3.0.1 ships) is still an id.
static QUESTION_ID: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"^(?:[A-Z][A-Z0-9&]{0,7}(?:[-_. ]|- )?\d{1,6}(?:\.\d{1,3}){0,3}[a-z]?|\d{1,3}(?:\.\d{1,3}){0,3}\.?)$").expect("regex")
});

pub fn looks_like_id(text: &str) -> bool {
    QUESTION_ID.is_match(text.trim())
}

/// Whether a question asks for a value or a name ("Which EDR product…", "Name the firm…",
/// "What percentage…") rather than for a yes or no. Such a question is not answered by an entry
/// whose answer is just Yes or No, however well the words match.
pub fn asks_for_value(question: &str) -> bool {
    let q = question.trim().to_lowercase();
    const OPENERS: [&str; 18] = [
        "which ",
        "what ",
        "who ",
        "whom ",
        "name ",
        "list ",
        "how many",
        "how much",
        "how long",
        "how often",
        "how quickly",
        "how frequently",
        "how soon",
        "when ",
        "where ",
        "provide the name",
        "identify ",
        "specify ",
    ];
    let opener = OPENERS.iter().any(|o| q.starts_with(o));
    opener || q.contains("name the ") || q.contains("what percentage") || q.contains("which firm")
}

/// A form field's label rather than a question ("vendor name", "product description",
/// "security contact email", "date of the last penetration test", HECVAT's GNRL rows; `lower`
/// is lower-cased): a few words, no question mark, ending in a noun that names a value or
/// opening with one ("date of …"). A Yes or No never fills it, however
/// well its words match a comment (a harvested library's comment that mentions "user name"
/// once drafted "Yes" for "Vendor Name" at 93%): the matcher caps such candidates.
pub fn is_value_field(lower: &str) -> bool {
    const VALUE_NOUNS: [&str; 16] = [
        "name",
        "email",
        "e-mail",
        "phone",
        "number",
        "title",
        "address",
        "date",
        "url",
        "website",
        "version",
        "location",
        "country",
        "headquarters",
        "description",
        "contact",
    ];
    let label = lower.trim().trim_end_matches([':', '*', '.']).trim();
    let words: Vec<&str> = label.split_whitespace().collect();
    /// A word without the punctuation around it.
    fn bare(w: &str) -> &str {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
    }
    let noun = |w: &&str| VALUE_NOUNS.contains(&bare(w));
    // "Vendor name", "Security contact email"; or "Date of your most recent penetration test".
    let ends_in_noun = (1..=6).contains(&words.len()) && words.last().is_some_and(noun);
    // A statement ("Number of failed logins is limited to five") is not a label.
    let statement = |w: &&str| {
        [
            "is", "are", "must", "should", "shall", "will", "be", "has", "have",
        ]
        .contains(w)
    };
    let noun_of = (3..=10).contains(&words.len())
        && noun(&words[0])
        && words[1] == "of"
        && !words.iter().any(statement);
    // "EDR product deployed on company laptops", "SAST tool in use", "Hosting provider": a label
    // naming a kind of product or supplier asks which one. Not "Annual review of hosting
    // provider SOC 2 report" (the noun qualifies another) nor "Do you use a vendor" (a question
    // without its mark).
    const WHICH: [&str; 7] = [
        "product", "tool", "vendor", "provider", "firm", "carrier", "brand",
    ];
    const PARTICIPLES: [&str; 8] = [
        "deployed",
        "used",
        "installed",
        "adopted",
        "selected",
        "chosen",
        "employed",
        "running",
    ];
    let names_which = (2..=8).contains(&words.len())
        && !words.iter().any(statement)
        && !reads_like_question(label)
        && words.iter().enumerate().skip(1).any(|(i, w)| {
            WHICH.contains(&bare(w))
                && match words.get(i + 1).map(|n| bare(n)) {
                    None => true,
                    Some(next) => {
                        PARTICIPLES.contains(&next)
                            || (next == "in" && words.get(i + 2).map(|n| bare(n)) == Some("use"))
                    }
                }
        });
    !label.ends_with('?')
        && !lower.trim_end().ends_with('?')
        && (ends_in_noun || noun_of || names_which)
}

/// Words that turn a statement around. Read from the raw text: the analyzer drops "no" and "not".
const NEGATIONS: [&str; 22] = [
    "not",
    "no",
    "never",
    "without",
    "none",
    "nor",
    "cannot",
    "can't",
    "don't",
    "doesn't",
    "isn't",
    "aren't",
    "won't",
    "unencrypted",
    "plaintext",
    "cleartext",
    "unauthenticated",
    "unpatched",
    "prohibited",
    "forbidden",
    "disabled",
    "lack",
];

/// Whether a question only makes sense with the question it follows ("If so, please
/// describe", "A brief description:", "Describe how the traffic is protected:"): it opens with
/// a conditional on an earlier answer, or it asks for free text in a few words and points back
/// ("the", "this", "it") or at nothing. Matched alone, such a question meets whatever entry
/// shares its few words, so the matcher never lets it reach the drafting threshold, and `fill`
/// matches it together with the question above.
pub fn needs_context(question: &str) -> bool {
    let lower = question.trim().to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return false;
    }
    let opens = |prefix: &[&str]| words.len() >= prefix.len() && words[..prefix.len()] == *prefix;
    const CONDITIONAL: [&[&str]; 9] = [
        &["if", "so"],
        &["if", "yes"],
        &["if", "no"],
        &["if", "not"],
        &["if", "applicable"],
        &["if", "other"],
        &["if", "you", "answered"],
        &["if", "the", "answer"],
        &["if", "any"],
    ];
    if CONDITIONAL.iter().any(|p| opens(p)) {
        return true;
    }
    let rest = if words[0] == "please" {
        &words[1..]
    } else {
        &words[..]
    };
    const ASKS_FOR_TEXT: [&str; 14] = [
        "describe",
        "explain",
        "provide",
        "list",
        "specify",
        "detail",
        "elaborate",
        "comment",
        "comments",
        "summarize",
        "summarise",
        "outline",
        "description",
        "details",
    ];
    const ONLY_FILLER: [&str; 16] = [
        "a",
        "an",
        "brief",
        "short",
        "description",
        "details",
        "detail",
        "additional",
        "information",
        "explanation",
        "comments",
        "notes",
        "other",
        "here",
        "below",
        "any",
    ];
    if words.iter().all(|w| ONLY_FILLER.contains(w)) {
        return true;
    }
    let asks_for_text = rest.first().is_some_and(|w| ASKS_FOR_TEXT.contains(w));
    let points_back = rest.iter().any(|w| {
        matches!(
            *w,
            "the" | "this" | "these" | "that" | "those" | "it" | "them" | "above"
        )
    });
    asks_for_text && rest.len() <= 7 && (points_back || lower.trim_end().ends_with(':'))
}

pub fn negations(text: &str) -> Vec<String> {
    let split = |s: &str| -> Vec<String> {
        s.split(|c: char| !(c.is_alphanumeric() || c == '\''))
            .filter(|w| NEGATIONS.contains(w))
            .map(str::to_string)
            .collect()
    };
    let lower = text.to_lowercase();
    // Fast path: most phrasings have no negation at all (this runs for every candidate).
    if split(&lower).is_empty() && !lower.contains("plain text") && !lower.contains("clear text") {
        return Vec::new();
    }
    // Idioms that contain a negation but do not negate anything.
    let mut lower = lower
        .replace("plain text", "plaintext")
        .replace("clear text", "cleartext");
    for idiom in [
        "but not limited to",
        "not limited to",
        "not only",
        "whether or not",
        "if not already",
        "no later than",
        "not less than",
        "no less than",
        "no more than",
        "not more than",
    ] {
        lower = lower.replace(idiom, " ");
    }
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| NEGATIONS.contains(w))
        .map(str::to_string)
        .collect()
}

/// Whether a question and the entry phrasing it matched point opposite ways: one carries an odd
/// number of negations ("Do you store passwords in plaintext?") and the other an even number
/// ("How are passwords stored?"). Returns the reason to show the reviewer.
pub fn polarity_clash(question: &str, phrasing: &str) -> Option<String> {
    polarity_clash_with(&negations(question), phrasing)
}

/// [`polarity_clash`] with the question's negations counted once (the matcher compares one
/// question with many phrasings).
pub fn polarity_clash_with(q: &[String], phrasing: &str) -> Option<String> {
    let e = negations(phrasing);
    if q.len() % 2 == e.len() % 2 {
        return None;
    }
    let (side, words): (&str, &[String]) = if q.len() % 2 == 1 {
        ("the question", q)
    } else {
        ("the entry", &e)
    };
    Some(format!(
        "may be asked the other way round: {side} says {:?} and the other does not; check the answer's direction",
        words.join(" ")
    ))
}

/// Whether an entry answers Yes or No: its answer is one ("Yes", "No, not in scope"), or, in a
/// library kept as one column of prose (no comment), its answer is a statement of at least
/// [`PROSE_WORDS`] words to a question asked for a yes or no ("Do you run EDR …?" answered
/// "An EDR agent runs on every company laptop …"). Such an entry says whether, not which: it
/// does not answer "Which EDR product is deployed?" any more than a bare "Yes" does.
pub fn answers_yes_no(question: &str, answer: &str, comment: &str) -> bool {
    class(answer).is_some()
        || (comment.trim().is_empty()
            && answer.split_whitespace().nth(PROSE_WORDS - 1).is_some()
            && asks_yes_no(&clean_question(question)))
}

/// The fewest words of an answer read as a statement rather than a value ("Within 24 hours").
pub const PROSE_WORDS: usize = 8;

/// Whether a question asks for a yes or a no: it opens with an auxiliary verb ("Is…", "Do you…",
/// "Has…", "Can…").
pub fn asks_yes_no(question: &str) -> bool {
    let q = question.trim().to_lowercase();
    const OPENERS: [&str; 14] = [
        "is ", "are ", "do ", "does ", "did ", "has ", "have ", "can ", "will ", "would ",
        "should ", "was ", "were ", "must ",
    ];
    OPENERS.iter().any(|o| q.starts_with(o))
}

/// A header or label reduced to lowercase words: `"Vendor Answers:"` → `vendor answers`. Used
/// wherever spreadsheet headers are recognised by name.
/// What two phrasings of the same question share, for exact reuse: the text without HTML, a
/// leading question id or numbering, case, punctuation and spacing. Unlike
/// [`clean_question`], framework wording is kept: it is part of what was asked.
pub fn exact_key(question: &str) -> String {
    let text = HTML_TAG.replace_all(question, " ");
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let stripped = LEADING_ID.replace(&collapsed, "");
    let stripped = LEADING_BARE_NUMBER.replace(&stripped, "$1");
    normalize_label(&stripped)
}

/// The question id a reference names: its last word, lower-cased (`"CAIQ v4.0.3 A&A-01.1"` →
/// `a&a-01.1`). A questionnaire row's id compares equal to it the same way.
pub fn ref_id(reference: &str) -> String {
    reference
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_lowercase()
}

pub fn normalize_label(text: &str) -> String {
    let mapped: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A template's placeholder patterns: date and phone masks, pointers to instructions,
/// invitations to type.
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            (?:mm|dd|m|d|yyyy|yy)(?:\s*[/.\-]\s*(?:mm|dd|m|d|yyyy|yy)){1,2}
          | \(?(?:555|xxx)\)?[\s.\-]?(?:555|xxx)[\s.\-]?(?:\d{4}|xxxx)
          | (?:see|refer\s+to)\b.{0,60}\b(?:tab|sheet|instructions|guidance)\b.{0,40}
          | (?:enter|insert|type)\s.{1,40}\s(?:here|name|text|date|email|number)\.?
          | click\s+(?:or\s+tap\s+)?here\s+to\s+enter\b.{0,20}
          | choose\s+an\s+item\.?
          | (?:please\s+)?(?:select|choose)(?:\s+(?:one|an?\s+(?:option|answer|item|value)|from\s+(?:the\s+)?list))?\s*\.{0,3}
          | -+\s*(?:please\s+)?(?:select|choose)(?:\s+one)?\s*-+
          | \[[^\]]{1,60}\]
          | <[^>]{1,60}>
        )$",
    )
    .expect("regex")
});

/// Whether a cell's text is a template's placeholder rather than an answer: the field's own
/// `label` repeated ("Vendor Name" in the Vendor Name field), a mask to follow ("mm/dd/yyyy",
/// "555-555-5555"), a pointer to instructions ("See Instructions tab for guidance"), or an
/// invitation to type ("Enter vendor name here", "[Insert date]", Word's "Click or tap here to
/// enter text.", a list's "Please select"). `label` may be empty when the field's label is
/// not known.
pub fn is_placeholder(value: &str, label: &str) -> bool {
    let value = value.trim();
    if value.is_empty() {
        return false;
    }
    let label = normalize_label(label);
    (!label.is_empty() && normalize_label(value) == label) || PLACEHOLDER.is_match(value)
}

/// Framework boilerplate (CAIQ and its kin): a run of three or more process verbs ("established,
/// documented, approved, communicated, applied, evaluated, and maintained") says nothing about
/// the topic, and neither does "processes, procedures, and technical measures". Two verbs are
/// kept: "reviewed and updated" is what some questions ask.
static VERB_RUN: LazyLock<Regex> = LazyLock::new(|| {
    let verb = "(?:established|documented|approved|communicated|applied|evaluated|maintained|implemented|defined|reviewed|updated|enforced|developed|identified|acquired|monitored|managed|tested|planned|authorized|authorised)";
    Regex::new(&format!(
        r"(?i)\b{verb}(?:\s*,\s*(?:and\s+)?{verb}|\s+and\s+{verb}){{2,}}\b"
    ))
    .expect("regex")
});
static MEASURES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:processes|policies)\s*,\s*procedures\s*,?\s*(?:and\s+)?(?:technical\s+measures|standards)\b").expect("regex")
});

/// Clean questionnaire text before matching: strip HTML tags and entities, a leading question id
/// or number, framework boilerplate, trailing asterisks (required-field markers), and collapse
/// whitespace.
pub fn clean_question(raw: &str) -> String {
    let text = HTML_TAG.replace_all(raw, " ");
    let text = text
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let stripped = LEADING_ID.replace(&collapsed, "");
    let stripped = LEADING_BARE_NUMBER.replace(&stripped, "$1");
    let stripped = VERB_RUN.replace_all(&stripped, " ");
    let stripped = MEASURES.replace_all(&stripped, "policies");
    let stripped = stripped.split_whitespace().collect::<Vec<_>>().join(" ");
    stripped.trim().trim_end_matches('*').trim().to_string()
}

/// Text that reads like a question or a request for information.
pub fn reads_like_question(text: &str) -> bool {
    let t = text.trim();
    if t.len() < 8 || !t.chars().any(char::is_alphabetic) {
        return false;
    }
    if t.ends_with('?') {
        return true;
    }
    const OPENERS: [&str; 24] = [
        "do ", "does ", "is ", "are ", "has ", "have ", "can ", "will ", "would ", "should ",
        "describe", "provide", "list ", "explain", "please", "how ", "what ", "which ", "who ",
        "when ", "where ", "state ", "indicate", "confirm",
    ];
    let lower = t.to_lowercase();
    OPENERS.iter().any(|o| lower.starts_with(o))
}

/// `text` with its whitespace collapsed, cut at a word boundary to at most `max` characters and
/// ended with ` …` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut} …")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_answers_yes_or_no_by_its_answer_or_as_a_statement_to_a_yes_no_question() {
        let edr = "Do you run EDR on your systems?";
        let statement = "An EDR agent runs on every company laptop and on all production hosts.";
        assert!(answers_yes_no(
            edr,
            "Yes",
            "An EDR agent runs on every laptop."
        ));
        assert!(answers_yes_no(edr, "No, not in scope", ""));
        // One column of prose: a statement answers the yes or no its question asks.
        assert!(answers_yes_no(edr, statement, ""));
        // A value is a value, however the entry's question is put; so is a statement beside
        // a comment (the library keeps its short answer there), or one to an open question.
        assert!(!answers_yes_no(edr, "CrowdStrike Falcon", ""));
        assert!(!answers_yes_no(edr, statement, "Reviewed yearly."));
        assert!(!answers_yes_no(
            "Which EDR product do you run?",
            statement,
            ""
        ));
    }

    #[test]
    fn follow_ups_are_told_from_questions_that_stand_alone() {
        for q in [
            "If so, please describe",
            "If yes, how often?",
            "If not, why not?",
            "A brief description:",
            "Additional information",
            "Describe how the traffic is protected:",
            "Please explain the process.",
            "Provide details:",
            "If you answered No, explain",
        ] {
            assert!(needs_context(q), "{q:?} needs the question above");
        }
        for q in [
            "Is customer data encrypted at rest?",
            "Describe your incident response process, including notification timelines.",
            "Describe how customer data is encrypted in transit and at rest.",
            "Provide a copy of your SOC 2 Type II report.",
            "If you have a SOC 2 report, which trust services criteria does it cover?",
            "List the subprocessors that can access customer data.",
        ] {
            assert!(!needs_context(q), "{q:?} stands alone");
        }
    }

    #[test]
    fn analyzer_stems_folds_and_drops_stop_words() {
        let mut a = english();
        assert_eq!(
            terms(&mut a, "Is the data Encrypted at rest?"),
            ["data", "encrypt", "rest"]
        );
        assert_eq!(
            terms(&mut a, "Do you encrypt your backups? Please describe."),
            ["encrypt", "backup"]
        );
        assert_eq!(terms(&mut a, "Café policies"), ["cafe", "polici"]);
    }

    #[test]
    fn lone_letters_and_applicable_are_not_terms() {
        let mut a = english();
        assert_eq!(
            terms(&mut a, "the organization's APIs (e.g. REST), i.e. services"),
            ["api", "rest", "servic"]
        );
        // Stemmed, "applicable" would be "applic", the stem of "application".
        assert_eq!(
            terms(&mut a, "applicable laws for the application"),
            ["law", "applic"]
        );
        assert!(is_generic("establish") && is_generic("ensur"));
        assert!(!is_generic("encrypt") && !is_generic("applic"));
    }

    #[test]
    fn questions_asked_the_other_way_round_are_flagged() {
        assert!(
            polarity_clash(
                "Do you ever store passwords in plain text?",
                "How are user passwords stored?"
            )
            .is_some()
        );
        assert!(
            polarity_clash(
                "Are shared accounts prohibited?",
                "Are shared or generic user accounts permitted?"
            )
            .is_some()
        );
        assert!(
            polarity_clash(
                "Is data never sent unencrypted?",
                "Is data encrypted in transit?"
            )
            .is_none(),
            "two negations cancel"
        );
        assert!(
            polarity_clash(
                "Is data encrypted at rest?",
                "Is customer data encrypted at rest?"
            )
            .is_none()
        );
        assert!(
            polarity_clash(
                "Are checks run on all staff, including but not limited to contractors?",
                "Do you check staff?"
            )
            .is_none(),
            "idioms are not negations"
        );
        let why = polarity_clash(
            "Is customer data not encrypted?",
            "Is customer data encrypted?",
        )
        .unwrap();
        assert!(why.contains("\"not\""), "{why}");
    }

    #[test]
    fn value_questions_are_told_from_yes_no_questions() {
        assert!(asks_for_value("Which EDR product is deployed?"));
        assert!(asks_for_value(
            "Name the firm that ran your last penetration test."
        ));
        assert!(asks_for_value("How long are backups retained?"));
        assert!(!asks_for_value("Do you deploy EDR on endpoints?"));
        // Form fields, not questions: a value, never a Yes (the matcher caps such candidates).
        assert!(is_value_field("vendor name"));
        assert!(is_value_field("solution provider contact email:"));
        assert!(is_value_field("product description"));
        assert!(is_value_field("country of company headquarters"));
        assert!(is_value_field("date of your most recent penetration test"));
        assert!(is_value_field("number of employees"));
        assert!(!is_value_field(
            "number of failed logins is limited to five"
        ));
        assert!(!is_value_field(
            "date of your most recent penetration test?"
        ));
        assert!(!is_value_field("do you publish a vendor name?"));
        assert!(is_value_field("edr product deployed on company laptops"));
        assert!(is_value_field(
            "sast tool in use (semgrep, codeql, checkmarx, etc.)"
        ));
        assert!(is_value_field("hosting provider"));
        assert!(!is_value_field(
            "annual review of hosting provider soc 2 report"
        ));
        assert!(!is_value_field("do you use a third-party vendor"));
        assert!(!is_value_field("product"));
        assert!(!is_value_field(
            "is there a documented process for changing an account name in every system"
        ));
        assert!(!asks_for_value("Describe your backup process."));
        assert_eq!(class("Yes (ISO/IEC 27001:2022)"), Some(Class::Yes));
        assert_eq!(class("35 days"), None);
        assert_eq!(class("No material changes since period end"), None);
        assert_eq!(class("No, not in scope"), Some(Class::No));
        assert_eq!(class("N/A - no card data"), Some(Class::NotApplicable));
    }

    #[test]
    fn clean_up_strips_ids_numbering_html_and_markers() {
        assert_eq!(
            clean_question("A&A-01.1 Are audit policies documented?"),
            "Are audit policies documented?"
        );
        assert_eq!(
            clean_question("HLAP-03: Do you support SSO?"),
            "Do you support SSO?"
        );
        assert_eq!(
            clean_question("1.2.3 Do you encrypt backups?"),
            "Do you encrypt backups?"
        );
        assert_eq!(
            clean_question("Q12. Describe your SDLC"),
            "Describe your SDLC"
        );
        assert_eq!(
            clean_question("<b>Do you</b> log&nbsp;access?*"),
            "Do you log access?"
        );
        // Numbers that are part of the question stay.
        assert_eq!(
            clean_question("72 hours notification?"),
            "72 hours notification?"
        );
        assert_eq!(
            clean_question("SOC 2 Type II report"),
            "SOC 2 Type II report"
        );
    }

    #[test]
    fn framework_boilerplate_is_stripped_but_two_verbs_stay() {
        assert_eq!(
            clean_question(
                "Are cryptography policies and procedures established, documented, approved, communicated, applied, evaluated, and maintained?"
            ),
            "Are cryptography policies and procedures ?"
        );
        assert_eq!(
            clean_question(
                "Are processes, procedures, and technical measures defined, implemented, and evaluated to ensure unique user IDs?"
            ),
            "Are policies to ensure unique user IDs?"
        );
        assert_eq!(
            clean_question("Are policies reviewed and updated at least annually?"),
            "Are policies reviewed and updated at least annually?"
        );
    }
}

/// A prompt for anything else the vendor wants to add, not a question a library answers ("Is
/// there anything else you would like us to know about …?", "Provide any additional information",
/// "Other comments"). Matched alone or read with its section, such a row meets the entry of its
/// topic; it is never drafted.
pub fn is_open_prompt(question: &str) -> bool {
    use std::sync::LazyLock;
    static PROMPT: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"(?ix)
            \b(anything|something)\s+(else|more|further)\b
            | \b(any|other)\s+(additional|further|other)\s+(information|comments?|details|notes|remarks|context)\b
            | ^\W*(please\s+)?(provide|add|include|share|list|enter)\s+(any\s+)?(additional|other|further)\s+(information|comments?|details|notes|remarks|context)\b
            | ^\W*(additional|other|further|general)\s+(information|comments?|notes|remarks)\W*$
            | \bis\s+there\s+(any(thing)?|other)\b.{0,40}\b(would\s+like|wish|want)\s+to\s+(add|share|tell|mention|let)\b
            ",
        )
        .expect("regex")
    });
    PROMPT.is_match(question.trim())
}

/// Two sides of a scope that a reader tells apart at once: who (the workforce or the
/// customers), which machines (servers or endpoints), which direction (inbound or outbound),
/// which environment (production or corporate). An entry about one side never answers a
/// question about the other.
const SCOPES: [(&str, &[&str], &str, &[&str]); 4] = [
    (
        "the workforce",
        &[
            "employee",
            "employees",
            "staff",
            "workforce",
            "personnel",
            "contractors",
            "new hires",
        ],
        "customers",
        &[
            "customer",
            "customers",
            "client",
            "clients",
            "tenant",
            "tenants",
            "end user",
            "end users",
            "end-user",
            "end-users",
        ],
    ),
    (
        "servers",
        &["server", "servers"],
        "endpoints",
        &[
            "endpoint",
            "endpoints",
            "laptop",
            "laptops",
            "workstation",
            "workstations",
            "desktop",
            "desktops",
            "mobile device",
            "mobile devices",
            "client device",
            "client devices",
        ],
    ),
    (
        "inbound traffic or mail",
        &["inbound", "incoming", "ingress"],
        "outbound traffic or mail",
        &["outbound", "outgoing", "egress"],
    ),
    (
        "production",
        &["production"],
        "the corporate environment",
        &[
            "corporate network",
            "corporate environment",
            "office network",
            "corporate it",
        ],
    ),
];

/// Which side of each of [`SCOPES`] a text speaks of: `(scope index, side 0 or 1)` for each
/// scope where it names one side and not the other.
pub fn scope_sides(text: &str) -> Vec<(usize, usize)> {
    // One pattern per side of each scope, all searched in one pass: pattern 2i is scope i's
    // first side, 2i + 1 its second. A term is found as whole words, in any case.
    static SIDES: LazyLock<regex::RegexSet> = LazyLock::new(|| {
        regex::RegexSet::new(SCOPES.iter().flat_map(|(_, a, _, b)| {
            [a, b].map(|terms| {
                let alternatives: Vec<String> = terms.iter().map(|t| regex::escape(t)).collect();
                format!(r"(?i)\b(?:{})\b", alternatives.join("|"))
            })
        }))
        .expect("regex")
    });
    let found = SIDES.matches(text);
    (0..SCOPES.len())
        .filter_map(|i| match (found.matched(2 * i), found.matched(2 * i + 1)) {
            (true, false) => Some((i, 0)),
            (false, true) => Some((i, 1)),
            _ => None,
        })
        .collect()
}

/// [`scope_sides`] of a question, read from where its asker stands: in a questionnaire "we" and
/// "our" are the customer asking ("Can we set password rules for our users?", "our employees'
/// access"), so the people they own are customers, not the respondent's workforce. Entries are
/// written by the respondent, whose "our employees" is its workforce: they use [`scope_sides`].
pub fn question_scope_sides(question: &str) -> Vec<(usize, usize)> {
    static ASKERS_PEOPLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\b(?:our|we)\s+(?:own\s+)?(?:users?|employees?|staff|workforce|personnel|admins?|administrators?|people|members|team|teams)\b",
        )
        .expect("regex")
    });
    scope_sides(&ASKERS_PEOPLE.replace_all(question, "customer users"))
}

/// Where a question's scope and an entry's differ: the question speaks of one side of a scope
/// and the entry only of the other. The reviewer's note, said of the entry: "speaks of the
/// workforce only, but the question is about customers".
pub fn scope_clash(question: &[(usize, usize)], entry: &[(usize, usize)]) -> Option<String> {
    question.iter().find_map(|&(i, side)| {
        entry
            .iter()
            .find(|&&(j, other)| j == i && other != side)
            .map(|_| {
                let (a, _, b, _) = SCOPES[i];
                let (asked, spoken) = if side == 0 { (a, b) } else { (b, a) };
                format!("speaks of {spoken} only, but the question is about {asked}")
            })
    })
}

/// The words that name suppliers outright, in either direction ([`asks_about_suppliers`],
/// [`speaks_of_suppliers`]), as a regex alternation.
const SUPPLIER_WORDS: &str = r"suppliers?|sub-?processors?|sub-?contractors?|(?:third|fourth|3rd|4th)[- ]part(?:y|ies)|outsourc\w*";

/// Whether a question asks about the respondent's own suppliers rather than the respondent:
/// "Do you require your critical vendors to carry cyber insurance?", "Are sub-processors
/// assessed before onboarding?". Suppliers, sub-processors, subcontractors, third or fourth
/// parties and outsourcing are named outright; vendors only as someone's ("your vendors",
/// "critical vendors"), because questionnaires call the respondent itself "the vendor".
pub fn asks_about_suppliers(question: &str) -> bool {
    static SUPPLIERS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            &format!(
                r"(?i)\b(?:{SUPPLIER_WORDS}|(?:(?:your|its|their|our)(?: own)?|critical|key|external|third-party|all|other) vendors)\b"
            ),
        )
        .expect("regex")
    });
    SUPPLIERS.is_match(question)
}

/// Whether an entry speaks of suppliers at all ([`asks_about_suppliers`]; any vendor or
/// provider counts here, so that only an entry silent on them is held back).
pub fn speaks_of_suppliers(text: &str) -> bool {
    static ANY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"(?i)\b(?:{SUPPLIER_WORDS}|vendors?|providers?|partners?|TPRM|VRM)\b"
        ))
        .expect("regex")
    });
    ANY.is_match(text)
}

/// Values of one kind that a reader tells apart by one word: a remediation deadline for
/// high-severity findings does not answer the question about medium ones, a SOC 2 Type II report
/// is not a Type I report, nor a SOC 1 report, and conforming to WCAG 2.1 is not conforming to
/// 2.2. `(kind, value)` for each value a text names; see [`alternative_clash`].
pub fn alternatives(text: &str) -> Vec<(&'static str, String)> {
    static SEVERITY_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(severity|severities|vulnerabilit|cvss|findings?\b|patch)")
            .expect("regex")
    });
    static SEVERITY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(critical|high|medium|moderate|low)\b").expect("regex")
    });
    static SOC: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\bsoc ?([123])\b").expect("regex"));
    // The attestation standards a SOC 1 report is issued under, as questionnaires name it
    // ("a SSAE 18/SOC 2 audit" asks for either report).
    static SOC1_STANDARD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b(ssae ?1[68]|isae ?3402)\b").expect("regex"));
    static SOC_TYPE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\btype ?(ii|2|i|1)\b").expect("regex"));
    // Editions of a standard a product or a company conforms to. Protocol versions (TLS) are
    // left out: "is TLS 1.0 disabled?" is answered by an entry naming only 1.2 and 1.3.
    static EDITION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\b(wcag|pci[ -]dss|cvss|nist csf|csf|cmmc)\s*(?:v|version\s*)?(\d+(?:\.\d+)*)((?:\s*(?:,|and|or|/)\s*v?\d+(?:\.\d+)+)*)(\s*(?:\+|or (?:higher|later|above|newer)|and (?:higher|later|above)))?",
        )
        .expect("regex")
    });
    let mut found: Vec<(&'static str, String)> = Vec::new();
    let mut add = |kind: &'static str, value: String| {
        if !found.iter().any(|(k, v)| *k == kind && *v == value) {
            found.push((kind, value));
        }
    };
    if SEVERITY_CONTEXT.is_match(text) {
        for m in SEVERITY.captures_iter(text) {
            let level = m[1].to_lowercase();
            add(
                "severity",
                if level == "moderate" {
                    "medium".into()
                } else {
                    level
                },
            );
        }
    }
    for m in SOC.captures_iter(text) {
        add("SOC report", format!("SOC {}", &m[1]));
    }
    if SOC1_STANDARD.is_match(text) {
        add("SOC report", "SOC 1".to_string());
    }
    if SOC.is_match(text) {
        for m in SOC_TYPE.captures_iter(text) {
            let t = match m[1].to_lowercase().as_str() {
                "i" | "1" => "Type I",
                _ => "Type II",
            };
            add("SOC report type", t.to_string());
        }
    }
    for m in EDITION.captures_iter(text) {
        let name = match m[1].to_lowercase().replace('-', " ").as_str() {
            "pci dss" => "PCI DSS",
            "cvss" => "CVSS",
            "csf" | "nist csf" => "NIST CSF",
            "cmmc" => "CMMC",
            _ => "WCAG",
        };
        let or_later = if m.get(4).is_some() { "+" } else { "" };
        let more = m.get(3).map_or("", |x| x.as_str());
        for v in std::iter::once(&m[2]).chain(
            more.split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .filter(|v| !v.is_empty()),
        ) {
            add(name, format!("{v}{or_later}"));
        }
    }
    found
}

/// Where a question and an entry name different values of one kind and the entry none of the
/// question's: "speaks of high severity only, but the question is about medium severity". A
/// question naming several values ("Type I or Type II?") is covered by an entry naming any
/// one of them; an edition "or later" covers every later one.
pub fn alternative_clash(
    question: &[(&'static str, String)],
    entry: &[(&'static str, String)],
) -> Option<String> {
    let edition = |v: &str| -> Vec<u32> {
        v.trim_end_matches('+')
            .split('.')
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    let covers = |spoken: &str, asked: &str| {
        spoken.trim_end_matches('+') == asked.trim_end_matches('+')
            || (spoken.ends_with('+') && edition(spoken) <= edition(asked))
            || (asked.ends_with('+') && edition(spoken) >= edition(asked))
    };
    // Each kind once, in the order the question names them.
    let mut kinds: Vec<&str> = Vec::new();
    for (k, _) in question {
        if !kinds.contains(k) {
            kinds.push(k);
        }
    }
    kinds.into_iter().find_map(|kind| {
        let of = |values: &[(&'static str, String)]| -> Vec<String> {
            values
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let (asked, spoken) = (of(question), of(entry));
        let clash =
            !spoken.is_empty() && !asked.iter().any(|a| spoken.iter().any(|s| covers(s, a)));
        clash.then(|| {
            // "critical, high and medium severity"; "Type I or Type II"; "WCAG 2.1".
            let list = |values: &[String], last: &str| -> String {
                let values: Vec<&str> = values.iter().map(|v| v.trim_end_matches('+')).collect();
                let joined = match values.split_last() {
                    Some((end, [])) => end.to_string(),
                    Some((end, rest)) => format!("{} {last} {end}", rest.join(", ")),
                    None => String::new(),
                };
                match kind {
                    "severity" => format!("{joined} severity"),
                    "SOC report" | "SOC report type" => joined,
                    _ => format!("{kind} {joined}"),
                }
            };
            format!(
                "speaks of {} only, but the question is about {}",
                list(&spoken, "and"),
                list(&asked, "or")
            )
        })
    })
}

#[cfg(test)]
mod scope_tests {
    use super::*;

    #[test]
    fn alternatives_of_one_kind_clash_only_when_the_entry_names_none_asked() {
        let clash = |q: &str, e: &str| alternative_clash(&alternatives(q), &alternatives(e));
        for (question, entry, why) in [
            (
                "Medium-severity vulnerability remediation SLA",
                "High-severity vulnerabilities are remediated within 30 days.",
                "speaks of high severity only, but the question is about medium severity",
            ),
            (
                "Remediation time for low severity findings?",
                "7 days for critical, 30 for high, 90 for moderate vulnerabilities.",
                "speaks of critical, high and medium severity only, but the question is about low severity",
            ),
            (
                "Do you have a SOC 2 Type I report?",
                "Our SOC 2 Type II report covers security.",
                "speaks of Type II only, but the question is about Type I",
            ),
            (
                "WCAG 2.2 AA conformance",
                "The portal conforms to WCAG 2.1 AA.",
                "speaks of WCAG 2.1 only, but the question is about WCAG 2.2",
            ),
        ] {
            assert_eq!(clash(question, entry).as_deref(), Some(why), "{question}");
        }
        for (question, entry) in [
            (
                "Do you have a SOC 3 report?",
                "We hold a SOC 2 Type II report.",
            ),
            (
                "Do you have a SOC 2 report?",
                "An ISAE 3402 Type II report.",
            ),
            (
                "PCI DSS 4.0 compliance?",
                "Our PCI DSS 3.2.1 AOC is current.",
            ),
        ] {
            assert!(clash(question, entry).is_some(), "{question}");
        }
        for (question, entry) in [
            // The entry names the asked value among others; or names no value of the kind.
            (
                "Are high-severity findings fixed in 30 days?",
                "Critical and high vulnerabilities: 30 days.",
            ),
            (
                "Are medium vulnerabilities tracked?",
                "Every vulnerability is tracked.",
            ),
            // "High" outside talk of vulnerabilities is no severity.
            (
                "Do you offer high availability?",
                "Low-latency, medium-sized clusters.",
            ),
            // A question naming several values is covered by any one of them.
            (
                "Is your SOC 2 report Type I or Type II?",
                "We hold a SOC 2 Type 2 report.",
            ),
            ("SOC 1 report?", "SOC1 Type II, and SOC 2."),
            (
                "Have you undergone a SSAE 18/SOC 2 audit?",
                "Our SOC 1 report.",
            ),
            // An edition "or later" covers the later ones, on either side.
            (
                "WCAG 2.2 AA conformance",
                "We meet WCAG 2.1 or later at level AA.",
            ),
            ("Do you meet WCAG 2.0 or higher?", "We meet WCAG 2.1 AA."),
            (
                "PCI DSS 4.0 compliance?",
                "Assessed against PCI DSS v3.2.1 and 4.0.",
            ),
            // Protocol versions are not editions: "TLS 1.0 disabled?" against "TLS 1.2 and 1.3".
            ("Is TLS 1.0 disabled?", "Only TLS 1.2 and 1.3 are accepted."),
        ] {
            assert!(clash(question, entry).is_none(), "{question}");
        }
    }

    #[test]
    fn open_prompts_are_told_from_questions() {
        for prompt in [
            "Is there anything else you would like us to know about your security program?",
            "Provide any additional information.",
            "Please provide any additional information about encryption:",
            "Other comments",
            "Additional Information",
            "Is there any other information you wish to share?",
        ] {
            assert!(is_open_prompt(prompt), "{prompt}");
        }
        for question in [
            "Do you encrypt data at rest?",
            "Provide your SOC 2 Type II report.",
            "Is additional authentication required for administrators?",
            "Do you collect any information about end users' devices?",
        ] {
            assert!(!is_open_prompt(question), "{question}");
        }
    }

    #[test]
    fn scopes_clash_only_when_the_entry_names_the_other_side_alone() {
        let q = scope_sides("Is MFA required for all employees?");
        assert_eq!(
            scope_clash(
                &q,
                &scope_sides("Do you offer MFA to customers? SAML and TOTP.")
            ),
            Some("speaks of customers only, but the question is about the workforce".into())
        );
        // The entry names both sides, or neither: no clash.
        assert_eq!(
            scope_clash(
                &q,
                &scope_sides("MFA is enforced for staff and available to customers.")
            ),
            None
        );
        assert_eq!(
            scope_clash(&q, &scope_sides("MFA is enforced everywhere.")),
            None
        );
        let q = scope_sides("Are laptops hardened against a baseline?");
        assert!(scope_clash(&q, &scope_sides("Servers follow CIS benchmarks.")).is_some());
        let q = scope_sides("Do you scan inbound email for malware?");
        assert!(scope_clash(&q, &scope_sides("Outbound mail is signed with DKIM.")).is_some());
        // Words inside other words do not count ("served" is no server).
        assert!(scope_sides("Requests are served over TLS.").is_empty());
    }

    /// A questionnaire's "we" and "our" are the customer asking: the people it owns are
    /// customers; an entry's "our employees" are the respondent's workforce.
    #[test]
    fn a_question_speaks_from_where_its_asker_stands() {
        let entry = scope_sides("Our employees sign in through Okta with SSO.");
        assert_eq!(entry, [(0, 0)]);
        for question in [
            "Can our employees sign in to your product with SSO?",
            "Can we enforce MFA for our own users?",
            "Will our staff need separate accounts?",
        ] {
            let q = question_scope_sides(question);
            assert_eq!(q, [(0, 1)], "{question}");
            assert_eq!(
                scope_clash(&q, &entry).as_deref(),
                Some("speaks of the workforce only, but the question is about customers"),
                "{question}"
            );
        }
        // The respondent's own people stay its workforce.
        assert_eq!(question_scope_sides("Do your employees use SSO?"), [(0, 0)]);
        assert_eq!(question_scope_sides("Is MFA enforced for staff?"), [(0, 0)]);
    }

    /// Placeholders of blank templates are not answers; answers that look a little like
    /// them are.
    #[test]
    fn template_placeholders_are_told_from_answers() {
        for (value, label) in [
            ("Vendor Name", "Vendor Name:"),
            ("mm/dd/yyyy", "Date"),
            ("MM-DD-YYYY", ""),
            ("555-555-5555", "Contact Phone Number"),
            ("(555) 555-1234", ""),
            ("xxx-xxx-xxxx", ""),
            ("See Instructions tab for guidance", "Solution Description"),
            ("Refer to the Guidance sheet", ""),
            ("Enter vendor name here", ""),
            ("[Insert date]", ""),
            ("<Company>", ""),
            ("Click or tap here to enter text.", ""),
            ("Choose an item.", ""),
            ("Please select", ""),
            ("-- Select one --", ""),
            ("Select...", ""),
        ] {
            assert!(is_placeholder(value, label), "{value:?} under {label:?}");
        }
        for (value, label) in [
            ("Acme Corp", "Vendor Name"),
            ("2026-05-01", "Date"),
            ("+1 415 555 0100", "Contact Phone Number"),
            ("Yes", "Do you encrypt data?"),
            ("See our SOC 2 report, section 4", "Audits"),
            ("Within 24 hours", ""),
            ("Selected vendors only", ""),
            ("", "Vendor Name"),
        ] {
            assert!(!is_placeholder(value, label), "{value:?} under {label:?}");
        }
    }

    #[test]
    fn a_question_about_the_respondents_suppliers_is_told_from_one_about_the_respondent() {
        for q in [
            "Do you require your critical vendors to carry cyber insurance?",
            "Will you require your own vendors to carry cyber insurance?",
            "Are sub-processors assessed before they receive customer data?",
            "Have you signed BAAs with all subcontractors who may access PHI?",
            "Do third parties have access to production systems?",
            "Is any part of the service outsourced?",
        ] {
            assert!(asks_about_suppliers(q), "{q}");
        }
        for q in [
            // The vendor is the respondent.
            "Does the vendor carry cyber insurance?",
            "Describe the vendor's incident response plan.",
            "Is data encrypted at rest?",
        ] {
            assert!(!asks_about_suppliers(q), "{q}");
        }
        assert!(speaks_of_suppliers(
            "Critical vendors must hold cyber cover of at least $5M."
        ));
        assert!(speaks_of_suppliers(
            "Our TPRM program reviews each provider yearly."
        ));
        assert!(!speaks_of_suppliers(
            "We hold a $10M cyber insurance policy with Beazley."
        ));
    }

    #[test]
    fn an_acronym_spelled_letter_by_letter_is_one_term() {
        assert_eq!(join_spelled_acronyms("D-U-N-S number"), "DUNS number");
        assert_eq!(
            join_spelled_acronyms("Based in the U.S.A.?"),
            "Based in the USA?"
        );
        for kept in [
            "e.g. laptops",
            "i.e. servers",
            "a-b testing",
            "Wi-Fi",
            "SOC-2",
            "v1.2.3",
        ] {
            assert_eq!(join_spelled_acronyms(kept), kept);
        }
        let mut english = english();
        let joined = terms(&mut english, "DUNS number");
        assert_eq!(joined.len(), 2);
        assert_eq!(terms(&mut english, "D-U-N-S number"), joined);
    }
}
