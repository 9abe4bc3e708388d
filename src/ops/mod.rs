//! Operations on the knowledge base that need more than its files: the matcher (`check`'s
//! near-duplicates, `add`'s "already answered?", `harvest`'s merges), questionnaires (`harvest`)
//! or reviews (`learn`). The file model they act on is [`crate::kb`], below the matcher; they
//! sit above it, as cargo's `ops/` sits above its `core/`.

pub mod add;
pub mod check;
pub mod harvest;
pub mod import;
pub mod learn;
pub mod publish;
pub mod stats;
