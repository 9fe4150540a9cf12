// SPDX-License-Identifier: MIT
//! A crate root that builds the Rust ringbuf alone into a plugin (ringbuf ops only; qrpanic
//! and nullblk NULL), for working on this component before or apart from the shared plugin
//! crate. The commands (docs/ringbuf.md, "Rust"):
//!
//! ```sh
//! gcc -O2 -fPIC -fvisibility=hidden -c rust_drivers/ringbuf/helpers.c -o /tmp/rb/helpers.o
//! ar rcs /tmp/rb/libringbuf_helpers.a /tmp/rb/helpers.o
//! /usr/bin/rustc --edition 2021 --crate-type cdylib --crate-name drvbench_rust_ringbuf \
//!   -Copt-level=2 -Cpanic=abort -Ccodegen-units=1 -Coverflow-checks=off \
//!   --cfg 'variant="base"' -L /tmp/rb -l static=ringbuf_helpers -l uring \
//!   -C link-arg=-Wl,--no-undefined rust_drivers/ringbuf/standalone.rs \
//!   -o /tmp/rb/plugins/drvbench-rust-base-rustc196.so
//! ```
//! (hardened: `-Coverflow-checks=on --cfg 'variant="hardened"'`).
#![deny(unsafe_op_in_unsafe_fn)]

#[path = "mod.rs"]
mod ringbuf;

use core::ffi::c_char;

/// struct drvbench_plugin (include/drvbench/plugin.h).
#[repr(C)]
pub struct Plugin {
    abi_version: u32,
    impl_: *const c_char,
    variant: *const c_char,
    compiler: *const c_char,
    compiler_version: *const c_char,
    flags: *const c_char,
    qrpanic: *const u8,
    nullblk: *const u8,
    ringbuf: &'static ringbuf::Ops,
}

// SAFETY: every pointer in PLUGIN points to immutable 'static data (string constants and the
// ops table), never written through.
unsafe impl Sync for Plugin {}

#[cfg(variant = "hardened")]
const VARIANT: &core::ffi::CStr = c"hardened";
#[cfg(not(variant = "hardened"))]
const VARIANT: &core::ffi::CStr = c"base";
#[cfg(variant = "hardened")]
const FLAGS: &core::ffi::CStr = c"-Copt-level=2 -Cpanic=abort -Ccodegen-units=1 -Coverflow-checks=on";
#[cfg(not(variant = "hardened"))]
const FLAGS: &core::ffi::CStr = c"-Copt-level=2 -Cpanic=abort -Ccodegen-units=1 -Coverflow-checks=off";

static PLUGIN: Plugin = Plugin {
    abi_version: 3,
    impl_: c"rust".as_ptr(),
    variant: VARIANT.as_ptr(),
    compiler: c"rustc".as_ptr(),
    compiler_version: c"1.96.0".as_ptr(),
    flags: FLAGS.as_ptr(),
    qrpanic: core::ptr::null(),
    nullblk: core::ptr::null(),
    ringbuf: &ringbuf::RINGBUF_OPS,
};

/// `const struct drvbench_plugin *drvbench_plugin(void)`: the one exported symbol.
#[no_mangle]
pub extern "C" fn drvbench_plugin() -> &'static Plugin {
    &PLUGIN
}
