// SPDX-License-Identifier: MIT
//! The one place where the C ABI's raw pointers meet slices (the audited exception, as
//! the kernel's Rust bindings are, and as cpp_drivers/qrpanic/bindings.cpp is for C++).
//! The buffer-size contract is checked here, before any slice is made: the kernel's
//! encoder once trusted a size passed from C; here a size that cannot describe a buffer
//! is an error, never a slice. Every slice made here has exactly the size the caller
//! declared; the encoder never sees a pointer.

use core::ffi::{c_char, CStr};

use super::encoder::{self, MIN_DATA_SIZE, MIN_TMP_SIZE};
use crate::abi::QrpanicOps;

/// A size the caller may declare for a buffer: a slice can be no longer than isize::MAX.
fn describes_a_buffer(size: usize) -> bool {
    size <= isize::MAX as usize
}

/// drvbench_qrpanic_ops.generate.
///
/// # Safety
///
/// `url` is NULL or a NUL-terminated string; `data` is valid for reads and writes of
/// `data_size` bytes and `tmp` of `tmp_size` bytes, not overlapping, for the call
/// (include/drvbench/plugin.h). Sizes that break the contract are refused, not trusted.
unsafe extern "C" fn generate(
    url: *const c_char,
    data: *mut u8,
    data_len: usize,
    data_size: usize,
    tmp: *mut u8,
    tmp_size: usize,
) -> u8 {
    // Size checks come first, as in the kernel: a short buffer is never wrapped.
    if data_size < MIN_DATA_SIZE
        || tmp_size < MIN_TMP_SIZE
        || data_len > data_size
        || !describes_a_buffer(data_size)
        || !describes_a_buffer(tmp_size)
        || data.is_null()
        || tmp.is_null()
    {
        return 0;
    }
    let url = if url.is_null() {
        None
    } else {
        // SAFETY: the ABI (include/drvbench/plugin.h) makes a non-NULL `url` a
        // NUL-terminated string that stays valid and unchanged for the call.
        Some(unsafe { CStr::from_ptr(url) }.to_bytes())
    };
    // SAFETY: the ABI makes `data` valid for reads and writes of `data_size` bytes for the
    // call, not aliased by `tmp` or `url`; it is non-NULL (checked above) and `data_size`
    // is at most isize::MAX (checked above). u8 has no alignment or validity requirement.
    let data = unsafe { core::slice::from_raw_parts_mut(data, data_size) };
    // SAFETY: as for `data`: `tmp` is valid for reads and writes of `tmp_size` bytes,
    // non-NULL and not aliased, and `tmp_size` is at most isize::MAX (checked above).
    let tmp = unsafe { core::slice::from_raw_parts_mut(tmp, tmp_size) };
    match encoder::generate(url, data, data_len, tmp) {
        Ok(w) => w.0,
        Err(_) => 0,
    }
}

extern "C" fn max_data_size(version: u8, url_len: usize) -> usize {
    encoder::max_data_size(version, url_len)
}

pub(crate) static OPS: QrpanicOps = QrpanicOps { generate, max_data_size };
