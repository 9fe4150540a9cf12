// SPDX-License-Identifier: MIT
//! null_blk, the driver (rnull's `impl Operations for NullBlkDevice`): checks
//! an I/O, transfers it against the memory backing, and completes it inline
//! (irqmode none), in the queue's completion step (softirq) or once
//! completion_nsec have passed (timer). Same algorithm and data layout as
//! c_drivers/nullblk/nullblk.c; see docs/nullblk.md.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::backing::{Backing, PAGE_SHIFT, PAGE_SIZE};
use super::bindings::{BadBlock, Data};
use super::config::{Config, IrqMode};
use super::mq::{ARef, Bytes, HwQueue, Operations, Request, Sector, Status, OP_DISCARD, OP_FLUSH, OP_READ, OP_WRITE};

pub struct NullBlk {
    size: Sector,
    blocksize: Bytes,
    block_sectors: u32,
    irqmode: IrqMode,
    memory_backed: bool,
    discard: bool,
    completion_nsec: u64,
    badblocks: Box<[BadBlock]>,
    /// null_blk's nullb->lock around the whole tree
    mem: Mutex<Backing>,
    /// written under `mem`'s lock, read by stats()
    pages: AtomicU64,
}

/// The caller's buffer for one transfer, by direction.
enum Xfer<'a> {
    Read(&'a mut [u8]),
    Write(&'a [u8]),
    Discard,
}

impl NullBlk {
    /// The driver for a validated config; None when out of memory.
    pub fn new(cfg: &Config<'_>) -> Option<Self> {
        let mut bad: Vec<BadBlock> = Vec::new();
        bad.try_reserve_exact(cfg.badblocks.len()).ok()?;
        bad.extend_from_slice(cfg.badblocks);
        Some(NullBlk {
            size: cfg.size,
            blocksize: cfg.blocksize,
            block_sectors: cfg.block_sectors,
            irqmode: cfg.irqmode,
            memory_backed: cfg.memory_backed,
            discard: cfg.discard,
            completion_nsec: cfg.completion_nsec,
            badblocks: bad.into_boxed_slice(),
            mem: Mutex::new(Backing::new(cfg.mem_levels)),
            pages: AtomicU64::new(0),
        })
    }

    #[inline]
    fn touches_badblock(&self, start: Sector, end: Sector) -> bool {
        self.badblocks.iter().any(|bb| start.0 < bb.start + bb.nr_sectors && bb.start < end.0)
    }

    /// The status, decided before anything changes (null_blk: checks, then badblocks).
    #[inline]
    fn check(&self, rq: &Request, has_data: bool) -> Status {
        match rq.op() {
            OP_FLUSH => return Status::Ok,
            OP_READ | OP_WRITE => {}
            OP_DISCARD => {
                if !self.discard {
                    return Status::NotSupp;
                }
            }
            _ => return Status::NotSupp,
        }
        let len = rq.nr_bytes();
        let sector = rq.sector();
        if len == 0
            || u64::from(len) & (self.blocksize.0 - 1) != 0
            || sector.0 & (u64::from(self.block_sectors) - 1) != 0
        {
            return Status::Inval;
        }
        let nr_sectors = Bytes(u64::from(len)).sectors();
        if sector > self.size || nr_sectors.0 > self.size.0 - sector.0 {
            return Status::Inval;
        }
        if rq.op() != OP_DISCARD && self.memory_backed && !has_data {
            return Status::Inval;
        }
        if !self.badblocks.is_empty() && self.touches_badblock(sector, Sector(sector.0 + nr_sectors.0)) {
            return Status::IoErr;
        }
        Status::Ok
    }

    fn lock_mem(&self) -> MutexGuard<'_, Backing> {
        // Poisoning needs a panic while the lock is held; the plugins abort on
        // panic, and the tree is consistent between chunks anyway.
        self.mem.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// null_handle_data_transfer(): one page-sized chunk at a time, under the
    /// backing's lock for the whole I/O so an I/O is atomic to other queues.
    #[inline]
    fn transfer(&self, rq: &Request, data: &mut Data<'_>) -> Status {
        let op = rq.op();
        let nr = rq.nr_bytes();
        let mut xfer = match op {
            OP_READ => match data.bytes_mut() {
                Some(b) => Xfer::Read(b),
                None => return Status::Inval,
            },
            OP_WRITE => match data.bytes() {
                Some(b) => Xfer::Write(b),
                None => return Status::Inval,
            },
            _ => Xfer::Discard,
        };
        let mut mem = self.lock_mem();
        let mut pos = rq.sector().bytes().0;
        let mut done: u32 = 0;
        let mut delta: i64 = 0;
        let mut created = false;
        let mut status = Status::Ok;

        while done < nr {
            let idx = pos >> PAGE_SHIFT;
            let off = (pos & (PAGE_SIZE as u64 - 1)) as usize;
            let len = (PAGE_SIZE - off).min((nr - done) as usize);
            let range = done as usize..done as usize + len;

            match &mut xfer {
                Xfer::Read(buf) => {
                    let Some(dst) = buf.get_mut(range) else {
                        status = Status::Inval;
                        break;
                    };
                    match mem.lookup(idx, false, &mut created).and_then(|p| p.get(off..off + len)) {
                        Some(src) => dst.copy_from_slice(src),
                        None => dst.fill(0),
                    }
                }
                Xfer::Write(buf) => {
                    created = false;
                    let Some(page) = mem.lookup(idx, true, &mut created) else {
                        status = Status::IoErr; // out of memory
                        break;
                    };
                    delta += i64::from(created);
                    match (page.get_mut(off..off + len), buf.get(range)) {
                        (Some(dst), Some(src)) => dst.copy_from_slice(src),
                        _ => {
                            status = Status::Inval;
                            break;
                        }
                    }
                }
                Xfer::Discard => {
                    if len == PAGE_SIZE {
                        if mem.free_page(idx) {
                            delta -= 1;
                        }
                    } else if let Some(part) =
                        mem.lookup(idx, false, &mut created).and_then(|p| p.get_mut(off..off + len))
                    {
                        part.fill(0);
                    }
                }
            }
            done += len as u32;
            pos += len as u64;
        }
        if delta != 0 {
            // Modular, as C's unsigned add of a negative delta.
            self.pages
                .store(self.pages.load(Ordering::Relaxed).wrapping_add(delta as u64), Ordering::Relaxed);
        }
        drop(mem);
        status
    }
}

impl Operations for NullBlk {
    /// Called with the driver's reference (ref = 2).
    #[inline]
    fn queue_rq(&self, hctx: &HwQueue, rq: ARef<'_>, mut data: Data<'_>, now_ns: u64) {
        let mut status = self.check(&rq, data.is_some());
        if status == Status::Ok && self.memory_backed && rq.op() != OP_FLUSH {
            status = self.transfer(&rq, &mut data);
        }
        rq.set_status(status);

        // C's switch: none, timer, and softirq as the default.
        match self.irqmode {
            IrqMode::None => self.complete(hctx, rq),
            IrqMode::Timer => {
                rq.set_deadline(now_ns.wrapping_add(self.completion_nsec));
                hctx.pending_push(rq);
            }
            IrqMode::Softirq => hctx.pending_push(rq),
        }
    }

    /// The driver's reference goes with `rq`.
    #[inline]
    fn complete(&self, hctx: &HwQueue, rq: ARef<'_>) {
        hctx.end_request(rq);
    }

    /// The completion step. Pending requests end in FIFO order, which is
    /// deadline order (the delay is constant).
    #[inline]
    fn poll(&self, hctx: &HwQueue, now_ns: u64, all: bool) {
        if self.irqmode == IrqMode::None {
            return;
        }
        let timer = !all && self.irqmode == IrqMode::Timer;
        while let Some(rq) = hctx.pending_pop_if(|rq| !timer || now_ns >= rq.deadline()) {
            self.complete(hctx, rq);
        }
    }

    fn pages(&self) -> u64 {
        self.pages.load(Ordering::Relaxed)
    }
}
