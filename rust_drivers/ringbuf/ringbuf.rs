// SPDX-License-Identifier: MIT
//! ringbuf, safe Rust: per-producer record rings drained to storage through io_uring. The same
//! algorithm as c_drivers/ringbuf/ringbuf.c step for step (docs/ringbuf.md), with the same
//! atomics and orderings (the mapping is listed in docs/ringbuf.md):
//!   - one ring per producer, a power of two in size, indexed by free-running 64-bit positions;
//!     a record never straddles the end of the ring: the rest is filled with a PAD record;
//!   - SPSC protocol: commit publishes head with Release, the drain loads it with Acquire; the
//!     drain publishes tail with Release once the bytes below it are written, reserve loads it
//!     with Acquire. Each side caches the other's index;
//!   - the drain cuts the committed bytes of a ring into chunks of at most max_chunk bytes at
//!     record boundaries (a chunk may span the wrap), checksums them (CRC-32C) and writes each
//!     with up to three IORING_OP_WRITE_FIXED SQEs: its header from a registered header slab,
//!     the ring bytes before the wrap and after it, straight from the registered ring;
//!   - completions resume short writes; chunks retire in creation (= file offset) order;
//!   - a sink error stops gathering; drain(ALL) then settles the accounting and cuts the file.
//! Ring memory, io_uring and the C ABI are reached through bindings.rs only. Errors are values
//! (Result, or the ABI's negative errno); no input reaches a panic.
#![forbid(unsafe_code)]

use core::num::NonZeroU32;
use core::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::fs::File;
use std::os::fd::{AsFd, OwnedFd};

use super::bindings::{self, Config, Cqe, PStats, RingMem, ThreadCell, Uring};

pub const MAX_PRODUCERS: u32 = 64;
const MIN_RING_SIZE: u32 = 4096;
const MAX_RING_SIZE: u32 = 1 << 30;
const MAX_BATCH: u32 = 256;
const ALIGN: u32 = 8;
const HDR: u32 = 16; // DRVBENCH_RB_REC_HDR_SIZE
const LOST: u32 = 24; // DRVBENCH_RB_LOST_SIZE
const CHDR: u32 = 32; // DRVBENCH_RB_CHUNK_HDR_SIZE
const REC_DATA: u16 = 1;
const REC_LOST: u16 = 2;
const REC_PAD: u16 = 3;
const CHUNK_MAGIC: u32 = 0x4342_5244; // "DRBC"
const CHUNK_VERSION: u16 = 1;
const POLICY_DROP: u32 = 1;
const DRAIN_WAIT: u32 = 1;
const DRAIN_ALL: u32 = 2;
const MAX_PARTS: usize = 3; // chunk header, ring before the wrap, after it
const SPIN: u32 = 64; // pause loops before a full ring yields the CPU
const PREFETCH: u64 = 2048; // bytes the drain's record walk prefetches ahead

// errno values (Linux)
pub const EIO: i32 = 5;
pub const EBADF: i32 = 9;
pub const ENOMEM: i32 = 12;
pub const EFAULT: i32 = 14;
pub const EINVAL: i32 = 22;
pub const EMSGSIZE: i32 = 90;
pub const ENOBUFS: i32 = 105;
pub const EUCLEAN: i32 = 117;

/// -e, for an errno of any size (a configured inject_errno may be anything).
#[inline(always)]
pub const fn neg(e: i32) -> i32 {
    e.wrapping_neg()
}

/// Ring bytes a record with a payload of len bytes occupies (DRVBENCH_RB_REC_SPACE).
#[inline(always)]
const fn rec_space(len: u32) -> u64 {
    (len as u64 + HDR as u64 + ALIGN as u64 - 1) & !(ALIGN as u64 - 1)
}

/// The first 8 bytes of a record header: len, type, pad (little-endian).
#[inline(always)]
const fn hdr_word(len: u32, typ: u16, pad: u16) -> u64 {
    len as u64 | (typ as u64) << 32 | (pad as u64) << 48
}

/// Aligns its contents to a cache line of their own (C's ____cacheline_aligned).
#[repr(C, align(64))]
pub struct CacheAligned<T>(pub T);

// ---- data structures ----

/// A ring's producer-side fields: written by the producer thread only.
#[derive(Default)]
pub struct ProducerState {
    pos: u64, // reserve position: head + the open reservation
    open: u32, // bytes of the open reservation
    tail_cache: u64,
    seq: u64, // next sequence number
    lost_pending: u64, // dropped since the last marker
    lost_first: u64,
    produced: u64,
    dropped: u64,
    failed: u64,
    lost_markers: u64,
    waits: u64,
}

/// The producer's cache line: head and the producer state.
#[repr(C, align(64))]
pub struct ProducerSide {
    pub head: AtomicU64,
    pub state: ThreadCell<ProducerState>,
}

/// One ring: the producer's line, the drain's (tail), and the read-only memory description.
#[repr(C)]
pub struct Ring {
    pub p: ProducerSide,
    tail: CacheAligned<AtomicU64>,
    pub mem: RingMem,
    size: u32,
    mask: u32,
}

/// A ring's drain-side bookkeeping: written by the drain thread only (in the drain's state,
/// which the drain thread borrows as a whole; docs/design-notes.md).
#[derive(Default, Clone, Copy)]
struct DrainRing {
    sent: u64, // gathered into chunks up to here
    limit: u64, // committed bytes the drain knows of (head snapshot)
    next_seq: u64, // seq after the last gathered record
    persisted: u64,
    failed: u64,
}

#[derive(Default, Clone, Copy)]
struct Part {
    buf_index: u16, // fixed buffer: a ring, or `producers` for the slab
    off: u32, // offset in the fixed buffer
    len: u32,
    done: u32, // bytes written so far (short writes)
    file_off: u64,
    inject: u32, // errno this SQE completes with instead (the injected fault), or 0
}

#[derive(Default, Clone, Copy)]
struct Chunk {
    ring: u32,
    pending: u32, // parts not yet complete
    nr_parts: u32,
    nrec: u32, // DATA records
    end: u64, // ring position after the chunk
    file_len: u64,
    failed: bool,
    done: bool,
    part: [Part; MAX_PARTS],
}

/// The drain thread's state.
pub struct Drain {
    // Dropped first: unregisters the buffers before the slab and the rings are unmapped.
    uring: Uring,
    slab: RingMem, // batch chunk headers, registered as buffer `producers`
    fd: File,
    rings: Vec<DrainRing>,
    chunks: Vec<Chunk>,
    free_slots: Vec<u32>,
    nr_free: u32,
    order: Vec<u32>, // in-flight chunks in creation order
    order_head: u32,
    order_count: u32,
    queued: u32, // SQEs prepared, not yet submitted
    new_chunks: u32, // chunks prepared since the last submit
    rr: u32, // ring to gather first
    file_next: u64, // bytes assigned after offset
    durable: u64, // bytes of whole, retired chunks after offset
    stopped: bool, // the retire frontier met a failed chunk
    writes_issued: u64,
    chunks_done: u64,
    submits: u64,
    short_writes: u64,
    batch_hist: [u64; 9],
    cqes: Vec<Cqe>, // reap buffer: the whole completion queue
}

/// The component: what the C ABI's `struct drvbench_ringbuf *` points at.
pub struct RingBuf {
    /// drain state: the drain thread only. Declared first: dropped (io_uring instance
    /// unregistered and closed) before the rings are unmapped.
    pub drain: CacheAligned<ThreadCell<Drain>>,
    pub sh: Shared,
}

/// What every thread reads: the configuration, the sink error, the rings.
pub struct Shared {
    // read-only after create (producers read it on every reserve)
    nr: u32,
    ring_size: u32,
    policy: u32,
    batch: NonZeroU32,
    max_chunk: u32,
    is_reg: bool, // regular file: cut back on failure
    offset: u64,
    inject_errno: u32,
    inject_after: u32,

    error: CacheAligned<AtomicI32>,

    pub rings: Box<[Ring]>,
}

/// What stats() reports, before the C layout.
pub struct Stats {
    pub error: i32,
    pub producers: u32,
    pub file_bytes: u64,
    pub chunks: u64,
    pub submits: u64,
    pub writes: u64,
    pub short_writes: u64,
    pub batch_hist: [u64; 9],
    pub p: Vec<PStats>,
}

// ---- create / destroy ----

fn check_config(cfg: &Config) -> Result<NonZeroU32, String> {
    if cfg.producers < 1 || cfg.producers > MAX_PRODUCERS {
        return Err(format!("producers: {} is not in 1..{}", cfg.producers, MAX_PRODUCERS));
    }
    if !cfg.ring_size.is_power_of_two() || cfg.ring_size < MIN_RING_SIZE || cfg.ring_size > MAX_RING_SIZE {
        return Err(format!(
            "ring_size: {} is not a power of two in {}..{}",
            cfg.ring_size, MIN_RING_SIZE, MAX_RING_SIZE
        ));
    }
    if cfg.policy > POLICY_DROP {
        return Err(format!("policy: {} is neither block (0) nor drop (1)", cfg.policy));
    }
    let batch = match NonZeroU32::new(cfg.batch) {
        Some(b) if cfg.batch <= MAX_BATCH => b,
        _ => return Err(format!("batch: {} is not in 1..{}", cfg.batch, MAX_BATCH)),
    };
    if cfg.max_chunk < 64 || cfg.max_chunk % ALIGN != 0 {
        return Err(format!("max_chunk: {} is not a multiple of 8 and at least 64", cfg.max_chunk));
    }
    if cfg.fd < 0 {
        return Err(format!("fd: {} is not a file descriptor", cfg.fd));
    }
    Ok(batch)
}

/// strerror(e): the text std's io::Error shows, without its " (os error N)".
fn strerror(e: i32) -> String {
    let s = std::io::Error::from_raw_os_error(e).to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// A Vec of n default values, or None when the allocation fails (C: calloc() == NULL).
fn try_vec<T: Default + Clone>(n: usize) -> Option<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).ok()?;
    v.resize(n, T::default());
    Some(v)
}

impl RingBuf {
    /// Validates cfg, maps the rings, sets up io_uring with the rings and the chunk header
    /// slab registered as fixed buffers. Err: one line "attribute: what is wrong".
    pub fn create(cfg: &Config) -> Result<Box<RingBuf>, String> {
        let batch = check_config(cfg)?;
        let fd: OwnedFd = bindings::dup_fd(cfg.fd).map_err(|e| format!("fd: dup({}): {}", cfg.fd, strerror(e)))?;
        let fd = File::from(fd);
        let is_reg = fd.metadata().map(|m| m.file_type().is_file()).unwrap_or(false);

        let nb = cfg.batch as usize;
        let drain_state = (|| {
            let mut free_slots: Vec<u32> = try_vec(nb)?;
            for (i, s) in free_slots.iter_mut().enumerate() {
                *s = cfg.batch - 1 - i as u32; // slot 0 is taken first
            }
            Some((
                try_vec::<DrainRing>(cfg.producers as usize)?,
                try_vec::<Chunk>(nb)?,
                free_slots,
                try_vec::<u32>(nb)?,
                try_vec::<Cqe>(8 * nb)?, // the completion queue: 2 x (4 x batch) entries
            ))
        })();
        let Some((drain_rings, chunks, free_slots, order, cqes)) = drain_state else {
            return Err("memory: cannot allocate the drain state".to_string());
        };

        let mut rings: Vec<Ring> = Vec::new();
        if rings.try_reserve_exact(cfg.producers as usize).is_err() {
            return Err("memory: cannot allocate the ringbuf".to_string());
        }
        for i in 0..cfg.producers {
            let mem = RingMem::map(cfg.ring_size as usize).map_err(|e| {
                format!("ring_size: cannot map {} bytes for ring {}: {}", cfg.ring_size, i, strerror(e))
            })?;
            rings.push(Ring {
                p: ProducerSide { head: AtomicU64::new(0), state: ThreadCell::new(ProducerState::default()) },
                tail: CacheAligned(AtomicU64::new(0)),
                mem,
                size: cfg.ring_size,
                mask: cfg.ring_size - 1,
            });
        }
        let slab = RingMem::map(nb * CHDR as usize)
            .map_err(|e| format!("memory: cannot map the chunk header slab: {}", strerror(e)))?;

        let mut uring = Uring::new(cfg.batch * 4)
            .map_err(|e| format!("io_uring: io_uring_queue_init({}): {}", cfg.batch * 4, strerror(neg(e))))?;
        let mut bufs: Vec<&RingMem> = rings.iter().map(|r| &r.mem).collect();
        bufs.push(&slab);
        let ret = uring.register_buffers(&bufs);
        drop(bufs);
        if ret != 0 {
            return Err(format!(
                "io_uring: registering {} rings of {} bytes: {}",
                cfg.producers,
                cfg.ring_size,
                strerror(neg(ret))
            ));
        }

        let drain = Drain {
            uring,
            slab,
            fd,
            rings: drain_rings,
            chunks,
            free_slots,
            nr_free: cfg.batch,
            order,
            order_head: 0,
            order_count: 0,
            queued: 0,
            new_chunks: 0,
            rr: 0,
            file_next: 0,
            durable: 0,
            stopped: false,
            writes_issued: 0,
            chunks_done: 0,
            submits: 0,
            short_writes: 0,
            batch_hist: [0; 9],
            cqes,
        };
        Ok(Box::new(RingBuf {
            drain: CacheAligned(ThreadCell::new(drain)),
            sh: Shared {
            nr: cfg.producers,
            ring_size: cfg.ring_size,
            policy: cfg.policy,
            batch,
            max_chunk: cfg.max_chunk,
            is_reg,
            offset: cfg.offset,
            inject_errno: cfg.inject_errno,
            inject_after: cfg.inject_after,
            error: CacheAligned(AtomicI32::new(0)),
            rings: rings.into_boxed_slice(),
            },
        }))
    }
}

impl Drop for RingBuf {
    fn drop(&mut self) {
        // The kernel may still read ring memory: wait for every write before it is unmapped.
        let d = self.drain.0.get_mut();
        loop {
            d.submit();
            if d.order_count == 0 {
                break;
            }
            d.reap(&self.sh, true);
        }
    }
}

// ---- producer side ----

impl Shared {
    /// The sink error stored by the drain (0: none), with the ordering C uses at each site.
    #[inline(always)]
    fn error(&self, order: Ordering) -> i32 {
        self.error.0.load(order)
    }

    /// Waits until n bytes after st.pos are free. 0, -ENOBUFS (may_drop and full) or -errno of
    /// a failed sink.
    #[cold]
    fn make_room(&self, r: &Ring, st: &mut ProducerState, n: u64, may_drop: bool) -> i32 {
        let mut spins: u32 = 0;
        let mut waited = false;
        loop {
            st.tail_cache = r.tail.0.load(Ordering::Acquire);
            if st.pos + n - st.tail_cache <= u64::from(r.size) {
                return 0;
            }
            let err = self.error(Ordering::Acquire);
            if err != 0 {
                return neg(err);
            }
            if may_drop {
                return neg(ENOBUFS);
            }
            if !waited {
                st.waits += 1;
                waited = true;
            }
            spins = spins.wrapping_add(1);
            if spins < SPIN {
                core::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }

    /// Fills [off, off + n) up to the end of the ring with a PAD record.
    #[inline(always)]
    fn pad(r: &Ring, off: u32, n: u32) {
        r.mem.store_words(off, [hdr_word(n, REC_PAD, 0)]);
        if n > 8 {
            r.mem.zero(off + 8, n - 8);
        }
    }

    /// Bytes to skip (a PAD record) so that n bytes fit before the end of the ring.
    #[inline(always)]
    fn skip(r: &Ring, st: &ProducerState, n: u32) -> u32 {
        let off = (st.pos as u32) & r.mask;
        if off + n > r.size {
            r.size - off
        } else {
            0
        }
    }

    /// Positions st.pos where n contiguous bytes are free, padding the end of the ring when n
    /// does not fit before it. When the pad and the record do not fit together, the pad is
    /// published on its own first, so that the drain can free the whole ring for a record as
    /// large as the ring.
    #[inline(always)]
    fn place(&self, r: &Ring, st: &mut ProducerState, n: u32, may_drop: bool) -> i32 {
        let mut skip = Self::skip(r, st, n);
        if st.pos + u64::from(skip) + u64::from(n) - st.tail_cache > u64::from(r.size) {
            // unlikely: wait (or refuse) outside the fast path
            if skip != 0 {
                let ret = self.make_room(r, st, u64::from(skip), may_drop);
                if ret != 0 {
                    return ret;
                }
                Self::pad(r, (st.pos as u32) & r.mask, skip);
                st.pos += u64::from(skip);
                r.p.head.store(st.pos, Ordering::Release);
                skip = 0;
            }
            let ret = self.make_room(r, st, u64::from(n), may_drop);
            if ret != 0 {
                return ret;
            }
        }
        if skip != 0 {
            Self::pad(r, (st.pos as u32) & r.mask, skip);
            st.pos += u64::from(skip);
        }
        0
    }

    /// Commits the pending lost-records marker as its own record.
    #[cold]
    fn put_lost(&self, r: &Ring, st: &mut ProducerState, may_drop: bool) -> i32 {
        let ret = self.place(r, st, LOST, may_drop);
        if ret != 0 {
            return ret;
        }
        let off = (st.pos as u32) & r.mask;
        r.mem.store_words(off, [hdr_word(LOST, REC_LOST, 0), st.lost_first, st.lost_pending]);
        st.pos += u64::from(LOST);
        r.p.head.store(st.pos, Ordering::Release);
        st.lost_pending = 0;
        st.lost_markers += 1;
        0
    }

    /// Reserves a record of len payload bytes in ring r: Ok(offset of the payload in the ring)
    /// or Err(-errno) (ringbuf.h, reserve()).
    #[inline(always)]
    pub fn reserve(&self, r: &Ring, st: &mut ProducerState, len: u32) -> Result<u32, i32> {
        let need = rec_space(len);
        if need > u64::from(r.size) {
            return Err(neg(EMSGSIZE));
        }
        let seq = st.seq;
        st.seq += 1;
        st.produced += 1;
        let may_drop = self.policy == POLICY_DROP;
        let mut ret = 0;
        if st.lost_pending != 0 {
            ret = self.put_lost(r, st, may_drop);
        }
        if ret == 0 {
            ret = self.place(r, st, need as u32, may_drop);
        }
        if ret != 0 {
            self.refuse(st, seq, ret);
            return Err(ret);
        }
        let off = (st.pos as u32) & r.mask;
        let pad = (need - u64::from(HDR) - u64::from(len)) as u16;
        r.mem.store_words(off, [hdr_word(need as u32, REC_DATA, pad), seq]);
        if pad != 0 {
            // padding bytes are zero: the stream is deterministic
            r.mem.store_words(off + need as u32 - 8, [0]);
        }
        st.open = need as u32;
        Ok(off + HDR)
    }

    #[cold]
    fn refuse(&self, st: &mut ProducerState, seq: u64, ret: i32) {
        if ret == neg(ENOBUFS) {
            if st.lost_pending == 0 {
                st.lost_first = seq;
            }
            st.lost_pending += 1;
            st.dropped += 1;
        } else {
            st.failed += 1;
        }
    }

    /// Publishes the open reservation.
    #[inline(always)]
    pub fn commit(r: &Ring, st: &mut ProducerState) {
        st.pos += u64::from(st.open);
        st.open = 0;
        r.p.head.store(st.pos, Ordering::Release);
    }

    /// reserve + copy + commit; 0 or -errno.
    pub fn write(&self, r: &Ring, st: &mut ProducerState, len: u32, data: &[u8]) -> i32 {
        match self.reserve(r, st, len) {
            Ok(off) => {
                let copied = data.len() == len as usize && r.mem.copy_in(off, data);
                Self::commit(r, st);
                if copied {
                    0
                } else {
                    neg(EFAULT) // cannot happen: the bindings pass exactly len bytes
                }
            }
            Err(e) => e,
        }
    }

    /// After the producer's last record: commits the pending lost-records marker, waiting
    /// for room. 0 or -errno of the sink.
    pub fn finish(&self, r: &Ring, st: &mut ProducerState) -> i32 {
        if st.lost_pending == 0 {
            return 0;
        }
        self.put_lost(r, st, false)
    }

    // ---- drain side, shared parts ----

    fn fail(&self, err: i32) {
        if self.error.0.load(Ordering::Relaxed) == 0 {
            self.error.0.store(err, Ordering::Release);
        }
    }
}

// ---- drain side ----

impl Drain {
    fn queue_part(&mut self, sh: &Shared, slot: u32, k: u32) {
        let Some(part) = self.chunks.get(slot as usize).and_then(|c| c.part.get(k as usize)).copied() else {
            return;
        };
        let ud = u64::from(slot) << 2 | u64::from(k);
        let inject = sh.inject_errno != 0 && self.writes_issued == u64::from(sh.inject_after);
        let mut queued = self.prep(sh, &part, inject, ud);
        if !queued {
            // cannot happen with 4 SQEs per chunk slot; submit and retry
            self.uring.submit();
            self.queued = 0;
            queued = self.prep(sh, &part, inject, ud);
        }
        let _ = queued;
        if inject {
            if let Some(p) = self.chunks.get_mut(slot as usize).and_then(|c| c.part.get_mut(k as usize)) {
                p.inject = sh.inject_errno;
            }
        }
        self.writes_issued += 1;
        self.queued += 1;
    }

    #[inline(always)]
    fn prep(&mut self, sh: &Shared, part: &Part, inject: bool, ud: u64) -> bool {
        if inject {
            return self.uring.prep_nop(ud);
        }
        // The memory of fixed buffer buf_index: a ring, or the slab (index == producers).
        let mem = match sh.rings.get(usize::from(part.buf_index)) {
            Some(r) => &r.mem,
            None => &self.slab,
        };
        // The part's remaining bytes: inside its buffer by construction (empty otherwise, which
        // the kernel completes with 0 bytes: counted as EIO).
        let buf = mem.bytes(part.off + part.done, part.len - part.done).unwrap_or(&[]);
        let file_off = part.file_off.wrapping_add(u64::from(part.done));
        self.uring.prep_write_fixed(self.fd.as_fd(), buf, file_off, part.buf_index, ud)
    }
}

impl Drain {
    /// Prepares the chunk [start, end) of ring ri with its header and checksum, and queues its
    /// writes.
    fn submit_chunk(&mut self, sh: &Shared, ri: u32, start: u64, end: u64, nrec: u32, first_seq: u64) {
        let Some(r) = sh.rings.get(ri as usize) else { return };
        let Some(nr_free) = self.nr_free.checked_sub(1) else { return };
        let Some(&slot) = self.free_slots.get(nr_free as usize) else { return };
        self.nr_free = nr_free;
        let hoff = slot * CHDR;
        let len = (end - start) as u32;
        let off = (start as u32) & r.mask;
        let first = if off + len > r.size { r.size - off } else { len };
        let file_off = sh.offset.wrapping_add(self.file_next);

        self.slab.store_words(
            hoff,
            [
                u64::from(CHUNK_MAGIC) | u64::from(CHUNK_VERSION) << 32 | (ri as u16 as u64) << 48,
                u64::from(len) | u64::from(nrec) << 32,
                first_seq,
                0, // crc32c = 0, reserved = 0
            ],
        );
        let mut crc = bindings::crc32c_update(!0, self.slab.bytes(hoff, CHDR).unwrap_or(&[]));
        crc = bindings::crc32c_update(crc, r.mem.bytes(off, first).unwrap_or(&[]));
        if first < len {
            crc = bindings::crc32c_update(crc, r.mem.bytes(0, len - first).unwrap_or(&[]));
        }
        self.slab.store_u32(hoff + 24, !crc);

        let Some(c) = self.chunks.get_mut(slot as usize) else { return };
        let nr = sh.nr as u16;
        let ring = ri as u16;
        let mut parts = [
            Part { buf_index: nr, off: hoff, len: CHDR, done: 0, file_off, inject: 0 },
            Part { buf_index: ring, off, len: first, done: 0, file_off: file_off.wrapping_add(u64::from(CHDR)), inject: 0 },
            Part::default(),
        ];
        let mut nr_parts = 2;
        if first < len {
            parts[2] = Part {
                buf_index: ring,
                off: 0,
                len: len - first,
                done: 0,
                file_off: file_off.wrapping_add(u64::from(CHDR + first)),
                inject: 0,
            };
            nr_parts = 3;
        }
        *c = Chunk {
            ring: ri,
            pending: nr_parts,
            nr_parts,
            nrec,
            end,
            file_len: u64::from(CHDR) + u64::from(len),
            failed: false,
            done: false,
            part: parts,
        };
        self.file_next += c.file_len;
        let nr_parts = c.nr_parts;
        let at = (self.order_head + self.order_count) % sh.batch;
        if let Some(o) = self.order.get_mut(at as usize) {
            *o = slot;
        }
        self.order_count += 1;
        self.new_chunks += 1;
        for k in 0..nr_parts {
            self.queue_part(sh, slot, k);
        }
    }

    /// Cuts the next chunk of ring ri from [sent, limit): records up to max_chunk bytes (a
    /// single larger record alone). Returns bytes gathered, 0 after an error.
    fn cut_chunk(&mut self, sh: &Shared, ri: u32) -> u64 {
        let (Some(r), Some(dr)) = (sh.rings.get(ri as usize), self.rings.get(ri as usize)) else {
            return 0;
        };
        let (start, limit) = (dr.sent, dr.limit);
        let mut pos = start;
        let mut first_seq = dr.next_seq;
        let mut next_seq = dr.next_seq;
        let mut have_first = false;
        let mut nrec: u32 = 0;

        while pos < limit {
            let off = (pos as u32) & r.mask;
            // The headers form a chain of dependent loads of lines the producer's CPU just
            // wrote: fetch ahead of it.
            r.mem.prefetch(((pos + PREFETCH) as u32) & r.mask);
            let Some(w) = r.mem.load_u64(off) else { break };
            let len = w as u32;
            if len < 8 || len % ALIGN != 0 || u64::from(len) > limit - pos {
                // only a bug in this file can get here
                sh.fail(EUCLEAN);
                return 0;
            }
            if pos > start && pos - start + u64::from(len) > u64::from(sh.max_chunk) {
                break;
            }
            let typ = (w >> 32) as u16;
            if typ == REC_DATA {
                let seq = r.mem.load_u64(off + 8).unwrap_or(0);
                nrec += 1;
                if !have_first {
                    first_seq = seq;
                }
                have_first = true;
                next_seq = seq.wrapping_add(1);
            } else if typ == REC_LOST {
                let seq = r.mem.load_u64(off + 8).unwrap_or(0);
                let count = r.mem.load_u64(off + HDR).unwrap_or(0);
                if !have_first {
                    first_seq = seq;
                }
                have_first = true;
                next_seq = seq.wrapping_add(count);
            }
            pos += u64::from(len);
        }
        if let Some(dr) = self.rings.get_mut(ri as usize) {
            dr.next_seq = next_seq;
        }
        self.submit_chunk(sh, ri, start, pos, nrec, first_seq);
        if let Some(dr) = self.rings.get_mut(ri as usize) {
            dr.sent = pos;
        }
        pos - start
    }

    pub fn submit(&mut self) {
        let n = self.new_chunks;
        if self.queued == 0 {
            return;
        }
        self.uring.submit();
        self.queued = 0;
        if n != 0 {
            self.submits += 1;
            let i = if n <= 1 { 0 } else { 64 - (u64::from(n) - 1).leading_zeros() };
            if let Some(h) = self.batch_hist.get_mut(i as usize) {
                *h += 1;
            }
        }
        self.new_chunks = 0;
    }

    /// Retires done chunks in creation order: ring space is released, records persisted.
    fn retire(&mut self, sh: &Shared) {
        while self.order_count != 0 {
            let Some(&slot) = self.order.get(self.order_head as usize) else { return };
            let Some(c) = self.chunks.get(slot as usize) else { return };
            let (Some(r), Some(dr)) = (sh.rings.get(c.ring as usize), self.rings.get_mut(c.ring as usize)) else {
                return;
            };
            if !c.done {
                break;
            }
            if c.failed {
                self.stopped = true;
            }
            if !self.stopped {
                self.durable += c.file_len;
                self.chunks_done += 1;
                dr.persisted += u64::from(c.nrec);
            } else {
                dr.failed += u64::from(c.nrec);
            }
            r.tail.0.store(c.end, Ordering::Release);
            self.order_head = (self.order_head + 1) % sh.batch;
            self.order_count -= 1;
            if let Some(f) = self.free_slots.get_mut(self.nr_free as usize) {
                *f = slot;
            }
            self.nr_free += 1;
        }
    }

    fn complete(&mut self, sh: &Shared, user_data: u64, mut res: i32) {
        let (slot, k) = ((user_data >> 2) as u32, (user_data & 3) as u32);
        let Some(c) = self.chunks.get_mut(slot as usize) else { return };
        let Some(part) = c.part.get_mut(k as usize) else { return };
        if part.inject != 0 {
            res = neg(part.inject as i32);
            part.inject = 0;
        }
        if res <= 0 {
            sh.fail(if res != 0 { neg(res) } else { EIO });
            c.failed = true;
        } else if (res as u32) < part.len - part.done {
            self.short_writes += 1;
            part.done += res as u32;
            if sh.error(Ordering::Relaxed) == 0 {
                self.queue_part(sh, slot, k);
                return;
            }
            c.failed = true;
        } else {
            part.done = part.len;
        }
        c.pending -= 1;
        if c.pending == 0 {
            c.done = true;
            self.retire(sh);
        }
    }

    /// Handles every available completion; with wait, blocks for at least one.
    pub fn reap(&mut self, sh: &Shared, wait: bool) -> u32 {
        if wait && self.order_count != 0 {
            self.uring.wait();
        }
        let n = self.uring.reap(&mut self.cqes);
        for i in 0..n {
            if let Some(&cqe) = self.cqes.get(i) {
                self.complete(sh, cqe.user_data, cqe.res);
            }
        }
        n as u32
    }

    /// Cuts chunks while slots are free, one chunk per ring in turn (round-robin per chunk,
    /// not per call: the order of chunks in the file then depends only on the committed
    /// bytes). low: a ring is cut only when this many bytes are committed (1: anything).
    fn gather_rings(&mut self, sh: &Shared, low: u64) -> u64 {
        let mut gathered = 0;
        let mut idle = 0;
        while self.nr_free != 0 && idle < sh.nr {
            let ri = self.rr;
            self.rr = if ri + 1 == sh.nr { 0 } else { ri + 1 };
            let Some(dr) = self.rings.get(ri as usize) else { break };
            if dr.sent < dr.limit && dr.limit - dr.sent >= low {
                let n = self.cut_chunk(sh, ri);
                if n == 0 {
                    break;
                }
                gathered += n;
                idle = 0;
            } else {
                idle += 1;
            }
        }
        gathered
    }

    /// After a sink error, with nothing in flight: every committed record not in a retired
    /// chunk is failed, and the file keeps only whole chunks.
    fn settle(&mut self, sh: &Shared) {
        for (r, dr) in sh.rings.iter().zip(self.rings.iter_mut()) {
            let head = r.p.head.load(Ordering::Acquire);
            let mut pos = dr.sent;
            while pos < head {
                let Some(w) = r.mem.load_u64((pos as u32) & r.mask) else { break };
                let len = w as u32;
                if len < 8 || u64::from(len) > head - pos {
                    break;
                }
                if (w >> 32) as u16 == REC_DATA {
                    dr.failed += 1;
                }
                pos += u64::from(len);
            }
            dr.sent = head;
            dr.limit = head;
            r.tail.0.store(head, Ordering::Release);
        }
        // A failed cut (EBADF and the like) means nothing reached the file either.
        if sh.is_reg {
            let _ = self.fd.set_len(sh.offset.wrapping_add(self.durable));
        }
    }

    fn drain_all(&mut self, sh: &Shared) -> i32 {
        for (r, dr) in sh.rings.iter().zip(self.rings.iter_mut()) {
            dr.limit = r.p.head.load(Ordering::Acquire);
        }
        loop {
            let err = sh.error(Ordering::Relaxed);
            if err == 0 {
                self.gather_rings(sh, 1);
            }
            self.submit();
            let all = self.rings.iter().all(|dr| dr.sent == dr.limit);
            if self.order_count == 0 && (all || err != 0) {
                break;
            }
            self.reap(sh, true);
        }
        let err = sh.error(Ordering::Relaxed);
        if err != 0 {
            self.settle(sh);
            return neg(err);
        }
        0
    }

    /// drain(flags): > 0 progress, 0 idle, -errno once the sink has failed (ringbuf.h).
    pub fn drain(&mut self, sh: &Shared, flags: u32) -> i32 {
        if flags & DRAIN_ALL != 0 {
            return self.drain_all(sh);
        }
        let mut progress = u64::from(self.reap(sh, false));
        let err = sh.error(Ordering::Relaxed);
        if err == 0 {
            for (r, dr) in sh.rings.iter().zip(self.rings.iter_mut()) {
                dr.limit = r.p.head.load(Ordering::Acquire);
            }
            // While writes are in flight, full chunks only (a quarter ring for small rings): a
            // submit is a system call, worth it for a full chunk. With nothing in flight,
            // anything: a waiting producer needs it.
            let low = if self.order_count == 0 {
                1
            } else if sh.max_chunk < sh.ring_size / 4 {
                u64::from(sh.max_chunk)
            } else {
                u64::from(sh.ring_size / 4)
            };
            progress += self.gather_rings(sh, low);
        }
        self.submit();
        if progress == 0 && flags & DRAIN_WAIT != 0 {
            progress = u64::from(self.reap(sh, true));
        }
        let err = sh.error(Ordering::Relaxed);
        if err != 0 {
            return neg(err);
        }
        i32::from(progress != 0)
    }
}

// ---- statistics ----

impl Shared {
    /// The counters, read with no other call in progress.
    pub fn stats(&self, d: &Drain, producers: &[&ProducerState]) -> Stats {
        let p = self
            .rings
            .iter()
            .zip(producers)
            .zip(d.rings.iter())
            .map(|((_, st), dr)| PStats {
                produced: st.produced,
                dropped: st.dropped,
                persisted: dr.persisted,
                failed: st.failed + dr.failed,
                lost_markers: st.lost_markers,
                waits: st.waits,
            })
            .collect();
        Stats {
            error: self.error(Ordering::Acquire),
            producers: self.nr,
            file_bytes: d.durable,
            chunks: d.chunks_done,
            submits: d.submits,
            writes: d.writes_issued,
            short_writes: d.short_writes,
            batch_hist: d.batch_hist,
            p,
        }
    }
}
