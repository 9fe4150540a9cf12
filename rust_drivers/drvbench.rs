// SPDX-License-Identifier: MIT
//! The safe Rust plugin (crate root): one ops table per component, exported through
//! `drvbench_plugin()` (abi.rs), as c_drivers/plugin.c and cpp_drivers/plugin.cpp do.
//!
//! Rust-for-Linux style: each component's `bindings` module holds every `unsafe` of the
//! component (the C ABI), each block with a `// SAFETY:` comment; every other module has
//! `#![forbid(unsafe_code)]`. Adding a component: rust_drivers/<component>/mod.rs with its
//! `bindings` module, a `mod` line here, its ops table in `PLUGIN` (abi.rs has the field),
//! and its sources in RUST_DRIVER_SOURCES (rust_drivers/CMakeLists.txt).
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

mod abi;
mod nullblk;
mod qrpanic;
mod ringbuf;

static PLUGIN: abi::Plugin = abi::describe_with_ringbuf(
    Some(&qrpanic::bindings::OPS),
    nullblk::bindings::OPS_PTR,
    (&ringbuf::RINGBUF_OPS as *const ringbuf::Ops).cast::<core::ffi::c_void>(),
);
