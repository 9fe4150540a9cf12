// SPDX-License-Identifier: MIT
//! Stopgap crate root: the nullblk module alone as a plugin, until the Rust plugin crate
//! (rust_drivers/drvbench.rs, branch `rust`) includes it. Build (docs/nullblk.md):
//!   DRVBENCH_VARIANT=base DRVBENCH_FLAGS="-Copt-level=2 ..." rustc --edition 2021 --crate-type cdylib -Copt-level=2 -Cpanic=abort \
//!     -Ccodegen-units=1 -Coverflow-checks=off -o build/plugins/drvbench-rust-base-rustc1.so \
//!     rust_drivers/nullblk/standalone.rs
//! (hardened: DRVBENCH_VARIANT=hardened and -Coverflow-checks=on).
#![allow(dead_code)]
#[path = "mod.rs"]
mod nullblk;
use core::ffi::c_char;
#[repr(C)]
pub struct Plugin {
    abi_version: u32,
    imp: *const c_char,
    variant: *const c_char,
    compiler: *const c_char,
    compiler_version: *const c_char,
    flags: *const c_char,
    qrpanic: *const core::ffi::c_void,
    nullblk: *const nullblk::bindings::NullblkOps,
    ringbuf: *const core::ffi::c_void,
}
struct SyncPlugin(Plugin);
// SAFETY: every pointer in the description points to immutable 'static data (string
// constants and the ops table), never written through; sharing it shares read-only data.
unsafe impl Sync for SyncPlugin {}
static OPS: nullblk::bindings::NullblkOps = nullblk::bindings::OPS;
static PLUGIN: SyncPlugin = SyncPlugin(Plugin {
    abi_version: 3,
    imp: c"rust".as_ptr(),
    variant: concat!(env!("DRVBENCH_VARIANT"), "\0").as_ptr().cast(),
    compiler: c"rustc".as_ptr(),
    compiler_version: c"1.96.0".as_ptr(),
    flags: concat!(env!("DRVBENCH_FLAGS"), "\0").as_ptr().cast(),
    qrpanic: core::ptr::null(),
    nullblk: &OPS,
    ringbuf: core::ptr::null(),
});
#[no_mangle]
pub extern "C" fn drvbench_plugin() -> *const Plugin {
    &PLUGIN.0
}
