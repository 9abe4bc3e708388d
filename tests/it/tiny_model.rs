//! A tiny BERT sentence encoder generated for the tests: a real model folder as
//! sentence-transformers writes one (config.json, a WordPiece tokenizer.json, model.safetensors,
//! modules.json with Normalize, 1_Pooling/config.json), with 2 layers of width 32 and
//! deterministic pseudo-random weights. It embeds like any model, so loading, pooling,
//! caching, the index stamp and the audience rules can be tested, but its similarities mean
//! nothing.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;

use candle_core::{Device, Tensor};

/// Words the tokenizer knows; anything else is `[UNK]` or pieces of it.
const WORDS: &str = "a an the is are do does you your we our of to in on for with and or not no yes \
    data customer encrypted encryption encrypt rest transit backup backups key keys report soc audit \
    access review reviewed password mfa multi factor authentication employees staff laptop laptops \
    incident response plan network traffic protected policy vendor retention logging training \
    secret internal nda public have has at least annually quarterly how what which when who \
    describe please if so brief description weather lovely today sunny outside he drove stadium \
    query passage : test ##s ##ed ##ing";

const HIDDEN: usize = 32;
const LAYERS: usize = 2;
const HEADS: usize = 4;
const INTERMEDIATE: usize = 64;
const POSITIONS: usize = 64;

fn vocab() -> Vec<String> {
    let mut v: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.extend(WORDS.split_whitespace().map(str::to_string));
    v
}

fn tokenizer_json() -> String {
    let vocab: serde_json::Map<String, serde_json::Value> = vocab()
        .into_iter()
        .enumerate()
        .map(|(i, w)| (w, serde_json::json!(i)))
        .collect();
    let special = |id: u32, content: &str| {
        serde_json::json!({"id": id, "content": content, "single_word": false, "lstrip": false,
            "rstrip": false, "normalized": false, "special": true})
    };
    serde_json::json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": [special(0, "[PAD]"), special(1, "[UNK]"), special(2, "[CLS]"), special(3, "[SEP]"), special(4, "[MASK]")],
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": vocab}
    })
    .to_string()
}

/// Deterministic values in about ±`scale`, different for every tensor (`seed`) and weight set.
fn weights(shape: &[usize], seed: u64, scale: f32) -> Tensor {
    let n: usize = shape.iter().product();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let values: Vec<f32> = (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ((x >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 2.0 * scale
        })
        .collect();
    Tensor::from_vec(values, shape, &Device::Cpu).unwrap()
}

fn ones(n: usize) -> Tensor {
    Tensor::ones(n, candle_core::DType::F32, &Device::Cpu).unwrap()
}

fn zeros(n: usize) -> Tensor {
    Tensor::zeros(n, candle_core::DType::F32, &Device::Cpu).unwrap()
}

/// Write a tiny model folder into `dir`; `variant` changes every weight (another model).
pub fn write_tiny_model(dir: &Path, variant: u64) {
    std::fs::create_dir_all(dir.join("1_Pooling")).unwrap();
    let vocab_size = vocab().len();
    std::fs::write(
        dir.join("config.json"),
        serde_json::json!({
            "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
            "hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
            "intermediate_size": INTERMEDIATE, "max_position_embeddings": POSITIONS,
            "type_vocab_size": 2, "vocab_size": vocab_size, "layer_norm_eps": 1e-12,
            "pad_token_id": 0
        })
        .to_string(),
    )
    .unwrap();
    std::fs::write(dir.join("tokenizer.json"), tokenizer_json()).unwrap();
    std::fs::write(
        dir.join("modules.json"),
        r#"[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},{"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]"#,
    )
    .unwrap();
    set_pooling(dir, "mean");
    std::fs::write(
        dir.join("sentence_bert_config.json"),
        r#"{"max_seq_length": 48, "do_lower_case": false}"#,
    )
    .unwrap();
    let mut t: HashMap<String, Tensor> = HashMap::new();
    let mut seed = variant * 1000 + 1;
    let mut next = |shape: &[usize], scale: f32| {
        seed += 1;
        weights(shape, seed, scale)
    };
    t.insert(
        "embeddings.word_embeddings.weight".into(),
        next(&[vocab_size, HIDDEN], 1.0),
    );
    t.insert(
        "embeddings.position_embeddings.weight".into(),
        next(&[POSITIONS, HIDDEN], 0.1),
    );
    t.insert(
        "embeddings.token_type_embeddings.weight".into(),
        next(&[2, HIDDEN], 0.1),
    );
    t.insert("embeddings.LayerNorm.weight".into(), ones(HIDDEN));
    t.insert("embeddings.LayerNorm.bias".into(), zeros(HIDDEN));
    for l in 0..LAYERS {
        let p = format!("encoder.layer.{l}");
        for name in [
            "attention.self.query",
            "attention.self.key",
            "attention.self.value",
            "attention.output.dense",
        ] {
            t.insert(format!("{p}.{name}.weight"), next(&[HIDDEN, HIDDEN], 0.3));
            t.insert(format!("{p}.{name}.bias"), next(&[HIDDEN], 0.05));
        }
        t.insert(
            format!("{p}.intermediate.dense.weight"),
            next(&[INTERMEDIATE, HIDDEN], 0.3),
        );
        t.insert(
            format!("{p}.intermediate.dense.bias"),
            next(&[INTERMEDIATE], 0.05),
        );
        t.insert(
            format!("{p}.output.dense.weight"),
            next(&[HIDDEN, INTERMEDIATE], 0.3),
        );
        t.insert(format!("{p}.output.dense.bias"), next(&[HIDDEN], 0.05));
        for norm in ["attention.output.LayerNorm", "output.LayerNorm"] {
            t.insert(format!("{p}.{norm}.weight"), ones(HIDDEN));
            t.insert(format!("{p}.{norm}.bias"), zeros(HIDDEN));
        }
    }
    candle_core::safetensors::save(&t, dir.join("model.safetensors")).unwrap();
}

/// Set the pooling mode (`mean`, `cls`, `max` or `mean_sqrt_len`) of a model folder.
pub fn set_pooling(dir: &Path, mode: &str) {
    let flag = |m: &str| m == mode;
    std::fs::write(
        dir.join("1_Pooling/config.json"),
        serde_json::json!({
            "word_embedding_dimension": HIDDEN,
            "pooling_mode_cls_token": flag("cls"),
            "pooling_mode_mean_tokens": flag("mean"),
            "pooling_mode_max_tokens": flag("max"),
            "pooling_mode_mean_sqrt_len_tokens": flag("mean_sqrt_len")
        })
        .to_string(),
    )
    .unwrap();
}
