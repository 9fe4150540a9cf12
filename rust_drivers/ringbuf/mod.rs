// SPDX-License-Identifier: MIT
//! ringbuf in safe Rust (docs/ringbuf.md): `ringbuf` holds the algorithm, `crc32c` the
//! checksum, both `#![forbid(unsafe_code)]`; `bindings` is the one module with `unsafe` (the C
//! ABI, ring memory, io_uring through `helpers.c`, the SSE4.2 dispatch). This file declares
//! the modules only.
#![deny(unsafe_code)]

mod bindings;
mod crc32c;
#[allow(clippy::module_inception)]
mod ringbuf;

pub use bindings::{Ops, RINGBUF_OPS};
