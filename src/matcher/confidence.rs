//! The confidence: a logistic model over a candidate's [`Signals`] (fitted on labeled questions,
//! see [`WEIGHTS`]), and how the [`Caveat`]s settle it ([`settle`]).

use serde::Serialize;

use super::caveat::{Caveat, EXACT_CONFIDENCE, POLARITY_CAP, QUALIFIER_CAP, STALE_PENALTY};
use super::{DEFAULT_MIN_CONFIDENCE, HIGH_CONFIDENCE, Signals};

/// Estimated chance, in percent, that a candidate answers the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Confidence(u8);

impl Confidence {
    pub fn new(percent: u8) -> Confidence {
        Confidence(percent.min(100))
    }

    pub fn percent(self) -> u8 {
        self.0
    }

    /// `high` (≥ [`HIGH_CONFIDENCE`]), `medium` (≥ [`DEFAULT_MIN_CONFIDENCE`], what `fill`
    /// drafts by default) or `low` (left for a person by default). The one set of band names
    /// and limits: `ask`, the `fill` summary and the review sheet's colours all use it.
    pub fn band(self) -> &'static str {
        match self.0 {
            HIGH_CONFIDENCE.. => "high",
            DEFAULT_MIN_CONFIDENCE.. => "medium",
            _ => "low",
        }
    }
}

impl std::fmt::Display for Confidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}%", self.0)
    }
}

/// How many [`features`] there are.
pub const N_FEATURES: usize = 14;

/// Names of the [`features`], in order; [`WEIGHTS`] has a bias and then one weight for each.
pub const FEATURES: [&str; N_FEATURES] = [
    "quality",
    "query_coverage",
    "entry_coverage",
    "comment_coverage",
    "bm25_ratio",
    "margin",
    "answer_mismatch",
    "uncovered",
    "value_for_yes_no",
    "words_ratio",
    "words_margin",
    "semantic",
    "semantic_z",
    "semantic_margin",
];

/// The inputs of the confidence model (margin scaled to about ±1, the z-score to about 0..1).
pub fn features(s: &Signals) -> [f32; N_FEATURES] {
    [
        s.quality,
        s.query_coverage,
        s.entry_coverage,
        s.comment_coverage,
        s.bm25_ratio,
        s.margin * 3.0,
        s.answer_mismatch,
        s.uncovered,
        s.value_for_yes_no,
        s.words_ratio,
        s.words_margin,
        s.semantic,
        (s.semantic_z / 5.0).clamp(-1.0, 2.0),
        s.semantic_margin * 5.0,
    ]
}

/// Logistic-regression weights (bias first, then [`FEATURES`]). Fitted on cold data only: the
/// tuning halves (even rows) of the three labeled sets, `fixtures/eval/shipped-kb-labels.csv`,
/// `fixtures/eval/company-b/labels.csv` and `fixtures/eval/real-questionnaires.csv` (real
/// questions, read from `../shared/questionnaires`), each against its library imported without
/// variants, as a team's first library is (a grown library with variants drafts more, and a
/// fit on it promised more than cold libraries kept). Validated by leaving one library out
/// (`--leave-out`); reported on libraries nobody tuned on (`fixtures/eval/cold/`, GUIDE.md).
/// Re-fit with `cargo run --release --example fit_confidence -- --cold-only` and paste its
/// output here.
pub const WEIGHTS: [f32; N_FEATURES + 1] = [
    -1.303, 0.179, 0.000, 0.000, 1.109, 1.807, 1.648, -1.373, -2.363, -0.194, -0.722, 0.271, 0.000,
    0.000, 0.000,
];

/// The same with a model: fitted on the same cold questions with the semantic features, so that
/// each mode is calibrated on its own (`fit_confidence -- --cold-only --model DIR`).
pub const WEIGHTS_SEMANTIC: [f32; N_FEATURES + 1] = [
    -1.863, -1.537, 0.000, 0.000, 0.596, 0.895, 0.388, -1.848, -1.724, 0.129, -0.241, 0.192, 2.939,
    1.286, 0.454,
];

/// The estimated chance that the candidate answers the question: σ(bias + w·features).
pub fn confidence(s: &Signals) -> Confidence {
    confidence_with(&WEIGHTS, s, false)
}

/// [`confidence`] under given weights (`examples/fit_confidence` orders candidates with the
/// weights it is fitting). A candidate whose question seems asked the other way round, or is
/// not a question on its own (`capped`), is halved and never above [`POLARITY_CAP`].
pub fn confidence_with(weights: &[f32; N_FEATURES + 1], s: &Signals, capped: bool) -> Confidence {
    let z = weights[0]
        + features(s)
            .iter()
            .zip(&weights[1..])
            .map(|(x, w)| x * w)
            .sum::<f32>();
    let p = 1.0 / (1.0 + (-z).exp());
    let percent = (p * 100.0).round().clamp(0.0, 100.0) as u8;
    Confidence(if capped {
        (percent / 2).min(POLARITY_CAP)
    } else {
        percent
    })
}

/// The confidence shown: the model's, settled by the caveats in the order [`Caveat`] documents
/// (exact reuse, caps, what the entry does not cover, staleness, withholding), whatever order
/// they were found in.
pub fn settle(model: Confidence, caveats: &[Caveat]) -> Confidence {
    let any = |f: fn(&Caveat) -> bool| caveats.iter().any(f);
    let exact = any(|c| matches!(c, Caveat::Reuse(super::Reuse::Exact { .. })));
    let mut p = if exact {
        EXACT_CONFIDENCE
    } else {
        model.percent()
    };
    if !exact && any(|c| matches!(c, Caveat::Polarity(_) | Caveat::Incomplete(_))) {
        p = (p / 2).min(POLARITY_CAP);
    }
    if !exact && any(Caveat::narrows) {
        p = p.min(QUALIFIER_CAP);
    }
    if any(|c| matches!(c, Caveat::Stale(_))) {
        p = p.saturating_sub(STALE_PENALTY);
    }
    if any(|c| matches!(c, Caveat::Withheld(_))) {
        p = (p / 2).min(POLARITY_CAP);
    }
    Confidence(p)
}
