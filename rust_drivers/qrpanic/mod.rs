// SPDX-License-Identifier: MIT
//! qrpanic in safe Rust: the panic-screen QR encoder (docs/qrpanic.md). `bindings` holds
//! every `unsafe` of the component (the C ABI); `encoder` and `tables` forbid it.
pub(crate) mod bindings;
mod encoder;
mod tables;
