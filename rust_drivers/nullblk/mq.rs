// SPDX-License-Identifier: MIT
//! The blk-mq slice: what the kernel's block layer owns for a driver, in the
//! shape of Rust-for-Linux's `kernel::block::mq`:
//!   - `Request`: one per tag, refcounted; the driver holds it as an
//!     `ARef<Request>` (here `ARef<'q>`), and the last reference frees it (the
//!     tag is released);
//!   - `HwQueue`: a hardware queue's tag bitmap, request pool, pending and
//!     done FIFOs and counters;
//!   - `Operations`: what a driver implements (`queue_rq`, `complete`, and
//!     `poll`, the queue's completion step);
//!   - `TagSet<T: Operations>`: the queues and the driver; the block layer's
//!     submit and complete paths.
//!
//! Lifecycle and memory orderings are those of include/drvbench/nullblk.h and
//! c_drivers/nullblk/nullblk.c: ref = 1 (block layer, relaxed store) when the
//! request starts, +1 for the driver (relaxed); the driver's is dropped when it
//! ends the request, the block layer's when the completion is reaped; release
//! on every decrement, acquire fence before the free (refcount_t, Arc, ARef).
//!
//! One thread drives one hardware queue (the ABI's model), so a queue's state
//! needs no lock: it lives in `Cell`s, which make `HwQueue` `!Sync` (the
//! compiler refuses to share it between threads; bindings.rs states where the
//! ABI's promise stands in for that). The FIFOs are intrusive like C's, but
//! linked by tag (an index into the pool) instead of by pointer: safe Rust
//! cannot keep pointers into the pool inside the pool.
#![forbid(unsafe_code)]

use core::cell::Cell;
use core::ops::Deref;
use core::sync::atomic::{fence, AtomicU32, Ordering};

use super::bindings::{Cqe, Data, Stats};

pub const SECTOR_SHIFT: u32 = 9;
/// Words of the tag bitmap: DRVBENCH_NB_MAX_QUEUE_DEPTH / 64.
pub const TAG_WORDS: usize = 4096 / 64;
/// The end of a FIFO (no tag). Out of the pool's range, so `rqs.get(NIL)` is None.
const NIL: u32 = u32::MAX;

/// A position or a length in 512-byte sectors.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Sector(pub u64);

/// A length in bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Bytes(pub u64);

impl Sector {
    pub fn bytes(self) -> Bytes {
        Bytes(self.0 << SECTOR_SHIFT)
    }
}

impl Bytes {
    pub fn sectors(self) -> Sector {
        Sector(self.0 >> SECTOR_SHIFT)
    }
}

/// Completion status (enum drvbench_nb_status).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(i32)]
pub enum Status {
    Ok = 0,
    NotSupp = 1,
    Inval = 2,
    IoErr = 3,
}

/// enum drvbench_nb_op. Requests keep the raw op: an unknown one is the
/// driver's to refuse.
pub const OP_READ: u32 = 0;
pub const OP_WRITE: u32 = 1;
pub const OP_FLUSH: u32 = 2;
pub const OP_DISCARD: u32 = 3;

/// One I/O as the caller submits it (the ABI's struct, read in place). Its
/// data (the caller's buffer) is not kept in the request: it is handed to
/// `queue_rq` as a `Data` borrowed for the submit call, the only time it is
/// touched.
pub use super::bindings::NbIo as Io;

fn inc(c: &Cell<u64>) {
    c.set(c.get() + 1);
}

/// One request: a tag's slot in its queue's pool (48 bytes; the refcount
/// first, so the atomics address the request itself).
#[repr(C)]
pub struct Request {
    refcount: AtomicU32,
    /// pending or done FIFO link: the next request's tag, or NIL
    next: Cell<u32>,
    tag: u32,
    op: Cell<u32>,
    status: Cell<Status>,
    nr_bytes: Cell<u32>,
    sector: Cell<u64>,
    user_data: Cell<u64>,
    /// driver data: timer mode's completion time
    deadline: Cell<u64>,
}

impl Request {
    fn new(tag: u32) -> Self {
        Request {
            next: Cell::new(NIL),
            refcount: AtomicU32::new(0),
            tag,
            op: Cell::new(0),
            status: Cell::new(Status::Ok),
            nr_bytes: Cell::new(0),
            sector: Cell::new(0),
            user_data: Cell::new(0),
            deadline: Cell::new(0),
        }
    }

    pub fn op(&self) -> u32 {
        self.op.get()
    }
    pub fn nr_bytes(&self) -> u32 {
        self.nr_bytes.get()
    }
    pub fn sector(&self) -> Sector {
        Sector(self.sector.get())
    }
    pub fn user_data(&self) -> u64 {
        self.user_data.get()
    }
    pub fn status(&self) -> Status {
        self.status.get()
    }
    pub fn set_status(&self, s: Status) {
        self.status.set(s);
    }
    pub fn deadline(&self) -> u64 {
        self.deadline.get()
    }
    pub fn set_deadline(&self, ns: u64) {
        self.deadline.set(ns);
    }
}

/// A counted reference to a request of queue `'q` (`ARef<Request>`): cloning
/// takes a reference (relaxed), dropping puts one (release; acquire fence and
/// free when it was the last).
pub struct ARef<'q> {
    q: &'q HwQueue,
    rq: &'q Request,
}

impl<'q> ARef<'q> {
    /// Takes a new reference to `rq` (blk-mq: the driver's, at queue_rq).
    fn get(q: &'q HwQueue, rq: &'q Request) -> Self {
        rq.refcount.fetch_add(1, Ordering::Relaxed);
        ARef { q, rq }
    }

    /// Takes over a reference that a FIFO held (`ARef::from_raw`).
    fn adopt(q: &'q HwQueue, rq: &'q Request) -> Self {
        ARef { q, rq }
    }

    /// Hands the reference to a FIFO (`ARef::into_raw`).
    fn into_raw(this: Self) -> &'q Request {
        let rq = this.rq;
        core::mem::forget(this);
        rq
    }
}

impl Clone for ARef<'_> {
    fn clone(&self) -> Self {
        ARef::get(self.q, self.rq)
    }
}

impl Deref for ARef<'_> {
    type Target = Request;
    fn deref(&self) -> &Request {
        self.rq
    }
}

impl Drop for ARef<'_> {
    fn drop(&mut self) {
        if self.rq.refcount.fetch_sub(1, Ordering::Release) == 1 {
            fence(Ordering::Acquire);
            self.q.free_request(self.rq);
        }
    }
}

/// An intrusive FIFO of requests linked through `Request::next`, by tag.
struct Fifo {
    head: Cell<u32>,
    tail: Cell<u32>,
}

impl Fifo {
    const fn new() -> Self {
        Fifo { head: Cell::new(NIL), tail: Cell::new(NIL) }
    }
}

#[derive(Default)]
struct QueueStats {
    submitted: Cell<u64>,
    busy: Cell<u64>,
    completed: Cell<u64>,
    errors: Cell<u64>,
    req_alloc: Cell<u64>,
    req_free: Cell<u64>,
}

/// One hardware queue; the field order of C's struct nb_hctx.
#[repr(C, align(64))]
pub struct HwQueue {
    /// the request pool, indexed by tag (C's rqs + depth)
    rqs: Box<[Request]>,
    nr_words: u32,
    /// word to search first
    hint: Cell<u32>,
    /// the driver's: softirq/timer requests in flight, each with the driver's reference
    pending: Fifo,
    /// the block layer's: completed, to be reaped, each with the block layer's reference
    done: Fifo,
    stats: QueueStats,
    /// bit set: tag in use
    tags: [Cell<u64>; TAG_WORDS],
}

impl HwQueue {
    /// A queue of `depth` tags (1..=4096); None when out of memory.
    pub fn new(depth: u32) -> Option<Self> {
        let mut rqs: Vec<Request> = Vec::new();
        rqs.try_reserve_exact(depth as usize).ok()?;
        rqs.extend((0..depth).map(Request::new));
        let nr_words = (depth + 63) / 64;
        let q = HwQueue {
            rqs: rqs.into_boxed_slice(),
            nr_words,
            hint: Cell::new(0),
            pending: Fifo::new(),
            done: Fifo::new(),
            stats: QueueStats::default(),
            tags: [const { Cell::new(0) }; TAG_WORDS],
        };
        // Bits past the depth are permanently in use.
        if depth % 64 != 0 {
            q.tags.get(nr_words as usize - 1)?.set(!0u64 << (depth % 64));
        }
        Some(q)
    }

    /// sbitmap spirit: search from the hint word, first zero via ctz(!word).
    #[inline]
    fn get_tag(&self) -> Option<u32> {
        let mut w = self.hint.get();
        for _ in 0..self.nr_words {
            // w < nr_words <= TAG_WORDS: the mask is the array's size, so
            // the index needs no check (C indexes unchecked).
            let cell = &self.tags[w as usize % TAG_WORDS];
            let word = cell.get();
            if !word != 0 {
                let bit = (!word).trailing_zeros();
                cell.set(word | (1u64 << bit));
                self.hint.set(w);
                return Some(w * 64 + bit);
            }
            w += 1;
            if w == self.nr_words {
                w = 0;
            }
        }
        None
    }

    /// The last reference is gone: the tag is free again.
    #[inline]
    fn free_request(&self, rq: &Request) {
        let tag = rq.tag;
        let word = &self.tags[(tag >> 6) as usize % TAG_WORDS]; // tag < 4096
        word.set(word.get() & !(1u64 << (tag & 63)));
        inc(&self.stats.req_free);
    }

    /// Block layer: a tag and its request initialised for `io` with the block
    /// layer's reference (ref = 1); None when no tag is free (busy).
    #[inline]
    fn start_request(&self, io: &Io) -> Option<&Request> {
        let Some(tag) = self.get_tag() else {
            inc(&self.stats.busy);
            return None;
        };
        inc(&self.stats.req_alloc);
        // Every tag get_tag() hands out is < depth: the bits past it are set.
        let rq = self.rqs.get(tag as usize)?;
        rq.refcount.store(1, Ordering::Relaxed);
        rq.op.set(io.op());
        rq.nr_bytes.set(io.nr_bytes());
        rq.sector.set(io.sector().0);
        rq.user_data.set(io.user_data());
        inc(&self.stats.submitted);
        Some(rq)
    }

    #[inline]
    fn push(&self, f: &Fifo, rq: &Request) {
        rq.next.set(NIL);
        match self.rqs.get(f.tail.get() as usize) {
            Some(last) => last.next.set(rq.tag),
            None => f.head.set(rq.tag),
        }
        f.tail.set(rq.tag);
    }

    #[inline]
    fn pop(&self, f: &Fifo) -> Option<&Request> {
        let rq = self.rqs.get(f.head.get() as usize)?;
        let next = rq.next.get();
        f.head.set(next);
        if next == NIL {
            f.tail.set(NIL);
        }
        Some(rq)
    }

    /// The driver ends `rq` (blk_mq_end_request): it joins the done FIFO,
    /// which carries the block layer's reference; the driver's dies with `rq`.
    #[inline]
    pub fn end_request(&self, rq: ARef<'_>) {
        self.push(&self.done, &rq);
    }

    /// Driver data (null_blk's per-queue timer list): parks `rq` with the
    /// driver's reference.
    #[inline]
    pub fn pending_push(&self, rq: ARef<'_>) {
        let rq = ARef::into_raw(rq);
        self.push(&self.pending, rq);
    }

    /// The oldest pending request, with the driver's reference, if `due` says so.
    #[inline]
    pub fn pending_pop_if(&self, due: impl FnOnce(&Request) -> bool) -> Option<ARef<'_>> {
        let first = self.rqs.get(self.pending.head.get() as usize)?;
        if !due(first) {
            return None;
        }
        let rq = self.pop(&self.pending)?;
        Some(ARef::adopt(self, rq))
    }

    /// Block layer: reaps done requests into `cqes`, oldest first; dropping
    /// the block layer's reference frees each.
    #[inline]
    fn reap(&self, cqes: &mut [Cqe]) -> u32 {
        let mut n = 0;
        for cqe in cqes.iter_mut() {
            let Some(done) = self.pop(&self.done) else { break };
            let rq = ARef::adopt(self, done);
            cqe.user_data = rq.user_data();
            cqe.status = rq.status() as i32;
            cqe.reserved = 0;
            inc(&self.stats.completed);
            if rq.status() != Status::Ok {
                inc(&self.stats.errors);
            }
            n += 1;
        }
        n
    }

    /// Reaps everything (destroy).
    fn reap_all(&self) {
        while let Some(done) = self.pop(&self.done) {
            drop(ARef::adopt(self, done));
        }
    }
}

/// What a driver implements (`kernel::block::mq::Operations`). The driver is
/// shared by every queue's thread, hence `Sync`; a queue is one thread's.
pub trait Operations: Sync + Sized {
    /// Takes the driver's reference to a started request and its data.
    fn queue_rq(&self, hctx: &HwQueue, rq: ARef<'_>, data: Data<'_>, now_ns: u64);
    /// Ends a request the driver completes (blk_mq_complete_request).
    fn complete(&self, hctx: &HwQueue, rq: ARef<'_>);
    /// The queue's completion step at `now_ns` (`all`: destroy, finish everything).
    fn poll(&self, hctx: &HwQueue, now_ns: u64, all: bool);
    /// Backing pages allocated now (stats).
    fn pages(&self) -> u64;
}

/// The hardware queues and the driver: the block layer's submit and complete.
pub struct TagSet<T: Operations> {
    queues: Box<[HwQueue]>,
    driver: T,
}

impl<T: Operations> TagSet<T> {
    /// `nr_queues` queues of `depth` tags each; None when out of memory.
    pub fn new(nr_queues: u32, depth: u32, driver: T) -> Option<Self> {
        let mut queues: Vec<HwQueue> = Vec::new();
        queues.try_reserve_exact(nr_queues as usize).ok()?;
        for _ in 0..nr_queues {
            queues.push(HwQueue::new(depth)?);
        }
        Some(TagSet { queues: queues.into_boxed_slice(), driver })
    }

    #[inline]
    pub fn queue(&self, index: u32) -> Option<&HwQueue> {
        self.queues.get(index as usize)
    }

    /// Starts `io` and hands it to the driver; false when the queue is busy.
    #[inline]
    pub fn submit(&self, q: &HwQueue, io: &Io, data: Data<'_>, now_ns: u64) -> bool {
        let Some(rq) = q.start_request(io) else { return false };
        self.driver.queue_rq(q, ARef::get(q, rq), data, now_ns);
        true
    }

    /// Runs the queue's completion step, then reaps into `cqes`.
    #[inline]
    pub fn complete(&self, q: &HwQueue, now_ns: u64, cqes: &mut [Cqe]) -> u32 {
        self.driver.poll(q, now_ns, false);
        q.reap(cqes)
    }

    pub fn stats(&self) -> Stats {
        let mut out = Stats::default();
        for q in self.queues.iter() {
            let s = &q.stats;
            out.submitted += s.submitted.get();
            out.busy += s.busy.get();
            out.completed += s.completed.get();
            out.errors += s.errors.get();
            out.req_alloc += s.req_alloc.get();
            out.req_free += s.req_free.get();
        }
        out.pages = self.driver.pages();
        out
    }
}

impl<T: Operations> Drop for TagSet<T> {
    /// In-flight requests are completed and freed first; a request freed more
    /// or less than once is a bug worth stopping for (the kernel would WARN).
    fn drop(&mut self) {
        for q in self.queues.iter() {
            self.driver.poll(q, 0, true);
            q.reap_all();
            if q.stats.req_alloc.get() != q.stats.req_free.get() {
                std::process::abort();
            }
        }
    }
}
