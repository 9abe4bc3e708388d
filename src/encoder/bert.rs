//! A BERT encoder on candle-nn: embeddings, `num_hidden_layers` transformer layers, the last hidden
//! state out. It is the part of Hugging Face's `BertModel` that sentence embeddings need (no
//! pooler, no heads, no dropout at inference). Written here rather than taken from
//! `candle-transformers`, whose hundreds of models would add about a minute to every clean build
//! for the 200 lines used.

use candle_core::{CpuStorage, CustomOp1, DType, Device, Layout, Module, Result, Shape, Tensor};
use candle_nn::{Embedding, LayerNorm, VarBuilder, embedding, layer_norm};
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
    fn forward(self, xs: &Tensor) -> Result<Tensor> {
        match self {
            Activation::Gelu => xs.contiguous()?.apply_op1_no_bwd(&Gelu),
            Activation::GeluApproximate => xs.gelu(),
            Activation::Relu => xs.relu(),
        }
    }
}

/// The exact GELU, `x·Φ(x)`, with an erf accurate to 1.5e-7 that the compiler can vectorize:
/// candle's goes through libm's scalar `erff`, which was an eighth of the time per sentence.
struct Gelu;

impl CustomOp1 for Gelu {
    fn name(&self) -> &'static str {
        "trustfill-gelu"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(data) = storage else {
            candle_core::bail!("gelu: f32 only");
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("gelu: contiguous input only");
        };
        let mut out = vec![0.0f32; end - start];
        for (o, &x) in out.iter_mut().zip(&data[start..end]) {
            *o = gelu(x);
        }
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }
}

fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// Abramowitz and Stegun 7.1.26: absolute error below 1.5e-7, no branches.
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

/// A dense layer with its weight stored transposed and contiguous, `(in, out)`, so that every
/// product reads it in the order the matrix kernel wants.
struct Linear {
    weight: Tensor,
    bias: Tensor,
}

fn linear(input: usize, output: usize, vb: VarBuilder) -> Result<Linear> {
    let weight = vb.get((output, input), "weight")?.t()?.contiguous()?;
    let bias = vb.get(output, "bias")?;
    Ok(Linear { weight, bias })
}

impl Module for Linear {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let (b, len, input) = xs.dims3()?;
        xs.reshape((b * len, input))?
            .matmul(&self.weight)?
            .broadcast_add(&self.bias)?
            .reshape((b, len, ()))
    }
}

struct Embeddings {
    words: Embedding,
    positions: Embedding,
    token_types: Embedding,
    norm: LayerNorm,
}

impl Embeddings {
    fn load(vb: VarBuilder, c: &Config) -> Result<Self> {
        Ok(Embeddings {
            words: embedding(c.vocab_size, c.hidden_size, vb.pp("word_embeddings"))?,
            positions: embedding(
                c.max_position_embeddings,
                c.hidden_size,
                vb.pp("position_embeddings"),
            )?,
            token_types: embedding(
                c.type_vocab_size,
                c.hidden_size,
                vb.pp("token_type_embeddings"),
            )?,
            norm: layer_norm(c.hidden_size, c.layer_norm_eps, vb.pp("LayerNorm"))?,
        })
    }

    fn forward(&self, ids: &Tensor, type_ids: &Tensor) -> Result<Tensor> {
        let (_, len) = ids.dims2()?;
        let positions = Tensor::arange(0u32, len as u32, ids.device())?;
        let xs = (self.words.forward(ids)? + self.token_types.forward(type_ids)?)?
            .broadcast_add(&self.positions.forward(&positions)?)?;
        self.norm.forward(&xs)
    }
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
    heads: usize,
    head_size: usize,
    act: Activation,
}

impl Layer {
    fn load(vb: VarBuilder, c: &Config) -> Result<Self> {
        let h = c.hidden_size;
        let attn = vb.pp("attention");
        Ok(Layer {
            query: linear(h, h, attn.pp("self").pp("query"))?,
            key: linear(h, h, attn.pp("self").pp("key"))?,
            value: linear(h, h, attn.pp("self").pp("value"))?,
            attention_out: linear(h, h, attn.pp("output").pp("dense"))?,
            attention_norm: layer_norm(h, c.layer_norm_eps, attn.pp("output").pp("LayerNorm"))?,
            intermediate: linear(h, c.intermediate_size, vb.pp("intermediate").pp("dense"))?,
            output: linear(c.intermediate_size, h, vb.pp("output").pp("dense"))?,
            output_norm: layer_norm(h, c.layer_norm_eps, vb.pp("output").pp("LayerNorm"))?,
            heads: c.num_attention_heads,
            head_size: h / c.num_attention_heads,
            act: c.hidden_act,
        })
    }

    /// `(batch, len, hidden)` → `(batch, len, hidden)`; `mask` is `(batch, 1, 1, len)`, 0 for
    /// tokens and a large negative number for padding.
    fn forward(&self, xs: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (b, len, hidden) = xs.dims3()?;
        let split = |t: Tensor| -> Result<Tensor> {
            t.reshape((b, len, self.heads, self.head_size))?
                .transpose(1, 2)?
                .contiguous()
        };
        let q = split(self.query.forward(xs)?)?;
        let k = split(self.key.forward(xs)?)?;
        let v = split(self.value.forward(xs)?)?;
        let scores = (q.matmul(&k.t()?)? / (self.head_size as f64).sqrt())?.broadcast_add(mask)?;
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((b, len, hidden))?;
        let attended = self
            .attention_norm
            .forward(&(self.attention_out.forward(&context)? + xs)?)?;
        let inner = self.act.forward(&self.intermediate.forward(&attended)?)?;
        self.output_norm
            .forward(&(self.output.forward(&inner)? + attended)?)
    }
}

pub struct Bert {
    embeddings: Embeddings,
    layers: Vec<Layer>,
}

impl Bert {
    /// Weights named as `transformers` saves a `BertModel` (`embeddings.…`, `encoder.layer.N.…`),
    /// with or without a leading `bert.` (as a `BertForMaskedLM` checkpoint has them).
    pub fn load(vb: VarBuilder, c: &Config) -> Result<Bert> {
        let vb = if vb.contains_tensor("embeddings.word_embeddings.weight") {
            vb
        } else {
            vb.pp("bert")
        };
        let embeddings = Embeddings::load(vb.pp("embeddings"), c)?;
        let layers = (0..c.num_hidden_layers)
            .map(|i| Layer::load(vb.pp("encoder").pp("layer").pp(i), c))
            .collect::<Result<Vec<_>>>()?;
        Ok(Bert { embeddings, layers })
    }

    /// The last hidden state, `(batch, len, hidden)`, for token ids and an attention mask of
    /// 1 (token) and 0 (padding), both `(batch, len)` u32.
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let type_ids = ids.zeros_like()?;
        let mut xs = self.embeddings.forward(ids, &type_ids)?;
        // 0 where attended, the lowest f32 where padded: softmax gives padding no weight.
        let mask = ((mask.to_dtype(DType::F32)?.ones_like()? - mask.to_dtype(DType::F32)?)?
            * f64::from(f32::MIN))?
        .unsqueeze(1)?
        .unsqueeze(1)?;
        for layer in &self.layers {
            xs = layer.forward(&xs, &mask)?;
        }
        Ok(xs)
    }
}

/// The device inference runs on: the CPU (trustfill ships no GPU kernels).
pub fn device() -> Device {
    Device::Cpu
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn libm_erf(x: f32) -> f32 {
        let t = Tensor::new(&[x], &Device::Cpu).unwrap();
        t.erf().unwrap().to_vec1::<f32>().unwrap()[0]
    }
}
