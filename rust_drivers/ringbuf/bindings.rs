// SPDX-License-Identifier: MIT
//! The one place where the Rust ringbuf meets raw pointers (DESIGN.md "Safe Rust here means",
//! as the kernel's `rust/` bindings are): the C ABI of `include/drvbench/ringbuf.h`, the
//! mappings of ring memory, the io_uring instance (through `helpers.c`, the way the kernel's
//! `rust/helpers/` wraps static inline C), the CRC-32C dispatch to SSE4.2 and the prefetch.
//! Every `unsafe` block of the component is in this file and says why it is sound.
//!
//! The ABI's threading contract is what makes the exclusive borrows made here sound: producer
//! thread `i` alone calls reserve/commit/write/finish for index `i`, one drain thread calls
//! drain, and create/destroy/stats run with no other call in progress.
#![allow(unsafe_code)]

use core::cell::UnsafeCell;
use core::ffi::{c_char, c_int, c_uint, c_void};
use core::ptr::NonNull;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};

use super::ringbuf::{self as rbcore, ProducerState, RingBuf, Shared, Stats};

// ---- the C ABI (include/drvbench/ringbuf.h) ----

/// `struct drvbench_ringbuf_config`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Config {
    pub producers: u32,
    pub ring_size: u32,
    pub policy: u32,
    pub batch: u32,
    pub max_chunk: u32,
    pub fd: i32,
    pub offset: u64,
    pub inject_errno: u32,
    pub inject_after: u32,
}

/// `struct drvbench_ringbuf_pstats`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct PStats {
    pub produced: u64,
    pub dropped: u64,
    pub persisted: u64,
    pub failed: u64,
    pub lost_markers: u64,
    pub waits: u64,
}

/// `struct drvbench_ringbuf_stats`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct CStats {
    pub error: i32,
    pub producers: u32,
    pub file_bytes: u64,
    pub chunks: u64,
    pub submits: u64,
    pub writes: u64,
    pub short_writes: u64,
    pub batch_hist: [u64; 9],
    pub p: [PStats; rbcore::MAX_PRODUCERS as usize],
}

const _: () = assert!(core::mem::size_of::<Config>() == 40);
const _: () = assert!(core::mem::size_of::<PStats>() == 48);
const _: () = assert!(core::mem::size_of::<CStats>() == 8 + 5 * 8 + 9 * 8 + 64 * 48);

/// `struct drvbench_ringbuf_ops`.
#[repr(C)]
pub struct Ops {
    pub create: unsafe extern "C" fn(*const Config, *mut c_char, usize) -> *mut RingBuf,
    pub destroy: unsafe extern "C" fn(*mut RingBuf),
    pub reserve: unsafe extern "C" fn(*mut RingBuf, u32, u32, *mut *mut c_void) -> c_int,
    pub commit: unsafe extern "C" fn(*mut RingBuf, u32),
    pub write: unsafe extern "C" fn(*mut RingBuf, u32, *const c_void, u32) -> c_int,
    pub finish: unsafe extern "C" fn(*mut RingBuf, u32) -> c_int,
    pub drain: unsafe extern "C" fn(*mut RingBuf, u32) -> c_int,
    pub stats: unsafe extern "C" fn(*const RingBuf, *mut CStats),
}

/// The ops table: a const, so that the plugin root and the fuzz library can each make their
/// own static of it (`&RINGBUF_OPS` is promoted to one).
pub const RINGBUF_OPS: Ops = Ops {
    create: rb_create,
    destroy: rb_destroy,
    reserve: rb_reserve,
    commit: rb_commit,
    write: rb_write,
    finish: rb_finish,
    drain: rb_drain,
    stats: rb_stats,
};

/// Writes msg into the caller's buffer as vsnprintf() would: truncated, NUL-terminated.
fn put_error(err: *mut c_char, err_size: usize, msg: &str) {
    if err.is_null() || err_size == 0 {
        return;
    }
    let n = msg.len().min(err_size - 1);
    // SAFETY: the caller passes a buffer of err_size bytes (ringbuf.h, create()); n + 1 <=
    // err_size bytes are written, and msg is a distinct Rust string.
    unsafe {
        core::ptr::copy_nonoverlapping(msg.as_ptr(), err.cast::<u8>(), n);
        *err.add(n) = 0;
    }
}

unsafe extern "C" fn rb_create(cfg: *const Config, err: *mut c_char, err_size: usize) -> *mut RingBuf {
    // SAFETY: the caller passes a valid config (ringbuf.h); it is copied, not kept.
    let cfg = unsafe { *cfg };
    match RingBuf::create(&cfg) {
        Ok(rb) => Box::into_raw(rb),
        Err(msg) => {
            put_error(err, err_size, &msg);
            core::ptr::null_mut()
        }
    }
}

unsafe extern "C" fn rb_destroy(rb: *mut RingBuf) {
    if !rb.is_null() {
        // SAFETY: rb came from Box::into_raw() in rb_create() and no other call is in
        // progress (ringbuf.h): the box is taken back exactly once. Its Drop waits for every
        // write in flight before the ring memory is unmapped.
        drop(unsafe { Box::from_raw(rb) });
    }
}

#[inline]
unsafe extern "C" fn rb_reserve(rb: *mut RingBuf, producer: u32, len: u32, payload: *mut *mut c_void) -> c_int {
    // SAFETY: rb is a live handle from rb_create(); shared, as every thread holds it.
    let rb = unsafe { &*rb };
    let Some(ring) = rb.sh.rings.get(producer as usize) else {
        return rbcore::neg(rbcore::EINVAL);
    };
    // SAFETY: only producer thread `producer` calls for this ring (ringbuf.h), so this is the
    // only reference to its producer state while the call runs.
    let st = unsafe { ring.p.state.get_unchecked_mut() };
    match rb.sh.reserve(ring, st, len) {
        Ok(off) => {
            // SAFETY: payload is the caller's out-pointer (ringbuf.h, reserve()).
            unsafe { *payload = ring.mem.addr(off).cast::<c_void>() };
            0
        }
        Err(e) => e,
    }
}

#[inline]
unsafe extern "C" fn rb_commit(rb: *mut RingBuf, producer: u32) {
    // SAFETY: as in rb_reserve.
    let rb = unsafe { &*rb };
    if let Some(ring) = rb.sh.rings.get(producer as usize) {
        // SAFETY: as in rb_reserve: the calling thread owns this ring's producer state.
        let st = unsafe { ring.p.state.get_unchecked_mut() };
        Shared::commit(ring, st);
    }
}

unsafe extern "C" fn rb_write(rb: *mut RingBuf, producer: u32, data: *const c_void, len: u32) -> c_int {
    // SAFETY: as in rb_reserve.
    let rb = unsafe { &*rb };
    let Some(ring) = rb.sh.rings.get(producer as usize) else {
        return rbcore::neg(rbcore::EINVAL);
    };
    let src: &[u8] = if len == 0 || data.is_null() {
        &[]
    } else {
        // SAFETY: the caller passes len readable bytes at data (ringbuf.h, write()); they are
        // the caller's, not ring memory, and only read during the call.
        unsafe { core::slice::from_raw_parts(data.cast::<u8>(), len as usize) }
    };
    // SAFETY: as in rb_reserve: the calling thread owns this ring's producer state.
    let st = unsafe { ring.p.state.get_unchecked_mut() };
    rb.sh.write(ring, st, len, src)
}

unsafe extern "C" fn rb_finish(rb: *mut RingBuf, producer: u32) -> c_int {
    // SAFETY: as in rb_reserve.
    let rb = unsafe { &*rb };
    let Some(ring) = rb.sh.rings.get(producer as usize) else {
        return rbcore::neg(rbcore::EINVAL);
    };
    // SAFETY: as in rb_reserve: the calling thread owns this ring's producer state.
    let st = unsafe { ring.p.state.get_unchecked_mut() };
    rb.sh.finish(ring, st)
}

unsafe extern "C" fn rb_drain(rb: *mut RingBuf, flags: u32) -> c_int {
    // SAFETY: as in rb_reserve.
    let rb = unsafe { &*rb };
    // SAFETY: one drain thread calls drain() (ringbuf.h): the only reference to the drain state.
    let d = unsafe { rb.drain.0.get_unchecked_mut() };
    d.drain(&rb.sh, flags)
}

unsafe extern "C" fn rb_stats(rb: *const RingBuf, out: *mut CStats) {
    // SAFETY: as in rb_reserve.
    let rb = unsafe { &*rb };
    // SAFETY: stats() runs with no other call in progress (ringbuf.h): nothing writes the
    // producer or drain states while these shared references live.
    let producers: Vec<&ProducerState> = rb.sh.rings.iter().map(|r| unsafe { &*r.p.state.0.get() }).collect();
    // SAFETY: as just above.
    let drain = unsafe { &*rb.drain.0 .0.get() };
    let s: Stats = rb.sh.stats(drain, &producers);
    let mut c = CStats {
        error: s.error,
        producers: s.producers,
        file_bytes: s.file_bytes,
        chunks: s.chunks,
        submits: s.submits,
        writes: s.writes,
        short_writes: s.short_writes,
        batch_hist: s.batch_hist,
        p: [PStats::default(); rbcore::MAX_PRODUCERS as usize],
    };
    for (dst, src) in c.p.iter_mut().zip(s.p.iter()) {
        *dst = *src;
    }
    // SAFETY: out is the caller's stats buffer (ringbuf.h, stats()).
    unsafe { out.write(c) };
}

// ---- state owned by one thread ----

/// A value that the ABI's threading contract gives to one thread at a time (a producer's
/// state to its producer thread, the drain state to the drain thread). Safe code reaches it
/// only through `&mut` (destroy); the ABI entry points above hand out the exclusive borrow.
pub struct ThreadCell<T>(UnsafeCell<T>);

// SAFETY: the contents are only reached by one thread at a time (the ABI contract above), and
// T: Send lets them move between threads.
unsafe impl<T: Send> Sync for ThreadCell<T> {}

impl<T> ThreadCell<T> {
    pub const fn new(v: T) -> Self {
        Self(UnsafeCell::new(v))
    }
    pub fn get_mut(&mut self) -> &mut T {
        self.0.get_mut()
    }
    /// # Safety
    /// The caller is the one thread the ABI contract gives this value to, and holds no other
    /// reference to it.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    unsafe fn get_unchecked_mut(&self) -> &mut T {
        // SAFETY: the caller's contract (above).
        unsafe { &mut *self.0.get() }
    }
}

// ---- ring memory ----

const PROT_READ: c_int = 1;
const PROT_WRITE: c_int = 2;
const MAP_PRIVATE: c_int = 2;
const MAP_ANONYMOUS: c_int = 0x20;
const MAP_POPULATE: c_int = 0x8000;

extern "C" {
    fn mmap(addr: *mut c_void, len: usize, prot: c_int, flags: c_int, fd: c_int, off: i64) -> *mut c_void;
    fn munmap(addr: *mut c_void, len: usize) -> c_int;
}

/// Anonymous, populated, read-write memory (a ring, or the chunk header slab) that the
/// producer, the drain and the kernel (io_uring fixed-buffer writes) share. Every access is
/// bounds-checked against the mapping. Which bytes each side may touch at a time is the SPSC
/// protocol's business (docs/ringbuf.md): the producer writes only [pos, tail + size), the
/// drain and the kernel read only committed bytes below head, and ring space is released
/// (tail stored with release) only after the kernel's write of it has completed.
pub struct RingMem {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory owned by this value; which thread touches which bytes
// is governed by the ring protocol with acquire/release indices (above).
unsafe impl Send for RingMem {}
// SAFETY: as for Send.
unsafe impl Sync for RingMem {}

impl RingMem {
    /// Maps len bytes (mmap MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE), or the errno.
    pub fn map(len: usize) -> Result<Self, i32> {
        // SAFETY: an anonymous mapping at an address of the kernel's choice touches no
        // existing memory.
        let p = unsafe {
            mmap(core::ptr::null_mut(), len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0)
        };
        if p as isize == -1 {
            return Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(rbcore::ENOMEM));
        }
        match NonNull::new(p.cast::<u8>()) {
            Some(ptr) => Ok(Self { ptr, len }),
            None => Err(rbcore::ENOMEM),
        }
    }

    /// The address of byte off, for the C caller (a payload pointer): no access is made.
    #[inline(always)]
    pub fn addr(&self, off: u32) -> *mut u8 {
        self.ptr.as_ptr().wrapping_add(off as usize)
    }

    /// Stores N little-endian 64-bit words at off; false (nothing stored) when out of bounds.
    #[inline(always)]
    pub fn store_words<const N: usize>(&self, off: u32, w: [u64; N]) -> bool {
        let off = off as usize; // a u32: off + 8N cannot overflow a usize
        if off + 8 * N > self.len {
            return false;
        }
        for (i, v) in w.iter().enumerate() {
            // SAFETY: [off, off + 8N) is inside the mapping (checked above); unaligned
            // writes; bytes the ring protocol gives to the caller's side.
            unsafe { self.ptr.as_ptr().add(off + 8 * i).cast::<u64>().write_unaligned(v.to_le()) };
        }
        true
    }

    /// Stores a little-endian u32 at off; false when out of bounds.
    #[inline(always)]
    pub fn store_u32(&self, off: u32, v: u32) -> bool {
        let off = off as usize;
        if off + 4 > self.len {
            return false;
        }
        // SAFETY: inside the mapping (checked above); as in store_words.
        unsafe { self.ptr.as_ptr().add(off).cast::<u32>().write_unaligned(v.to_le()) };
        true
    }

    /// Zeroes [off, off + n); false when out of bounds.
    #[inline(always)]
    pub fn zero(&self, off: u32, n: u32) -> bool {
        let (off, n) = (off as usize, n as usize);
        if off + n > self.len {
            return false;
        }
        // SAFETY: inside the mapping (checked above); as in store_words.
        unsafe { core::ptr::write_bytes(self.ptr.as_ptr().add(off), 0, n) };
        true
    }

    /// Copies src to off; false when out of bounds.
    #[inline(always)]
    pub fn copy_in(&self, off: u32, src: &[u8]) -> bool {
        let off = off as usize;
        if src.len() > self.len || off > self.len - src.len() {
            return false;
        }
        // SAFETY: the destination is inside the mapping (checked above) and is the open
        // reservation of the calling producer; src is the caller's memory, not the ring.
        unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), self.ptr.as_ptr().add(off), src.len()) };
        true
    }

    #[inline(always)]
    pub fn load_u64(&self, off: u32) -> Option<u64> {
        let off = off as usize;
        if off + 8 > self.len {
            return None;
        }
        // SAFETY: inside the mapping (checked above); committed bytes (acquire on head).
        Some(u64::from_le(unsafe { self.ptr.as_ptr().add(off).cast::<u64>().read_unaligned() }))
    }

    /// The committed bytes [off, off + n) as a slice (for the checksum); None when out of
    /// bounds.
    #[inline(always)]
    pub fn bytes(&self, off: u32, n: u32) -> Option<&[u8]> {
        let (off, n) = (off as usize, n as usize);
        if off + n > self.len {
            return None;
        }
        // SAFETY: inside the mapping (checked above). The drain takes slices only of committed
        // bytes below head (acquire), which no producer writes until the drain releases them
        // with tail, after the slice is gone; the kernel only reads them.
        Some(unsafe { core::slice::from_raw_parts(self.ptr.as_ptr().add(off), n) })
    }

    /// An iovec for io_uring_register_buffers().
    fn iovec(&self) -> IoVec {
        IoVec { base: self.ptr.as_ptr().cast::<c_void>(), len: self.len }
    }

    /// Prefetches the line of byte off (masked into the mapping by the caller); never faults.
    #[inline(always)]
    pub fn prefetch(&self, off: u32) {
        #[cfg(target_arch = "x86_64")]
        {
            use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let p = self.ptr.as_ptr().wrapping_add(off as usize);
            // SAFETY: a prefetch is a hint: it never faults and changes no memory.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = off;
    }
}

impl Drop for RingMem {
    fn drop(&mut self) {
        // SAFETY: the mapping made in map(); the kernel no longer reads it (the ringbuf's Drop
        // waited for every write and the io_uring instance, dropped first, unregistered it).
        unsafe { munmap(self.ptr.as_ptr().cast::<c_void>(), self.len) };
    }
}

// ---- io_uring, through helpers.c ----

#[repr(C)]
struct IoVec {
    base: *mut c_void,
    len: usize,
}

#[repr(C)]
struct IoUringOpaque {
    _private: [u8; 0],
}

/// One completion: `struct rust_helper_cqe` of helpers.c.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Cqe {
    pub user_data: u64,
    pub res: i32,
    pub flags: u32,
}

extern "C" {
    fn rust_helper_io_uring_new(entries: c_uint, ret: *mut c_int) -> *mut IoUringOpaque;
    fn rust_helper_io_uring_register_buffers(ring: *mut IoUringOpaque, iov: *const IoVec, nr: c_uint) -> c_int;
    fn rust_helper_io_uring_free(ring: *mut IoUringOpaque, registered: c_int);
    fn rust_helper_io_uring_prep_write_fixed(
        ring: *mut IoUringOpaque,
        fd: c_int,
        buf: *const c_void,
        len: c_uint,
        off: u64,
        buf_index: c_int,
        user_data: u64,
    ) -> c_int;
    fn rust_helper_io_uring_prep_nop(ring: *mut IoUringOpaque, user_data: u64) -> c_int;
    fn rust_helper_io_uring_submit(ring: *mut IoUringOpaque) -> c_int;
    fn rust_helper_io_uring_wait_cqe(ring: *mut IoUringOpaque) -> c_int;
    fn rust_helper_io_uring_reap(ring: *mut IoUringOpaque, out: *mut Cqe, max: c_uint) -> c_uint;
}

/// One io_uring instance with the rings and the slab registered as fixed buffers.
pub struct Uring {
    ring: NonNull<IoUringOpaque>,
    registered: bool,
}

// SAFETY: the instance is used by one thread at a time (the drain, or destroy).
unsafe impl Send for Uring {}

impl Uring {
    /// io_uring_queue_init(entries, flags 0); Err(-errno).
    pub fn new(entries: u32) -> Result<Self, i32> {
        let mut ret: c_int = 0;
        // SAFETY: ret is a valid out-pointer; the helper returns an owned instance or NULL.
        let p = unsafe { rust_helper_io_uring_new(entries, &mut ret) };
        match NonNull::new(p) {
            Some(ring) => Ok(Self { ring, registered: false }),
            None => Err(if ret < 0 { ret } else { -rbcore::ENOMEM }),
        }
    }

    /// Registers the memory of bufs as fixed buffers 0..n; 0 or -errno. The mappings must
    /// outlive this instance (the ringbuf drops its Uring before its rings and slab).
    pub fn register_buffers(&mut self, bufs: &[&RingMem]) -> i32 {
        let iov: Vec<IoVec> = bufs.iter().map(|m| m.iovec()).collect();
        let Ok(n) = c_uint::try_from(iov.len()) else {
            return -rbcore::EINVAL;
        };
        // SAFETY: iov holds n valid iovecs of live mappings; the kernel pins the pages, and
        // the registration ends in Drop before the mappings are unmapped (field order of
        // ringbuf::Drain and RingBuf).
        let ret = unsafe { rust_helper_io_uring_register_buffers(self.ring.as_ptr(), iov.as_ptr(), n) };
        self.registered = ret == 0;
        ret
    }

    /// Queues IORING_OP_WRITE_FIXED of buf at file offset off; false when the submission
    /// queue is full. buf must lie in fixed buffer `index`: the kernel checks that and
    /// completes the write with -EFAULT otherwise, so no other memory can be read.
    #[inline]
    pub fn prep_write_fixed(&mut self, fd: BorrowedFd<'_>, buf: &[u8], off: u64, index: u16, user_data: u64) -> bool {
        let Ok(len) = c_uint::try_from(buf.len()) else {
            return self.prep_nop(user_data); // cannot happen: chunks are < 4 GiB
        };
        // SAFETY: the SQE only names buf; the kernel reads it (a registered buffer, checked by
        // the kernel) until the completion, and the ringbuf keeps that memory mapped and
        // unreleased until then (ring space is released on completion; Drop waits).
        unsafe {
            rust_helper_io_uring_prep_write_fixed(
                self.ring.as_ptr(),
                fd.as_raw_fd(),
                buf.as_ptr().cast::<c_void>(),
                len,
                off,
                c_int::from(index),
                user_data,
            ) == 0
        }
    }

    /// Queues a NOP; false when the submission queue is full.
    #[inline]
    pub fn prep_nop(&mut self, user_data: u64) -> bool {
        // SAFETY: a live instance; a NOP touches no memory.
        unsafe { rust_helper_io_uring_prep_nop(self.ring.as_ptr(), user_data) == 0 }
    }

    #[inline]
    pub fn submit(&mut self) -> i32 {
        // SAFETY: a live instance; the queued SQEs name only memory as described above.
        unsafe { rust_helper_io_uring_submit(self.ring.as_ptr()) }
    }

    /// Blocks until a completion is available (EINTR retried); 0 or -errno.
    pub fn wait(&mut self) -> i32 {
        // SAFETY: a live instance.
        unsafe { rust_helper_io_uring_wait_cqe(self.ring.as_ptr()) }
    }

    /// Moves every available completion (at most out.len()) into out, in order; how many.
    #[inline]
    pub fn reap(&mut self, out: &mut [Cqe]) -> usize {
        let max = c_uint::try_from(out.len()).unwrap_or(c_uint::MAX);
        // SAFETY: out has room for max completions; the helper writes at most that many.
        let n = unsafe { rust_helper_io_uring_reap(self.ring.as_ptr(), out.as_mut_ptr(), max) };
        n as usize
    }
}

impl Drop for Uring {
    fn drop(&mut self) {
        // SAFETY: the instance from new(), freed exactly once.
        unsafe { rust_helper_io_uring_free(self.ring.as_ptr(), c_int::from(self.registered)) };
    }
}

// ---- file descriptors ----

/// dup() of the caller's descriptor (the component writes its own), or the errno.
pub fn dup_fd(fd: i32) -> Result<OwnedFd, i32> {
    if fd < 0 {
        return Err(rbcore::EBADF);
    }
    // SAFETY: the caller passes an open descriptor (ringbuf.h, config.fd) and keeps it open
    // during create(); it is only duplicated here.
    let b = unsafe { BorrowedFd::borrow_raw(fd) };
    b.try_clone_to_owned().map_err(|e| e.raw_os_error().unwrap_or(rbcore::EBADF))
}

// ---- CRC-32C: SSE4.2 behind run-time detection, as the C side ----

/// Running CRC-32C without the final inversion (the caller starts with !0 and inverts).
#[inline]
pub fn crc32c_update(crc: u32, p: &[u8]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("sse4.2") {
            // SAFETY: the CPU has SSE4.2 (detected just above), the only requirement of
            // crc32c_hw's #[target_feature].
            return unsafe { super::crc32c::crc32c_hw(crc, p) };
        }
    }
    super::crc32c::crc32c_sw(crc, p)
}
