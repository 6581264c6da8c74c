//! Gathering a locus's decisions into its table index.
//!
//! Bit `b` of a locus's table index is the `b`-th lowest decision the locus reads, so the index
//! is exactly BMI2's `pext(configuration, mask of the decisions read)`. `pext` is one fast
//! instruction on Intel processors since Haswell and on AMD processors since Zen 3, but
//! microcoded on AMD's earlier BMI2 processors (Zen 1 and 2, and Hygon's), where it takes tens
//! to hundreds of cycles depending on the mask, more than the portable loop. So it is used only
//! when the processor has BMI2 and is not one of those (told by CPUID's vendor and family), and
//! the portable loop elsewhere. Both give the same index (a test compares them), so the choice
//! changes speed only, never a result.

use super::indexed::TableIndex;
use std::sync::OnceLock;

/// The bits of `c` at the positions set in `mask`, packed from bit 0 in ascending position.
#[inline]
pub(crate) fn gather(c: u64, mask: u64) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if use_pext() {
        // SAFETY: `use_pext` is true only when the processor has BMI2.
        return unsafe { x86::pext(c, mask) };
    }
    portable(c, mask)
}

/// [`gather`] for every mask of `masks` into `out`, in one call (each result must fit `I`).
#[inline]
pub(crate) fn gather_all<I: TableIndex>(c: u64, masks: &[u64], out: &mut [I]) {
    #[cfg(target_arch = "x86_64")]
    if use_pext() {
        // SAFETY: `use_pext` is true only when the processor has BMI2.
        return unsafe { x86::pext_all(c, masks, out) };
    }
    for (x, &m) in out.iter_mut().zip(masks) {
        *x = I::new(portable(c, m));
    }
}

/// [`gather`] without BMI2: one step per bit of `mask`.
#[inline]
pub(crate) fn portable(c: u64, mut mask: u64) -> u64 {
    let (mut out, mut bit) = (0, 1);
    while mask != 0 {
        let low = mask & mask.wrapping_neg();
        if c & low != 0 {
            out |= bit;
        }
        bit <<= 1;
        mask ^= low;
    }
    out
}

/// Whether this process gathers with `pext`: decided once, from the processor.
#[inline]
pub(crate) fn use_pext() -> bool {
    static FAST: OnceLock<bool> = OnceLock::new();
    #[cfg(target_arch = "x86_64")]
    return *FAST.get_or_init(x86::pext_is_fast);
    #[cfg(not(target_arch = "x86_64"))]
    return *FAST.get_or_init(|| false);
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::TableIndex;
    use std::arch::x86_64::{__cpuid, _pext_u64};

    #[target_feature(enable = "bmi2")]
    pub(super) fn pext(c: u64, mask: u64) -> u64 {
        _pext_u64(c, mask)
    }

    #[target_feature(enable = "bmi2")]
    pub(super) fn pext_all<I: TableIndex>(c: u64, masks: &[u64], out: &mut [I]) {
        for (x, &m) in out.iter_mut().zip(masks) {
            *x = I::new(_pext_u64(c, m));
        }
    }

    /// BMI2 present, and not on an AMD or Hygon processor before family 0x19 (Zen 3).
    pub(super) fn pext_is_fast() -> bool {
        if !std::arch::is_x86_feature_detected!("bmi2") {
            return false;
        }
        let vendor = __cpuid(0);
        let name: Vec<u8> = [vendor.ebx, vendor.edx, vendor.ecx]
            .iter()
            .flat_map(|r| r.to_le_bytes())
            .collect();
        if name != b"AuthenticAMD" && name != b"HygonGenuine" {
            return true;
        }
        // Family: the base family (bits 8-11), plus the extended family (bits 20-27) when the
        // base family is 0xF.
        let eax = __cpuid(1).eax;
        let base = (eax >> 8) & 0xF;
        let family = if base == 0xF {
            base + ((eax >> 20) & 0xFF)
        } else {
            base
        };
        family >= 0x19
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};
    use rand::Rng;

    /// Both paths (and the processor's `pext`, when it has one) give the same index.
    #[test]
    fn pext_and_the_portable_loop_agree() {
        let mut r = stream(1, Purpose::Sampling, &[]);
        for _ in 0..20_000 {
            let c = r.next_u64();
            let mask = r.next_u64() & r.next_u64();
            let expected = (0..64)
                .filter(|&b| mask >> b & 1 == 1)
                .enumerate()
                .fold(0u64, |acc, (k, b)| acc | (c >> b & 1) << k);
            assert_eq!(portable(c, mask), expected);
            assert_eq!(gather(c, mask), expected);
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("bmi2") {
                // SAFETY: the processor has BMI2.
                assert_eq!(unsafe { x86::pext(c, mask) }, expected);
            }
        }
    }
}
