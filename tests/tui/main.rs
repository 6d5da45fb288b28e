//! `kubesim tui` (issue 10): one test binary with a module per concern
//! (rendering, keys, pacing, the real binary in tmux), sharing fixtures.

mod attach;
mod dockercoins;
mod e2e;
mod fixtures;
mod keys;
mod pacing;
mod render;
mod shared;
