// SPDX-License-Identifier: MIT
//! The shim `kernel` crate that the kernel's drivers/gpu/drm/drm_panic_qr.rs (Linux 6.12)
//! is compiled against, unmodified, as its own crate (rust_drivers/CMakeLists.txt): exactly
//! what that file uses of the kernel crate and nothing more, with the kernel's semantics.
//!   - `kernel::ffi::c_char`: C's `char`.
//!   - `kernel::str::CStr`: the kernel's CStr (rust/kernel/str.rs) is a `[u8]` that holds the
//!     bytes and the terminating NUL; drm_panic_qr.rs calls `CStr::from_char_ptr()` and
//!     `as_bytes()` (the bytes without the NUL).
//! 6.12's file marks its C entry points `#[no_mangle]` itself; later kernels write `#[export]`
//! (a proc macro of the kernel's `macros` crate), which this shim would then provide.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod ffi {
    /// C's `char`, as the kernel's `kernel::ffi::c_char`.
    #[allow(non_camel_case_types)]
    pub type c_char = core::ffi::c_char;
}

pub mod str {
    use super::ffi::c_char;

    /// A NUL-terminated byte string: the bytes including the NUL, as the kernel's CStr.
    #[repr(transparent)]
    pub struct CStr([u8]);

    impl CStr {
        /// Wraps a raw C string pointer, as the kernel's `CStr::from_char_ptr`.
        ///
        /// # Safety
        ///
        /// `ptr` must be a valid pointer to a NUL-terminated C string, which must stay
        /// valid and unchanged for the lifetime `'a`.
        pub unsafe fn from_char_ptr<'a>(ptr: *const c_char) -> &'a Self {
            // SAFETY: the caller guarantees a valid NUL-terminated string living for 'a.
            let bytes = unsafe { core::ffi::CStr::from_ptr(ptr) }.to_bytes_with_nul();
            // SAFETY: `CStr` is `repr(transparent)` over `[u8]`, so a `&[u8]` and a `&CStr`
            // have the same layout and metadata; the bytes end with their NUL, as CStr
            // requires.
            unsafe { &*(bytes as *const [u8] as *const CStr) }
        }

        /// The bytes without the trailing NUL.
        pub fn as_bytes(&self) -> &[u8] {
            match self.0.split_last() {
                Some((_nul, bytes)) => bytes,
                None => &[],
            }
        }
    }
}
