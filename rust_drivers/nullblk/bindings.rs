// SPDX-License-Identifier: MIT
//! The C ABI of nullblk (include/drvbench/nullblk.h): the one module of the
//! component with `unsafe`, as the kernel's rust/ keeps it in its bindings and
//! abstractions. Here the caller's raw pointers become references and slices
//! with exactly the sizes the caller declared: the opaque device handle, the
//! config and its bad-block list, the ios and cqes arrays, the error buffer,
//! and each I/O's buffer (`Data`, turned into a slice only when the transfer
//! needs it). Every `unsafe` block says which promise of the ABI makes it sound.

use core::ffi::{c_char, c_void};
use core::ptr;

use super::config::{self, Attributes};
use super::mq::{Sector, TagSet};
use super::null_blk::NullBlk;

// ---- the ABI's types (nullblk.h), layout-compatible ----

/// struct drvbench_nb_badblock: [start, start + nr_sectors), in sectors.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct BadBlock {
    pub start: u64,
    pub nr_sectors: u64,
}

/// struct drvbench_nullblk_config
#[repr(C)]
pub struct NbConfig {
    pub size: u64,
    pub blocksize: u32,
    pub submit_queues: u32,
    pub hw_queue_depth: u32,
    pub irqmode: u32,
    pub completion_nsec: u64,
    pub memory_backed: u32,
    pub discard: u32,
    pub badblocks: *const BadBlock,
    pub nr_badblocks: u32,
}

/// struct drvbench_nullblk_io, read in place from the caller's array.
#[repr(C)]
pub struct NbIo {
    op: u32,
    nr_bytes: u32,
    sector: u64,
    buf: *mut c_void,
    user_data: u64,
}

impl NbIo {
    #[inline]
    pub fn op(&self) -> u32 {
        self.op
    }
    #[inline]
    pub fn nr_bytes(&self) -> u32 {
        self.nr_bytes
    }
    #[inline]
    pub fn sector(&self) -> Sector {
        Sector(self.sector)
    }
    #[inline]
    pub fn user_data(&self) -> u64 {
        self.user_data
    }
}

/// struct drvbench_nullblk_cqe
#[repr(C)]
pub struct Cqe {
    pub user_data: u64,
    pub status: i32,
    pub reserved: u32,
}

/// struct drvbench_nullblk_stats
#[repr(C)]
#[derive(Default, Clone, Copy, Debug)]
pub struct Stats {
    pub submitted: u64,
    pub busy: u64,
    pub completed: u64,
    pub errors: u64,
    pub req_alloc: u64,
    pub req_free: u64,
    pub pages: u64,
}

/// struct drvbench_nullblk_ops
#[repr(C)]
pub struct NullblkOps {
    pub create: unsafe extern "C" fn(*const NbConfig, *mut c_char, usize) -> *mut Device,
    pub destroy: unsafe extern "C" fn(*mut Device),
    pub submit: unsafe extern "C" fn(*mut Device, u32, *const NbIo, u32, u64) -> u32,
    pub complete: unsafe extern "C" fn(*mut Device, u32, u64, *mut Cqe, u32) -> u32,
    pub stats: unsafe extern "C" fn(*const Device, *mut Stats),
}

const _: () = assert!(core::mem::size_of::<NbConfig>() == 56);
const _: () = assert!(core::mem::size_of::<NbIo>() == 32);
const _: () = assert!(core::mem::size_of::<Cqe>() == 16);
const _: () = assert!(core::mem::size_of::<Stats>() == 56);
const _: () = assert!(core::mem::size_of::<BadBlock>() == 16);

/// The ops table the plugin exports.
pub const OPS: NullblkOps = NullblkOps {
    create: nb_create,
    destroy: nb_destroy,
    submit: nb_submit,
    complete: nb_complete,
    stats: nb_stats,
};

static OPS_TABLE: NullblkOps = OPS;
/// The table as the plugin description holds it (`const struct drvbench_nullblk_ops *`).
pub const OPS_PTR: *const c_void = (&OPS_TABLE as *const NullblkOps).cast();

// ---- the device behind the opaque handle ----

/// What `struct drvbench_nullblk_dev *` points to.
pub struct Device {
    set: TagSet<NullBlk>,
}

const fn assert_sync<T: Sync>() {}
// The driver (config, bad blocks, Mutex<Backing>, atomic page count) is Sync
// by itself; only the queues (Cells) are not.
const _: () = assert_sync::<NullBlk>();

// SAFETY: `Device` is `!Sync` only through its hardware queues, whose state
// is in `Cell`s. The ABI lets several threads call in at once on one device,
// but promises that one thread at a time drives a given queue (nullblk.h:
// "One thread drives one hardware queue") and that stats() is called while the
// queues are quiet. Every entry point below touches only the queue it was
// called for (TagSet::submit/complete take that one `&HwQueue`), so no `Cell`
// is ever accessed from two threads at once; what queues share, the driver, is
// `Sync` (checked above).
unsafe impl Sync for Device {}

/// A `Box<Device>` allocated fallibly ("device: out of memory" instead of an
/// abort): a one-element boxed array, whose pointer is the device's.
fn try_box(dev: Device) -> Option<Box<[Device; 1]>> {
    let mut v: Vec<Device> = Vec::new();
    v.try_reserve_exact(1).ok()?;
    v.push(dev);
    v.into_boxed_slice().try_into().ok()
}

// ---- an I/O's data ----

/// The caller's buffer of one I/O (`io.buf`, `io.nr_bytes`), borrowed for the
/// submit call that transfers it. It becomes a slice only when the driver
/// transfers: an I/O that fails its checks, or a device without memory
/// backing, never makes a reference to it. The pointer is read from the I/O
/// when it is needed (no copy of it travels with the request).
pub struct Data<'a> {
    io: &'a NbIo,
}

impl<'a> Data<'a> {
    /// # Safety
    /// `io.buf` is NULL, or valid for reads and writes of `io.nr_bytes` bytes
    /// and not accessed by anyone else for `'a`; and this is the only `Data`
    /// of `io` (its slices are then the only references to the buffer).
    unsafe fn new(io: &'a NbIo) -> Self {
        Data { io }
    }

    /// Whether the caller passed a buffer.
    #[inline]
    pub fn is_some(&self) -> bool {
        !self.io.buf.is_null()
    }

    /// The buffer to read into.
    #[inline]
    pub fn bytes_mut(&mut self) -> Option<&mut [u8]> {
        let p = self.io.buf.cast::<u8>();
        if p.is_null() {
            return None;
        }
        // SAFETY: by `new`'s contract the buffer is valid for writes of
        // nr_bytes bytes and ours for 'a, and this `Data` is its only one;
        // `&mut self` makes this the only slice of it.
        Some(unsafe { core::slice::from_raw_parts_mut(p, self.io.nr_bytes as usize) })
    }

    /// The buffer to write from.
    #[inline]
    pub fn bytes(&self) -> Option<&[u8]> {
        let p = self.io.buf.cast::<u8>().cast_const();
        if p.is_null() {
            return None;
        }
        // SAFETY: by `new`'s contract the buffer is valid for reads of
        // nr_bytes bytes and ours for 'a; `&self` allows no `bytes_mut` meanwhile.
        Some(unsafe { core::slice::from_raw_parts(p, self.io.nr_bytes as usize) })
    }
}

// ---- the ops ----

/// Like snprintf into err: cut to err_size - 1 bytes, NUL-terminated.
///
/// # Safety
/// `err` is NULL or valid for writes of `err_size` bytes.
unsafe fn write_error(err: *mut c_char, err_size: usize, msg: &[u8]) {
    if err.is_null() || err_size == 0 {
        return;
    }
    // SAFETY: the caller's contract (create()'s: err holds err_size bytes).
    let out = unsafe { core::slice::from_raw_parts_mut(err.cast::<u8>(), err_size) };
    let n = msg.len().min(err_size - 1);
    if let (Some(dst), Some(src)) = (out.get_mut(..n), msg.get(..n)) {
        dst.copy_from_slice(src);
    }
    if let Some(nul) = out.get_mut(n) {
        *nul = 0;
    }
}

/// # Safety
/// The ABI's create(): `cfg` NULL or a valid config whose `badblocks` holds
/// `nr_badblocks` ranges (or is NULL); `err` NULL or `err_size` writable bytes.
unsafe extern "C" fn nb_create(cfg: *const NbConfig, err: *mut c_char, err_size: usize) -> *mut Device {
    // SAFETY: `cfg` is NULL or a valid config for this call (the ABI).
    let Some(cfg) = (unsafe { cfg.as_ref() }) else {
        // SAFETY: `err` as the ABI promises.
        unsafe { write_error(err, err_size, b"config: NULL") };
        return ptr::null_mut();
    };
    let badblocks: Option<&[BadBlock]> = if cfg.badblocks.is_null() {
        None
    } else if cfg.nr_badblocks == 0 {
        Some(&[])
    } else {
        // SAFETY: a non-NULL list holds nr_badblocks ranges for this call (the
        // ABI); validate() only reads it, create copies it.
        Some(unsafe { core::slice::from_raw_parts(cfg.badblocks, cfg.nr_badblocks as usize) })
    };
    let attrs = Attributes {
        size: cfg.size,
        blocksize: cfg.blocksize,
        submit_queues: cfg.submit_queues,
        hw_queue_depth: cfg.hw_queue_depth,
        irqmode: cfg.irqmode,
        completion_nsec: cfg.completion_nsec,
        memory_backed: cfg.memory_backed,
        discard: cfg.discard,
        nr_badblocks: cfg.nr_badblocks,
        badblocks,
    };
    let config = match config::validate(&attrs) {
        Ok(c) => c,
        Err(line) => {
            // SAFETY: `err` as the ABI promises.
            unsafe { write_error(err, err_size, line.as_bytes()) };
            return ptr::null_mut();
        }
    };
    let dev = NullBlk::new(&config)
        .and_then(|drv| TagSet::new(config.submit_queues, config.hw_queue_depth, drv))
        .and_then(|set| try_box(Device { set }));
    match dev {
        // Ownership passes to the caller until nb_destroy().
        Some(b) => Box::into_raw(b).cast::<Device>(),
        None => {
            // SAFETY: `err` as the ABI promises.
            unsafe { write_error(err, err_size, b"device: out of memory") };
            ptr::null_mut()
        }
    }
}

/// # Safety
/// `dev` is NULL or a handle from nb_create() not yet destroyed, and no other
/// call on it runs or follows.
unsafe extern "C" fn nb_destroy(dev: *mut Device) {
    if dev.is_null() {
        return;
    }
    // SAFETY: `dev` came from Box::into_raw of a Box<[Device; 1]> in
    // nb_create() and comes back once (the ABI); it dies here.
    drop(unsafe { Box::from_raw(dev.cast::<[Device; 1]>()) });
}

/// # Safety
/// `dev` NULL or a live handle; `ios` NULL or `n` valid I/Os whose buffers are
/// NULL or `nr_bytes` bytes owned by the device until reaped; one thread at a
/// time on queue `hctx` (the ABI).
unsafe extern "C" fn nb_submit(dev: *mut Device, hctx: u32, ios: *const NbIo, n: u32, now_ns: u64) -> u32 {
    if dev.is_null() || (ios.is_null() && n != 0) {
        return 0;
    }
    // SAFETY: a live handle from nb_create(); shared use is sound (see the
    // `Sync` impl): this call drives only queue `hctx`, which is ours now.
    let d = unsafe { &*dev };
    let Some(q) = d.set.queue(hctx) else { return 0 };
    let ios: &[NbIo] = if n == 0 {
        &[]
    } else {
        // SAFETY: `ios` points to `n` I/Os, read-only, for this call (the ABI).
        unsafe { core::slice::from_raw_parts(ios, n as usize) }
    };
    let mut accepted = 0;
    for io in ios {
        // SAFETY: io.buf is NULL or io.nr_bytes bytes that the caller leaves
        // to the device until the I/O is reaped (the ABI); the driver touches
        // them only during this call, and this is the I/O's one `Data`.
        let data = unsafe { Data::new(io) };
        if !d.set.submit(q, io, data, now_ns) {
            break;
        }
        accepted += 1;
    }
    accepted
}

/// # Safety
/// `dev` NULL or a live handle; `cqes` NULL or `max` writable cqes; one thread
/// at a time on queue `hctx` (the ABI).
unsafe extern "C" fn nb_complete(dev: *mut Device, hctx: u32, now_ns: u64, cqes: *mut Cqe, max: u32) -> u32 {
    if dev.is_null() || (cqes.is_null() && max != 0) {
        return 0;
    }
    // SAFETY: as in nb_submit: a live handle, this call drives queue `hctx` only.
    let d = unsafe { &*dev };
    let Some(q) = d.set.queue(hctx) else { return 0 };
    let cqes: &mut [Cqe] = if max == 0 {
        &mut []
    } else {
        // SAFETY: `cqes` points to `max` cqes the caller gave us to fill (the ABI).
        unsafe { core::slice::from_raw_parts_mut(cqes, max as usize) }
    };
    d.set.complete(q, now_ns, cqes)
}

/// # Safety
/// `dev` NULL or a live handle whose queues are quiet; `out` NULL or writable.
unsafe extern "C" fn nb_stats(dev: *const Device, out: *mut Stats) {
    // SAFETY: `out` is NULL or a writable stats struct (the ABI).
    let Some(out) = (unsafe { out.as_mut() }) else { return };
    // SAFETY: a live handle; the ABI has stats() called while no queue runs,
    // so reading every queue's counters races with nothing.
    *out = match unsafe { dev.as_ref() } {
        Some(d) => d.set.stats(),
        None => Stats::default(),
    };
}
