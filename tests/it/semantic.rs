//! Semantic matching: the sentence encoder, the model commands and the vectors in the index.
//!
//! Default tests use a tiny BERT generated here (random weights, a small WordPiece vocabulary):
//! they check loading, pooling, caching, the index stamp and errors, not meaning. The ignored
//! test checks meaning against the real all-MiniLM-L6-v2, from the folder in
//! `TRUSTFILL_TEST_MODEL` (see README "Semantic matching").

use std::path::PathBuf;

use trustfill::encoder::{Embedder, Encoder, Role, cosine};

/// The published similarities of all-MiniLM-L6-v2 (sentence-transformers' documentation):
/// "The weather is lovely today." against "It's so sunny outside!" and "He drove to the
/// stadium.", and the last two against each other.
#[test]
#[ignore = "needs the all-MiniLM-L6-v2 folder in TRUSTFILL_TEST_MODEL"]
fn all_minilm_reproduces_the_published_similarities() {
    let dir = PathBuf::from(
        std::env::var_os("TRUSTFILL_TEST_MODEL").expect("TRUSTFILL_TEST_MODEL names the folder"),
    );
    let encoder = Encoder::load(&dir).unwrap();
    assert_eq!(encoder.dim(), 384);
    let v = encoder
        .embed(
            &[
                "The weather is lovely today.",
                "It's so sunny outside!",
                "He drove to the stadium.",
            ],
            Role::Query,
        )
        .unwrap();
    let round = |x: f32| (x * 1000.0).round() / 1000.0;
    assert_eq!(round(cosine(&v[0], &v[1])), 0.666);
    assert_eq!(round(cosine(&v[0], &v[2])), 0.105);
    assert_eq!(round(cosine(&v[1], &v[2])), 0.141);
    // Normalised, as modules.json asks.
    let norm: f32 = v[0].iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    println!(
        "{:.4} {:.4} {:.4}",
        cosine(&v[0], &v[1]),
        cosine(&v[0], &v[2]),
        cosine(&v[1], &v[2])
    );
}
