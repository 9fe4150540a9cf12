// SPDX-License-Identifier: MIT
//! nullblk: Linux null_blk as a userspace blk-mq slice, in safe Rust.
//!
//! The contract is include/drvbench/nullblk.h; the algorithm, data layout and
//! memory orderings are those of c_drivers/nullblk/nullblk.c and
//! cpp_drivers/nullblk/ (docs/nullblk.md). The modules follow the kernel's
//! split between the block layer and the driver:
//!   - `mq`: the blk-mq slice in the shape of `kernel::block::mq`: `Request`
//!     with `ARef`-style refcounts, `HwQueue` (tags, pool, FIFOs, counters),
//!     the `Operations` trait and `TagSet<T: Operations>`;
//!   - `null_blk`: the driver (rnull's `impl Operations for NullBlkDevice`);
//!   - `backing`: the memory backing (radix tree of 4 KiB pages);
//!   - `config`: attribute validation with the C side's messages;
//!   - `bindings`: the C ABI, the only module with `unsafe`.
//! Every module but `bindings` is `#![forbid(unsafe_code)]`.

pub mod backing;
pub mod bindings;
pub mod config;
pub mod mq;
pub mod null_blk;
