// SPDX-License-Identifier: MIT
//! Device attributes (null_blk's configfs names), validated into a `Config`.
//! Same checks, same order and the same messages as c_drivers/nullblk/nullblk.c
//! (the tests compare them). Messages are formatted into a fixed buffer: no
//! allocation, cut where the buffer ends as `snprintf` would.
#![forbid(unsafe_code)]

use core::fmt::{self, Write};

use super::backing::levels_for;
use super::bindings::BadBlock;
use super::mq::{Bytes, Sector};

pub const MAX_QUEUES: u32 = 256;
pub const MAX_QUEUE_DEPTH: u32 = 4096;
/// create()'s error message buffer (DRVBENCH_NB_ERR_SIZE).
pub const ERR_SIZE: usize = 160;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IrqMode {
    None = 0,
    Softirq = 1,
    Timer = 2,
}

/// The attributes as the ABI hands them over (bindings.rs fills it in).
pub struct Attributes<'a> {
    pub size: u64,
    pub blocksize: u32,
    pub submit_queues: u32,
    pub hw_queue_depth: u32,
    pub irqmode: u32,
    pub completion_nsec: u64,
    pub memory_backed: u32,
    pub discard: u32,
    pub nr_badblocks: u32,
    /// `None` when the ABI's list is NULL.
    pub badblocks: Option<&'a [BadBlock]>,
}

/// Validated attributes, with their units.
pub struct Config<'a> {
    pub size: Sector,
    pub blocksize: Bytes,
    /// blocksize in sectors, a power of two
    pub block_sectors: u32,
    pub submit_queues: u32,
    pub hw_queue_depth: u32,
    pub irqmode: IrqMode,
    pub completion_nsec: u64,
    pub memory_backed: bool,
    pub discard: bool,
    /// radix tree height for `size`
    pub mem_levels: u32,
    /// validated; copied at create
    pub badblocks: &'a [BadBlock],
}

/// One line "attribute: what is wrong" in a fixed buffer (C++: `Line<N>`).
pub struct ErrorLine {
    buf: [u8; ERR_SIZE],
    len: usize,
}

impl ErrorLine {
    pub fn new() -> Self {
        ErrorLine { buf: [0; ERR_SIZE], len: 0 }
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    fn from_args(args: fmt::Arguments<'_>) -> Self {
        let mut line = ErrorLine::new();
        // Writing into an ErrorLine never fails: it cuts what does not fit.
        let _ = line.write_fmt(args);
        line
    }
}

impl Default for ErrorLine {
    fn default() -> Self {
        Self::new()
    }
}

impl Write for ErrorLine {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = ERR_SIZE - self.len;
        let n = s.len().min(room);
        if let (Some(dst), Some(src)) = (self.buf.get_mut(self.len..self.len + n), s.as_bytes().get(..n)) {
            dst.copy_from_slice(src);
            self.len += n;
        }
        Ok(())
    }
}

macro_rules! refuse {
    ($($arg:tt)*) => {
        return Err(ErrorLine::from_args(format_args!($($arg)*)))
    };
}

/// Validates the attributes in the C side's order; the first bad one refuses.
pub fn validate<'a>(a: &Attributes<'a>) -> Result<Config<'a>, ErrorLine> {
    let bs = a.blocksize;
    if !(512..=4096).contains(&bs) || !bs.is_power_of_two() {
        refuse!("blocksize: {} is not a power of two in 512..4096", bs);
    }
    if a.size == 0 {
        refuse!("size: must be > 0");
    }
    if a.size % u64::from(bs) != 0 {
        refuse!("size: {} is not a multiple of blocksize {}", a.size, bs);
    }
    if a.submit_queues < 1 || a.submit_queues > MAX_QUEUES {
        refuse!("submit_queues: must be 1..{}, got {}", MAX_QUEUES, a.submit_queues);
    }
    if a.hw_queue_depth < 1 || a.hw_queue_depth > MAX_QUEUE_DEPTH {
        refuse!("hw_queue_depth: must be 1..{}, got {}", MAX_QUEUE_DEPTH, a.hw_queue_depth);
    }
    let irqmode = match a.irqmode {
        0 => IrqMode::None,
        1 => IrqMode::Softirq,
        2 => IrqMode::Timer,
        m => refuse!("irqmode: unknown mode {} (none=0, softirq=1, timer=2)", m),
    };
    if a.memory_backed > 1 {
        refuse!("memory_backed: must be 0 or 1, got {}", a.memory_backed);
    }
    if a.discard > 1 {
        refuse!("discard: must be 0 or 1, got {}", a.discard);
    }
    let badblocks = match a.badblocks {
        Some(list) => list,
        None if a.nr_badblocks == 0 => &[],
        None => refuse!("badblocks: {} ranges but no list", a.nr_badblocks),
    };

    let size = Bytes(a.size).sectors();
    for (i, bb) in badblocks.iter().enumerate() {
        if bb.nr_sectors == 0 {
            refuse!("badblocks: range {} is empty", i);
        }
        if bb.start >= size.0 || bb.nr_sectors > size.0 - bb.start {
            refuse!(
                "badblocks: range {} [{}, +{}) is past the end ({} sectors)",
                i,
                bb.start,
                bb.nr_sectors,
                size.0
            );
        }
    }

    Ok(Config {
        size,
        blocksize: Bytes(u64::from(bs)),
        block_sectors: bs >> super::mq::SECTOR_SHIFT,
        submit_queues: a.submit_queues,
        hw_queue_depth: a.hw_queue_depth,
        irqmode,
        completion_nsec: a.completion_nsec,
        memory_backed: a.memory_backed == 1,
        discard: a.discard == 1,
        mem_levels: levels_for(Bytes(a.size)),
        badblocks,
    })
}
