//! Integration tests: one binary, one module per command or concern. They run the real
//! `trustfill` binary (or the library against a copy of the shipped knowledge base) on files
//! generated inside each test's temporary folder.

mod ask;
mod choices;
mod cli;
mod common;
mod confidentiality;
mod crash;
mod docx;
mod eval;
mod fidelity;
mod fill;
mod fixtures;
mod hostile;
mod kb_check;
mod kb_import;
mod kb_index;
mod kb_learn;
mod kb_load;
mod kb_manage;
mod layers;
mod legacy;
mod matching;
mod pdf;
mod publish;
mod real;
mod reuse;
#[cfg(feature = "semantic")]
mod semantic;
#[cfg(feature = "semantic")]
mod tiny_model;
