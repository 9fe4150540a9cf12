// SPDX-License-Identifier: MIT
//! The plugin ABI of include/drvbench/plugin.h as `repr(C)` types, and the export of
//! `drvbench_plugin()`: the plugin-level bindings, shared by every Rust plugin crate
//! (drvbench.rs and the kernel peer's kernel_peer.rs include it with `#[path]`). Nothing
//! else of a plugin is exported (`nm -D` shows `drvbench_plugin` alone).
//!
//! The plugin's identity comes from the build (rust_drivers/CMakeLists.txt) through the
//! environment of the one rustc invocation that builds it, as DRVBENCH_IMPL, DRVBENCH_VARIANT,
//! DRVBENCH_COMPILER_VERSION and DRVBENCH_FLAGS: the recorded flags are the ones used.

use core::ffi::{c_char, c_void};

/// DRVBENCH_ABI_VERSION of include/drvbench/plugin.h.
pub(crate) const ABI_VERSION: u32 = 3;

/// struct drvbench_qrpanic_ops.
#[repr(C)]
pub(crate) struct QrpanicOps {
    pub(crate) generate: unsafe extern "C" fn(
        url: *const c_char,
        data: *mut u8,
        data_len: usize,
        data_size: usize,
        tmp: *mut u8,
        tmp_size: usize,
    ) -> u8,
    pub(crate) max_data_size: extern "C" fn(version: u8, url_len: usize) -> usize,
}

/// struct drvbench_plugin. A component the plugin does not implement has a NULL table
/// (`None`, or a null `*const c_void` until the component's Rust ops type exists).
#[repr(C)]
pub(crate) struct Plugin {
    pub(crate) abi_version: u32,
    pub(crate) impl_: *const c_char,
    pub(crate) variant: *const c_char,
    pub(crate) compiler: *const c_char,
    pub(crate) compiler_version: *const c_char,
    pub(crate) flags: *const c_char,
    pub(crate) qrpanic: Option<&'static QrpanicOps>,
    pub(crate) nullblk: *const c_void,
    pub(crate) ringbuf: *const c_void,
}

// SAFETY: every pointer in a `Plugin` points to immutable `'static` data (the NUL-terminated
// string constants below and the ops tables), which is never written through them; sharing
// a `&Plugin` between threads therefore shares only read-only data.
unsafe impl Sync for Plugin {}

/// A build-time string as a C string: `env_cstr!("NAME")` is the NUL-terminated value of the
/// environment variable NAME when rustc ran.
macro_rules! env_cstr {
    ($name:literal) => {
        concat!(env!($name), "\0").as_ptr().cast::<core::ffi::c_char>()
    };
}

/// The plugin description with this build's identity and the given qrpanic ops.
/// `nullblk` is the component's `struct drvbench_nullblk_ops` (its Rust type lives in
/// rust_drivers/nullblk/bindings.rs, which the kernel peer's crate does not have), or null.
pub(crate) const fn describe(qrpanic: Option<&'static QrpanicOps>, nullblk: *const c_void) -> Plugin {
    Plugin {
        abi_version: ABI_VERSION,
        impl_: env_cstr!("DRVBENCH_IMPL"),
        variant: env_cstr!("DRVBENCH_VARIANT"),
        compiler: c"rustc".as_ptr(),
        compiler_version: env_cstr!("DRVBENCH_COMPILER_VERSION"),
        flags: env_cstr!("DRVBENCH_FLAGS"),
        qrpanic,
        nullblk,
        ringbuf: core::ptr::null(),
    }
}

/// describe() with a ringbuf ops table too (struct drvbench_ringbuf_ops: its repr(C) type
/// lives in the component's bindings module, rust_drivers/ringbuf/bindings.rs).
pub(crate) const fn describe_with_ringbuf(
    qrpanic: Option<&'static QrpanicOps>,
    nullblk: *const c_void,
    ringbuf: *const c_void,
) -> Plugin {
    let mut p = describe(qrpanic, nullblk);
    p.ringbuf = ringbuf;
    p
}

/// `const struct drvbench_plugin *drvbench_plugin(void)`: the one exported symbol. The
/// crate root defines `static PLUGIN: Plugin`.
#[no_mangle]
pub extern "C" fn drvbench_plugin() -> &'static Plugin {
    &crate::PLUGIN
}
