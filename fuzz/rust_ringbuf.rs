// SPDX-License-Identifier: MIT
//! The Rust ringbuf (rust_drivers/ringbuf) as a static library for the ringbuf_seq fuzz
//! target: the module compiled as the plugin compiles it, and its ops table exported as
//! `drvbench_rust_ringbuf_ops` (the plugin's drvbench_plugin() is left out, as the C and C++
//! entry files are).
#![allow(dead_code)]

#[path = "../rust_drivers/ringbuf/mod.rs"]
mod ringbuf;

#[no_mangle]
#[allow(non_upper_case_globals)]
pub static drvbench_rust_ringbuf_ops: ringbuf::Ops = ringbuf::RINGBUF_OPS;
