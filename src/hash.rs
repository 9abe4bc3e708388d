//! FNV-1a, a 64-bit content hash that is stable across Rust versions and platforms (unlike
//! `DefaultHasher`): for fingerprints that name cache folders and for the hashes a review
//! workbook records. Not a cryptographic hash: checksums of downloads use SHA-256.

/// FNV-1a of some bytes, as 16 hex digits.
pub fn hash_bytes(bytes: &[u8]) -> String {
    let mut hash = Fnv64::new();
    hash.write(bytes);
    hash.hex()
}

/// An FNV-1a hasher fed piece by piece.
#[derive(Debug, Clone, Copy)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64::new()
    }
}

impl Fnv64 {
    pub fn new() -> Fnv64 {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub fn finish(&self) -> u64 {
        self.0
    }

    /// The hash as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}
