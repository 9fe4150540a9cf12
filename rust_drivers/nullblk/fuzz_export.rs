// SPDX-License-Identifier: MIT
//! Crate root for fuzz/ (a static library): the Rust nullblk's ops table under the
//! C name `drvbench_rust_nullblk_ops`, next to the C functions and
//! `drvbench_cpp_nullblk_ops` in one fuzz binary (no `drvbench_plugin`, which
//! the C and C++ sides would collide with). The plugin exports nothing but
//! `drvbench_plugin()`; only this build exports the table.
#![allow(dead_code)]

#[path = "mod.rs"]
mod nullblk;

#[no_mangle]
pub static drvbench_rust_nullblk_ops: nullblk::bindings::NullblkOps = nullblk::bindings::OPS;
