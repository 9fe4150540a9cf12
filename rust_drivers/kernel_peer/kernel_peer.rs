// SPDX-License-Identifier: MIT
//! The `kernel-rust` peer plugin (crate root): the kernel's own QR encoder,
//! drivers/gpu/drm/drm_panic_qr.rs from Debian's linux-source package, compiled unmodified
//! as the crate `drm_panic_qr` against the shim `kernel` crate (kernel.rs), and exported
//! through the same C ABI as every plugin. The ops table points straight at the kernel's
//! C entry points (their signatures are the ABI's): nothing of ours runs between the
//! harness and the kernel's code, and nothing is tuned.
//!
//! The kernel's symbols are hidden at link time (-Wl,--exclude-libs,ALL), so the plugin
//! exports `drvbench_plugin` alone, like every plugin.
#![deny(unsafe_op_in_unsafe_fn)]

#[path = "../abi.rs"]
mod abi;

static OPS: abi::QrpanicOps = abi::QrpanicOps {
    generate: drm_panic_qr::drm_panic_qr_generate,
    max_data_size: drm_panic_qr::drm_panic_qr_max_data_size,
};

static PLUGIN: abi::Plugin = abi::describe(Some(&OPS), core::ptr::null());
