//! A BERT encoder: embeddings, `num_hidden_layers` transformer layers, the last hidden state out.
//! It is the part of Hugging Face's `BertModel` that sentence embeddings need (no pooler, no
//! heads, no dropout at inference). Written here rather than taken from `candle-transformers`,
//! whose hundreds of models would add about a minute to every clean build for the 200 lines used.
//!
//! Weights are read with candle's `VarBuilder`; the forward pass runs on plain `f32` rows with
//! `gemm` (the matrix kernels candle itself calls) and loops of our own, because at these sizes
//! candle's per-operation costs were a third of the time: a fresh zeroed tensor for every product
//! and sum, the bias and the residual added in passes of their own, each head split by a copy.
//! Here a dense layer writes its bias (and residual) first and the product adds onto it, the
//! attention reads each head of one fused query/key/value product in place through strides and
//! never looks at padding, and the element-wise loops are compiled for AVX2 and AVX-512 too,
//! picked when the CPU has them.

use candle_core::{Device, Result};
use candle_nn::VarBuilder;
use serde::Deserialize;

/// The keys of a BERT `config.json` this encoder uses; others are ignored.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    #[serde(default = "default_act")]
    pub hidden_act: Activation,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    #[serde(default)]
    pub model_type: Option<String>,
}

fn default_act() -> Activation {
    Activation::Gelu
}
fn default_type_vocab() -> usize {
    2
}
fn default_eps() -> f64 {
    1e-12
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// The exact GELU (with erf), as `transformers` computes "gelu".
    Gelu,
    #[serde(alias = "gelu_new", alias = "gelu_pytorch_tanh")]
    GeluApproximate,
    Relu,
}

impl Activation {
    fn apply(self, xs: &mut [f32]) {
        match self {
            Activation::Gelu => gelu_all(xs),
            Activation::GeluApproximate => gelu_tanh_all(xs),
            Activation::Relu => xs.iter_mut().for_each(|x| *x = x.max(0.0)),
        }
    }
}

/// Compiles a loop for AVX-512 and for AVX2+FMA besides the baseline, and runs the best the CPU
/// has. The three compute the same values: Rust never fuses a multiply and an add by itself, so
/// wider registers change the speed only.
macro_rules! simd {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$doc])*
        fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn generic($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                fn avx512($($arg: $ty),*) {
                    generic($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                fn avx2($($arg: $ty),*) {
                    generic($($arg),*)
                }
                if std::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU has the features `avx512` is compiled for.
                    return unsafe { avx512($($arg),*) };
                }
                if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                    // SAFETY: as above, for `avx2`.
                    return unsafe { avx2($($arg),*) };
                }
            }
            generic($($arg),*)
        }
    };
}

/// The exact GELU, `x·Φ(x)`, with an erf accurate to 1.5e-7 that the compiler can vectorize
/// (libm's scalar `erff`, which candle calls, was an eighth of the time per sentence).
#[inline(always)]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

simd! {
    fn gelu_all(xs: &mut [f32]) {
        for x in xs {
            *x = gelu(*x);
        }
    }
}

/// The tanh approximation of GELU (`gelu_new`, `gelu_pytorch_tanh`).
fn gelu_tanh_all(xs: &mut [f32]) {
    const C: f32 = 0.797_884_6; // sqrt(2/π)
    for x in xs {
        *x = 0.5 * *x * (1.0 + (C * (*x + 0.044_715 * *x * *x * *x)).tanh());
    }
}

/// Abramowitz and Stegun 7.1.26: absolute error below 1.5e-7, no branches.
#[inline(always)]
fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly = ((((1.061_405_4 * t - 1.453_152) * t + 1.421_413_8) * t - 0.284_496_74) * t
        + 0.254_829_6)
        * t;
    (1.0 - poly * exp_negative(-a * a)).copysign(x)
}

/// `e^x` for `x ≤ 0`, relative error about 2e-7: `2^n · e^r` with `|r| ≤ ln2/2` and a degree-6
/// polynomial. Rounding and the power of two come from the bits of `x·log2(e) + 1.5·2^23`, so
/// that the loop over a tensor has no branch and no library call and vectorizes.
#[inline(always)]
fn exp_negative(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    const ROUND: f32 = 12_582_912.0;
    let x = if x < -87.0 { -87.0 } else { x };
    let k = x * LOG2E + ROUND;
    let n = k - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let n = (k.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
    p * f32::from_bits(((n + 127) as u32) << 23)
}

/// Lanes of the accumulators below: sums and maxima kept in 16 lanes vectorize (one running
/// value would make each step wait for the last); the lanes are combined at the end.
const LANES: usize = 16;

/// The sum of `xs` over [`LANES`] lanes.
#[inline(always)]
fn lane_sum(xs: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    acc.iter().sum::<f32>() + rest.iter().sum::<f32>()
}

/// The largest of `xs` (at least `f32::MIN`) over [`LANES`] lanes.
#[inline(always)]
fn lane_max(xs: &[f32]) -> f32 {
    let mut acc = [f32::MIN; LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a = if x > *a { x } else { *a };
        }
    }
    acc.iter()
        .chain(rest)
        .fold(f32::MIN, |m, &x| if x > m { x } else { m })
}

simd! {
    /// Softmax of each `width`-long row of `rows` in place, after scaling by `scale`.
    fn softmax_rows(rows: &mut [f32], width: usize, scale: f32) {
        for row in rows.chunks_exact_mut(width) {
            row.iter_mut().for_each(|x| *x *= scale);
            let max = lane_max(row);
            row.iter_mut().for_each(|x| *x = exp_negative(*x - max));
            let inv = 1.0 / lane_sum(row);
            row.iter_mut().for_each(|x| *x *= inv);
        }
    }
}

/// A layer normalization's weight and bias.
struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
    eps: f32,
}

impl Norm {
    fn load(size: usize, eps: f64, vb: VarBuilder) -> Result<Norm> {
        Ok(Norm {
            weight: vb.get(size, "weight")?.to_vec1()?,
            bias: vb.get(size, "bias")?.to_vec1()?,
            eps: eps as f32,
        })
    }

    /// Every row of `xs` in place, computed as candle-nn's fused layer norm computes it
    /// (the variance as the mean square less the squared mean).
    fn apply(&self, xs: &mut [f32]) {
        norm_rows(xs, &self.weight, &self.bias, self.eps);
    }
}

simd! {
    fn norm_rows(xs: &mut [f32], weight: &[f32], bias: &[f32], eps: f32) {
        let width = weight.len();
        for row in xs.chunks_exact_mut(width) {
            let mean = lane_sum(row) / width as f32;
            let mut squares = [0.0f32; LANES];
            let chunks = row.chunks_exact(LANES);
            let rest: f32 = chunks.remainder().iter().map(|v| v * v).sum();
            for c in chunks {
                for (a, v) in squares.iter_mut().zip(c) {
                    *a += v * v;
                }
            }
            let sum2 = squares.iter().sum::<f32>() + rest;
            let inv_std = (sum2 / width as f32 - mean * mean + eps).sqrt().recip();
            for ((x, w), b) in row.iter_mut().zip(weight).zip(bias) {
                *x = (*x - mean) * inv_std * w + b;
            }
        }
    }
}

/// `dst (m × n) [+]= lhs (m × k) · rhs (k × n)`, each matrix given by its first element and its
/// row and column strides within the slice; `dst`'s columns are adjacent.
#[allow(clippy::too_many_arguments)]
fn matmul(
    (m, n, k): (usize, usize, usize),
    dst: &mut [f32],
    dst_rs: usize,
    accumulate: bool,
    lhs: &[f32],
    (lhs_rs, lhs_cs): (usize, usize),
    rhs: &[f32],
    (rhs_rs, rhs_cs): (usize, usize),
) {
    if m == 0 || n == 0 {
        return;
    }
    let last = |rs: usize, cs: usize, rows: usize, cols: usize| (rows - 1) * rs + (cols - 1) * cs;
    assert!(last(dst_rs, 1, m, n) < dst.len(), "matmul: dst too short");
    if k > 0 {
        assert!(
            last(lhs_rs, lhs_cs, m, k) < lhs.len(),
            "matmul: lhs too short"
        );
        assert!(
            last(rhs_rs, rhs_cs, k, n) < rhs.len(),
            "matmul: rhs too short"
        );
    }
    // SAFETY: the asserts above keep every element gemm reads or writes inside the slices, and
    // `dst` is borrowed mutably, so it overlaps neither operand.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            dst_rs as isize,
            accumulate,
            lhs.as_ptr(),
            lhs_cs as isize,
            lhs_rs as isize,
            rhs.as_ptr(),
            rhs_cs as isize,
            rhs_rs as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// A dense layer with its weight stored transposed, `(in, out)`, so that every product reads it
/// in the order the matrix kernel wants.
struct Linear {
    weight: Vec<f32>,
    bias: Vec<f32>,
    input: usize,
    output: usize,
    /// The weight in bfloat16 for the AMX kernel, when asked for and the CPU has it.
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    tiles: Option<super::amx::Packed>,
}

fn linear(input: usize, output: usize, vb: VarBuilder) -> Result<Linear> {
    Ok(Linear {
        weight: vb
            .get((output, input), "weight")?
            .t()?
            .contiguous()?
            .flatten_all()?
            .to_vec1()?,
        bias: vb.get(output, "bias")?.to_vec1()?,
        input,
        output,
        #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
        tiles: None,
    })
}

impl Linear {
    /// `out = xs·W + b (+ residual)` over the rows of `xs`: the bias (and residual) is written
    /// first and the product added onto it.
    fn forward(&self, xs: &[f32], residual: Option<&[f32]>, out: &mut Vec<f32>) {
        let rows = xs.len() / self.input;
        out.clear();
        match residual {
            None => (0..rows).for_each(|_| out.extend_from_slice(&self.bias)),
            Some(r) => {
                for row in r.chunks_exact(self.output) {
                    out.extend(row.iter().zip(&self.bias).map(|(x, b)| b + x));
                }
            }
        }
        #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
        if let Some(tiles) = &self.tiles {
            return super::amx::add_product(xs, tiles, out);
        }
        matmul(
            (rows, self.output, self.input),
            out,
            self.output,
            true,
            xs,
            (self.input, 1),
            &self.weight,
            (self.output, 1),
        );
    }

    /// Several layers over the same input side by side, as one.
    fn side_by_side(parts: &[Linear]) -> Linear {
        let input = parts[0].input;
        let output = parts.iter().map(|p| p.output).sum();
        let mut weight = Vec::with_capacity(input * output);
        for row in 0..input {
            for p in parts {
                weight.extend_from_slice(&p.weight[row * p.output..(row + 1) * p.output]);
            }
        }
        let bias = parts.iter().flat_map(|p| p.bias.iter().copied()).collect();
        Linear {
            weight,
            bias,
            input,
            output,
            #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
            tiles: None,
        }
    }

    /// Run the products on AMX tiles in bfloat16 from now on, if the CPU can and the sizes fit.
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    fn use_tiles(mut self, bf16: bool) -> Linear {
        if bf16 && super::amx::available() {
            self.tiles = super::amx::Packed::new(&self.weight, self.input, self.output);
            if self.tiles.is_some() {
                // Only the tiles are read from now on.
                self.weight = Vec::new();
            }
        }
        self
    }

    /// No AMX outside x86-64 Linux: the `f32` products.
    #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
    fn use_tiles(self, _bf16: bool) -> Linear {
        self
    }
}

struct Embeddings {
    words: Vec<f32>,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    vocab: usize,
    max_positions: usize,
    norm: Norm,
}

impl Embeddings {
    fn load(vb: VarBuilder, c: &Config) -> Result<Self> {
        let table = |rows: usize, name: &str| -> Result<Vec<f32>> {
            vb.pp(name)
                .get((rows, c.hidden_size), "weight")?
                .flatten_all()?
                .to_vec1()
        };
        let token_types = table(c.type_vocab_size, "token_type_embeddings")?;
        Ok(Embeddings {
            words: table(c.vocab_size, "word_embeddings")?,
            positions: table(c.max_position_embeddings, "position_embeddings")?,
            // Every text is one segment: type 0.
            token_type: token_types[..c.hidden_size].to_vec(),
            vocab: c.vocab_size,
            max_positions: c.max_position_embeddings,
            norm: Norm::load(c.hidden_size, c.layer_norm_eps, vb.pp("LayerNorm"))?,
        })
    }

    /// `(word + token type) + position` for every token of the texts, one row each, normed.
    fn forward(&self, texts: &[&[u32]], out: &mut Vec<f32>) -> Result<()> {
        let h = self.token_type.len();
        out.clear();
        for text in texts {
            if text.len() > self.max_positions {
                candle_core::bail!(
                    "a text of {} tokens is longer than the model's positions",
                    text.len()
                );
            }
            for (p, &id) in text.iter().enumerate() {
                let id = id as usize;
                if id >= self.vocab {
                    candle_core::bail!("token id {id} is outside the model's vocabulary");
                }
                let word = &self.words[id * h..(id + 1) * h];
                let position = &self.positions[p * h..(p + 1) * h];
                out.extend(
                    word.iter()
                        .zip(&self.token_type)
                        .zip(position)
                        .map(|((w, t), p)| (w + t) + p),
                );
            }
        }
        self.norm.apply(out);
        Ok(())
    }
}

struct Layer {
    /// The query, key and value projections side by side, `(hidden, 3·hidden)`.
    qkv: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    intermediate: Linear,
    output: Linear,
    output_norm: Norm,
    heads: usize,
    head_size: usize,
    act: Activation,
}

/// Buffers one batch's pass reuses from layer to layer.
#[derive(Default)]
struct Scratch {
    qkv: Vec<f32>,
    scores: Vec<f32>,
    context: Vec<f32>,
    attended: Vec<f32>,
    inner: Vec<f32>,
}

impl Layer {
    fn load(vb: VarBuilder, c: &Config, bf16: bool) -> Result<Self> {
        let h = c.hidden_size;
        let attn = vb.pp("attention");
        let parts = ["query", "key", "value"]
            .iter()
            .map(|name| linear(h, h, attn.pp("self").pp(name)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Layer {
            qkv: Linear::side_by_side(&parts).use_tiles(bf16),
            attention_out: linear(h, h, attn.pp("output").pp("dense"))?.use_tiles(bf16),
            attention_norm: Norm::load(h, c.layer_norm_eps, attn.pp("output").pp("LayerNorm"))?,
            intermediate: linear(h, c.intermediate_size, vb.pp("intermediate").pp("dense"))?
                .use_tiles(bf16),
            output: linear(c.intermediate_size, h, vb.pp("output").pp("dense"))?.use_tiles(bf16),
            output_norm: Norm::load(h, c.layer_norm_eps, vb.pp("output").pp("LayerNorm"))?,
            heads: c.num_attention_heads,
            head_size: h / c.num_attention_heads,
            act: c.hidden_act,
        })
    }

    /// `xs`, one row per token of the texts one after another, through the layer in place.
    /// `lengths` are the texts' token counts: a token attends to its own text's tokens only.
    fn forward(&self, xs: &mut Vec<f32>, lengths: &[usize], s: &mut Scratch) {
        let hidden = self.heads * self.head_size;
        let width = 3 * hidden;
        self.qkv.forward(xs, None, &mut s.qkv);
        s.context.clear();
        s.context.resize(xs.len(), 0.0);
        let scale = 1.0 / (self.head_size as f32).sqrt();
        let mut start = 0;
        for &t in lengths {
            let base = start * width;
            for head in 0..self.heads {
                let q = base + head * self.head_size;
                let k = q + hidden;
                let v = k + hidden;
                s.scores.clear();
                s.scores.resize(t * t, 0.0);
                // scores (t × t) = q (t × head) · kᵀ (head × t)
                matmul(
                    (t, t, self.head_size),
                    &mut s.scores,
                    t,
                    false,
                    &s.qkv[q..],
                    (width, 1),
                    &s.qkv[k..],
                    (1, width),
                );
                softmax_rows(&mut s.scores, t, scale);
                // context (t × head) = probabilities (t × t) · v (t × head)
                let c = start * hidden + head * self.head_size;
                matmul(
                    (t, self.head_size, t),
                    &mut s.context[c..],
                    hidden,
                    false,
                    &s.scores,
                    (t, 1),
                    &s.qkv[v..],
                    (width, 1),
                );
            }
            start += t;
        }
        self.attention_out
            .forward(&s.context, Some(xs), &mut s.attended);
        self.attention_norm.apply(&mut s.attended);
        self.intermediate.forward(&s.attended, None, &mut s.inner);
        self.act.apply(&mut s.inner);
        self.output.forward(&s.inner, Some(&s.attended), xs);
        self.output_norm.apply(xs);
    }
}

pub struct Bert {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    hidden: usize,
}

impl Bert {
    /// Weights named as `transformers` saves a `BertModel` (`embeddings.…`, `encoder.layer.N.…`),
    /// with or without a leading `bert.` (as a `BertForMaskedLM` checkpoint has them).
    /// `bf16`: run the dense layers' products in bfloat16 on AMX tiles where the CPU has them.
    pub fn load(vb: VarBuilder, c: &Config, bf16: bool) -> Result<Bert> {
        let vb = if vb.contains_tensor("embeddings.word_embeddings.weight") {
            vb
        } else {
            vb.pp("bert")
        };
        let embeddings = Embeddings::load(vb.pp("embeddings"), c)?;
        let layers = (0..c.num_hidden_layers)
            .map(|i| Layer::load(vb.pp("encoder").pp("layer").pp(i), c, bf16))
            .collect::<Result<Vec<_>>>()?;
        Ok(Bert {
            embeddings,
            layers,
            hidden: c.hidden_size,
        })
    }

    /// The last hidden state of each text: one row of `hidden` numbers per token, the texts'
    /// rows one after another. No padding: each text costs its own tokens.
    pub fn forward(&self, texts: &[&[u32]]) -> Result<Vec<f32>> {
        let lengths: Vec<usize> = texts.iter().map(|t| t.len()).collect();
        let mut xs = Vec::new();
        self.embeddings.forward(texts, &mut xs)?;
        let mut scratch = Scratch::default();
        for layer in &self.layers {
            layer.forward(&mut xs, &lengths, &mut scratch);
        }
        Ok(xs)
    }

    pub fn hidden(&self) -> usize {
        self.hidden
    }
}

/// The device inference runs on: the CPU (trustfill ships no GPU kernels).
pub fn device() -> Device {
    Device::Cpu
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Tensor;

    /// The fast GELU against the exact one (erf from libm, as candle computes it).
    #[test]
    fn gelu_matches_the_exact_one() {
        let mut worst = 0.0f32;
        for i in -4000..=4000 {
            let x = i as f32 / 500.0;
            let exact = 0.5 * x * (1.0 + libm_erf(x * std::f32::consts::FRAC_1_SQRT_2));
            worst = worst.max((gelu(x) - exact).abs());
        }
        assert!(worst < 2e-6, "{worst}");
        assert_eq!(gelu(0.0), 0.0);
        assert!((gelu(-30.0)).abs() < 1e-6);
        assert!((gelu(30.0) - 30.0).abs() < 1e-4);
    }

    const TINY: Config = Config {
        vocab_size: 30,
        hidden_size: 8,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        intermediate_size: 12,
        hidden_act: Activation::Gelu,
        max_position_embeddings: 16,
        type_vocab_size: 2,
        layer_norm_eps: 1e-12,
        model_type: None,
    };

    /// Every weight a BERT of `c` has, filled with numbers in [-0.5, 0.5) from a fixed LCG.
    fn tiny_weights(c: &Config) -> std::collections::HashMap<String, Tensor> {
        let mut state = 12345u64;
        let mut next = move |n: usize| -> Vec<f32> {
            (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
                })
                .collect()
        };
        let (h, i) = (c.hidden_size, c.intermediate_size);
        let mut shapes: Vec<(String, Vec<usize>)> = vec![
            (
                "embeddings.word_embeddings.weight".into(),
                vec![c.vocab_size, h],
            ),
            (
                "embeddings.position_embeddings.weight".into(),
                vec![c.max_position_embeddings, h],
            ),
            (
                "embeddings.token_type_embeddings.weight".into(),
                vec![c.type_vocab_size, h],
            ),
            ("embeddings.LayerNorm.weight".into(), vec![h]),
            ("embeddings.LayerNorm.bias".into(), vec![h]),
        ];
        for l in 0..c.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            for (name, out, inp) in [
                ("attention.self.query", h, h),
                ("attention.self.key", h, h),
                ("attention.self.value", h, h),
                ("attention.output.dense", h, h),
                ("intermediate.dense", i, h),
                ("output.dense", h, i),
            ] {
                shapes.push((format!("{p}.{name}.weight"), vec![out, inp]));
                shapes.push((format!("{p}.{name}.bias"), vec![out]));
            }
            for name in ["attention.output.LayerNorm", "output.LayerNorm"] {
                shapes.push((format!("{p}.{name}.weight"), vec![h]));
                shapes.push((format!("{p}.{name}.bias"), vec![h]));
            }
        }
        shapes
            .into_iter()
            .map(|(name, shape)| {
                let n = shape.iter().product();
                let t = Tensor::from_vec(next(n), shape, &Device::Cpu).unwrap();
                (name, t)
            })
            .collect()
    }

    /// BERT written out as the paper's formulas, one text at a time, with no padding: what the
    /// fast forward pass must compute.
    fn reference(
        w: &std::collections::HashMap<String, Tensor>,
        c: &Config,
        ids: &[u32],
    ) -> Vec<Vec<f32>> {
        let get = |name: &str| -> Vec<Vec<f32>> {
            let t = &w[name];
            match t.dims().len() {
                1 => vec![t.to_vec1().unwrap()],
                _ => t.to_vec2().unwrap(),
            }
        };
        let norm = |x: &mut Vec<f32>, p: &str| {
            let (g, b) = (
                get(&format!("{p}.weight"))[0].clone(),
                get(&format!("{p}.bias"))[0].clone(),
            );
            let n = x.len() as f32;
            let mean = x.iter().sum::<f32>() / n;
            let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
            for (k, v) in x.iter_mut().enumerate() {
                *v = (*v - mean) / (var + c.layer_norm_eps as f32).sqrt() * g[k] + b[k];
            }
        };
        // (out, in) weight applied to a vector, plus bias.
        let dense = |x: &[f32], p: &str| -> Vec<f32> {
            let (m, b) = (
                get(&format!("{p}.weight")),
                get(&format!("{p}.bias"))[0].clone(),
            );
            m.iter()
                .zip(&b)
                .map(|(row, b)| row.iter().zip(x).map(|(a, v)| a * v).sum::<f32>() + b)
                .collect()
        };
        let (words, positions, types) = (
            get("embeddings.word_embeddings.weight"),
            get("embeddings.position_embeddings.weight"),
            get("embeddings.token_type_embeddings.weight"),
        );
        let mut xs: Vec<Vec<f32>> = ids
            .iter()
            .enumerate()
            .map(|(p, &id)| {
                let mut x: Vec<f32> = (0..c.hidden_size)
                    .map(|k| words[id as usize][k] + types[0][k] + positions[p][k])
                    .collect();
                norm(&mut x, "embeddings.LayerNorm");
                x
            })
            .collect();
        let heads = c.num_attention_heads;
        let hs = c.hidden_size / heads;
        for l in 0..c.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            let q: Vec<_> = xs
                .iter()
                .map(|x| dense(x, &format!("{p}.attention.self.query")))
                .collect();
            let k: Vec<_> = xs
                .iter()
                .map(|x| dense(x, &format!("{p}.attention.self.key")))
                .collect();
            let v: Vec<_> = xs
                .iter()
                .map(|x| dense(x, &format!("{p}.attention.self.value")))
                .collect();
            let mut next = Vec::new();
            for (t, x) in xs.iter().enumerate() {
                let mut context = vec![0.0f32; c.hidden_size];
                for head in 0..heads {
                    let r = head * hs..(head + 1) * hs;
                    let scores: Vec<f32> = k
                        .iter()
                        .map(|kj| {
                            q[t][r.clone()]
                                .iter()
                                .zip(&kj[r.clone()])
                                .map(|(a, b)| a * b)
                                .sum::<f32>()
                                / (hs as f32).sqrt()
                        })
                        .collect();
                    let max = scores.iter().cloned().fold(f32::MIN, f32::max);
                    let e: Vec<f32> = scores.iter().map(|s| (s - max).exp()).collect();
                    let sum: f32 = e.iter().sum();
                    for (j, ej) in e.iter().enumerate() {
                        for d in r.clone() {
                            context[d] += ej / sum * v[j][d];
                        }
                    }
                }
                let mut attended: Vec<f32> =
                    dense(&context, &format!("{p}.attention.output.dense"))
                        .iter()
                        .zip(x)
                        .map(|(a, b)| a + b)
                        .collect();
                norm(&mut attended, &format!("{p}.attention.output.LayerNorm"));
                let inner: Vec<f32> = dense(&attended, &format!("{p}.intermediate.dense"))
                    .into_iter()
                    .map(|v| 0.5 * v * (1.0 + libm_erf(v / 2f32.sqrt())))
                    .collect();
                let mut out: Vec<f32> = dense(&inner, &format!("{p}.output.dense"))
                    .iter()
                    .zip(&attended)
                    .map(|(a, b)| a + b)
                    .collect();
                norm(&mut out, &format!("{p}.output.LayerNorm"));
                next.push(out);
            }
            xs = next;
        }
        xs
    }

    /// The fast pass agrees with the formulas, and a text's rows do not depend on the texts
    /// run with it.
    #[test]
    fn forward_matches_the_formulas_alone_and_together() {
        let weights = tiny_weights(&TINY);
        let vb = VarBuilder::from_tensors(weights.clone(), candle_core::DType::F32, &Device::Cpu);
        let bert = Bert::load(vb, &TINY, false).unwrap();
        let h = TINY.hidden_size;
        let texts: [&[u32]; 3] = [
            &[2, 17, 5, 29, 3],
            &[2, 8, 3],
            &[2, 11, 12, 13, 14, 15, 16, 3],
        ];
        let together = bert.forward(&texts).unwrap();
        assert_eq!(together.len(), (5 + 3 + 8) * h);
        let mut start = 0;
        for (b, text) in texts.iter().enumerate() {
            let alone = bert.forward(&[text]).unwrap();
            let expected = reference(&weights, &TINY, text);
            for (t, want) in expected.iter().enumerate() {
                for (k, w) in want.iter().enumerate() {
                    let (a, g) = (alone[t * h + k], together[(start + t) * h + k]);
                    assert!((a - w).abs() < 1e-4, "text {b} token {t}: {a} vs {w}");
                    assert!(
                        (g - a).abs() < 1e-5,
                        "text {b} token {t} together: {g} vs {a}"
                    );
                }
            }
            start += text.len();
        }
        // Ids past the vocabulary and texts longer than the positions are errors.
        assert!(bert.forward(&[&[2, 99, 3]]).is_err());
        assert!(bert.forward(&[&[2; 17]]).is_err());
    }

    fn libm_erf(x: f32) -> f32 {
        let t = Tensor::new(&[x], &Device::Cpu).unwrap();
        t.erf().unwrap().to_vec1::<f32>().unwrap()[0]
    }
}
