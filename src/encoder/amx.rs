//! Dense-layer products on Intel AMX (Advanced Matrix Extensions) in bfloat16, for x86-64 Linux
//! CPUs that have it (Xeon since Sapphire Rapids). A tile instruction multiplies a 16 × 32 block
//! of bfloat16 numbers by a 32 × 16 block and adds the result into 16 × 16 `f32` sums: on one
//! core, four to seven times the `f32` kernel's speed at these sizes. Inputs are rounded to
//! bfloat16 (8 bits of mantissa) and sums kept in `f32`, so results differ from the `f32` pass in
//! the third decimal; which pass runs is the user's choice ([`crate::encoder::Precision`]).
//!
//! The instructions are written with `asm!` (Rust's AMX intrinsics are not stable). Linux hands
//! the tile registers to a process only when asked (`arch_prctl(ARCH_REQ_XCOMP_PERM)`), which
//! [`available`] does once.

use std::arch::asm;
use std::cell::RefCell;
use std::sync::OnceLock;

/// Whether this CPU has AMX with bfloat16 and Linux lets this process use it. Asked once.
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        // CPUID leaf 7: EDX bit 22 is AMX-BF16, bit 24 AMX-TILE.
        use std::arch::x86_64::__cpuid_count;
        let has = __cpuid_count(0, 0).eax >= 7 && {
            let edx = __cpuid_count(7, 0).edx;
            edx & (1 << 22) != 0 && edx & (1 << 24) != 0
        };
        // arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA): 0 once the kernel grants it.
        const ARCH_REQ_XCOMP_PERM: libc::c_long = 0x1023;
        const XFEATURE_XTILEDATA: libc::c_long = 18;
        // SAFETY: a system call with plain integer arguments; it changes only whether this
        // process may use the tile registers.
        has && unsafe {
            libc::syscall(
                libc::SYS_arch_prctl,
                ARCH_REQ_XCOMP_PERM,
                XFEATURE_XTILEDATA,
            ) == 0
        }
    })
}

/// Rows and columns of a block the kernel works on: 2 × 2 tiles of 16 × 16 sums.
const BLOCK: usize = 32;

/// A weight matrix `(k, n)` rounded to bfloat16 and laid out as the tile loads read it: for each
/// 16 columns, for each pair of rows, the 16 columns' two values side by side.
pub struct Packed {
    data: Vec<u16>,
    k: usize,
    n: usize,
}

/// Round to the nearest bfloat16 (ties to even); finite inputs only, as a model's are.
fn bf16(x: f32) -> u16 {
    let bits = x.to_bits();
    ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) as u16
}

impl Packed {
    /// `weight` is `(k, n)`, row after row; `None` unless both are multiples of 32 (BERT's
    /// sizes are: 384, 768, 1536, 3072).
    pub fn new(weight: &[f32], k: usize, n: usize) -> Option<Packed> {
        if k == 0
            || n == 0
            || !k.is_multiple_of(BLOCK)
            || !n.is_multiple_of(BLOCK)
            || weight.len() != k * n
        {
            return None;
        }
        let mut data = vec![0u16; k * n];
        for block in 0..n / 16 {
            for pair in 0..k / 2 {
                for col in 0..16 {
                    for j in 0..2 {
                        data[((block * (k / 2) + pair) * 16 + col) * 2 + j] =
                            bf16(weight[(2 * pair + j) * n + block * 16 + col]);
                    }
                }
            }
        }
        Some(Packed { data, k, n })
    }
}

/// The tile configuration: palette 1, eight tiles of 16 rows × 64 bytes.
#[repr(C, align(64))]
struct TileConfig {
    palette: u8,
    start_row: u8,
    reserved: [u8; 14],
    colsb: [u16; 16],
    rows: [u8; 16],
}

thread_local! {
    /// The left operand in bfloat16, kept from call to call on each thread.
    static LEFT: RefCell<Vec<u16>> = const { RefCell::new(Vec::new()) };
}

/// `out (m × n) += xs (m × k) · w`, `out` holding `m` rows of `n` on entry and on return.
/// Only when [`available`] said so.
pub fn add_product(xs: &[f32], w: &Packed, out: &mut Vec<f32>) {
    let (k, n) = (w.k, w.n);
    let m = xs.len() / k;
    assert!(available(), "amx: not available");
    assert_eq!(xs.len(), m * k, "amx: xs is not whole rows");
    assert_eq!(out.len(), m * n, "amx: out is not m rows");
    if m == 0 {
        return;
    }
    let padded = m.div_ceil(BLOCK) * BLOCK;
    LEFT.with_borrow_mut(|left| {
        left.clear();
        left.extend(xs.iter().map(|&x| bf16(x)));
        left.resize(padded * k, 0);
        out.resize(padded * n, 0.0);
        // SAFETY: `available` checked the CPU and the kernel's permission. Every tile load and
        // store stays inside the slices: `left` holds `padded` rows of `k`, `out` `padded` rows
        // of `n`, `w.data` `n / 16` blocks of `k / 2` rows of 32; the loops step by 32 rows, 32
        // columns and 32 of `k`, all of which divide these sizes (`Packed::new`). The tile
        // registers are configured and released within this call, on this thread.
        unsafe {
            kernel(
                padded,
                n,
                k,
                left.as_ptr(),
                w.data.as_ptr(),
                out.as_mut_ptr(),
            )
        };
        out.truncate(m * n);
    });
}

/// The blocked loop: for each 32 × 32 block of `c`, its four tiles are loaded, the products of
/// 32-wide slices of `a`'s rows and `b`'s columns added, and the tiles stored back.
unsafe fn kernel(m: usize, n: usize, k: usize, a: *const u16, b: *const u16, c: *mut f32) {
    let config = TileConfig {
        palette: 1,
        start_row: 0,
        reserved: [0; 14],
        colsb: [64, 64, 64, 64, 64, 64, 64, 64, 0, 0, 0, 0, 0, 0, 0, 0],
        rows: [16, 16, 16, 16, 16, 16, 16, 16, 0, 0, 0, 0, 0, 0, 0, 0],
    };
    let c_stride = n * 4;
    let a_stride = k * 2;
    let b_stride = 64usize;
    // u16s in one 16-column block of `b`.
    let b_block = (k / 2) * 32;
    // SAFETY (of each block below): the caller's bounds hold for every address formed here.
    unsafe {
        asm!("ldtilecfg [{}]", in(reg) &config as *const TileConfig, options(nostack, readonly));
        for rb in (0..m).step_by(BLOCK) {
            for cb in (0..n).step_by(BLOCK) {
                let c0 = c.add(rb * n + cb);
                let c1 = c0.add(16 * n);
                asm!(
                    "tileloadd tmm0, [{c0} + {cs}*1]",
                    "tileloadd tmm1, [{c0} + {cs}*1 + 64]",
                    "tileloadd tmm2, [{c1} + {cs}*1]",
                    "tileloadd tmm3, [{c1} + {cs}*1 + 64]",
                    c0 = in(reg) c0, c1 = in(reg) c1, cs = in(reg) c_stride,
                    options(nostack, readonly),
                );
                let a0 = a.add(rb * k);
                let a1 = a0.add(16 * k);
                let b0 = b.add((cb / 16) * b_block);
                let b1 = b0.add(b_block);
                for kc in 0..k / BLOCK {
                    asm!(
                        "tileloadd tmm4, [{a0} + {as}*1]",
                        "tileloadd tmm5, [{a1} + {as}*1]",
                        "tileloadd tmm6, [{b0} + {bs}*1]",
                        "tileloadd tmm7, [{b1} + {bs}*1]",
                        "tdpbf16ps tmm0, tmm4, tmm6",
                        "tdpbf16ps tmm1, tmm4, tmm7",
                        "tdpbf16ps tmm2, tmm5, tmm6",
                        "tdpbf16ps tmm3, tmm5, tmm7",
                        a0 = in(reg) a0.add(kc * BLOCK),
                        a1 = in(reg) a1.add(kc * BLOCK),
                        as = in(reg) a_stride,
                        b0 = in(reg) b0.add(kc * 16 * 32),
                        b1 = in(reg) b1.add(kc * 16 * 32),
                        bs = in(reg) b_stride,
                        options(nostack, readonly),
                    );
                }
                asm!(
                    "tilestored [{c0} + {cs}*1], tmm0",
                    "tilestored [{c0} + {cs}*1 + 64], tmm1",
                    "tilestored [{c1} + {cs}*1], tmm2",
                    "tilestored [{c1} + {cs}*1 + 64], tmm3",
                    c0 = in(reg) c0, c1 = in(reg) c1, cs = in(reg) c_stride,
                    options(nostack),
                );
            }
        }
        asm!("tilerelease", options(nostack, nomem));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The product equals the `f32` one of the same matrices rounded to bfloat16, for a row count
    /// that is not a multiple of the block (padding) and sums added onto what `out` held.
    #[test]
    fn the_tile_product_is_the_product_of_the_rounded_matrices() {
        if !available() {
            eprintln!("skipped: this CPU has no AMX");
            return;
        }
        let (m, k, n) = (37, 64, 96);
        let value = |i: usize, p: usize| ((i * p % 1009) as f32 - 504.0) / 400.0;
        let xs: Vec<f32> = (0..m * k).map(|i| value(i, 7919)).collect();
        let w: Vec<f32> = (0..k * n).map(|i| value(i, 104_729)).collect();
        let packed = Packed::new(&w, k, n).expect("sizes fit");
        let mut out: Vec<f32> = (0..m * n).map(|i| i as f32 / 100.0).collect();
        let before = out.clone();
        add_product(&xs, &packed, &mut out);
        assert_eq!(out.len(), m * n);
        let round = |x: f32| f32::from_bits(u32::from(bf16(x)) << 16);
        for i in 0..m {
            for j in 0..n {
                let want: f32 = before[i * n + j]
                    + (0..k)
                        .map(|p| round(xs[i * k + p]) * round(w[p * n + j]))
                        .sum::<f32>();
                let got = out[i * n + j];
                assert!((got - want).abs() < 1e-3, "({i}, {j}): {got} vs {want}");
            }
        }
    }

    #[test]
    fn bfloat16_rounds_to_nearest_even() {
        assert_eq!(bf16(1.0), 0x3F80);
        // 1 + 2⁻⁸ lies halfway between 1 and 1 + 2⁻⁷: to the even one, 1.
        assert_eq!(bf16(1.0 + 1.0 / 256.0), 0x3F80);
        assert_eq!(bf16(1.0 + 3.0 / 256.0), 0x3F82);
        assert_eq!(bf16(-2.5), 0xC020);
    }

    #[test]
    fn sizes_the_tiles_cannot_take_are_refused() {
        assert!(Packed::new(&[0.0; 16 * 32], 16, 32).is_none());
        assert!(Packed::new(&[0.0; 32 * 48], 32, 48).is_none());
        assert!(Packed::new(&[0.0; 32 * 32], 32, 32).is_some());
    }
}
