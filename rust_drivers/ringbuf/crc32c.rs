// SPDX-License-Identifier: MIT
//! CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), as c_drivers/ringbuf/ringbuf.c
//! computes it: the crc32 instruction has a latency of 3 cycles and a throughput of 1, so long
//! buffers are cut into rounds of three equal blocks whose CRCs run as three independent
//! chains and are then combined: crc(A B C) = shift(shift(crc(A)) ^ crc0(B)) ^ crc0(C), where
//! crc0 starts from 0 and shift advances a register over a block of zeros (linear: four table
//! lookups, one per byte). Rounds of 3 x 4096 bytes, then 3 x 256, then one chain of 8-byte
//! words, then bytes. The tables are computed at compile time (C builds them once per process).
//! The dispatch to the SSE4.2 version is in bindings.rs (a call into a #[target_feature]
//! function needs `unsafe`).
#![forbid(unsafe_code)]

const POLY: u32 = 0x82f6_3b78;
const LONG: usize = 4096; // bytes per chain in a long round
const SHORT: usize = 256; // bytes per chain in a short round

const fn make_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = (c >> 1) ^ (POLY & 0u32.wrapping_sub(c & 1));
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static TABLE: [u32; 256] = make_table();

type ShiftTable = [[u32; 256]; 4];

/// tab[k][b]: the register b << 8k advanced over `zeros` zero bytes.
const fn make_shift(zeros: usize) -> ShiftTable {
    let table = make_table();
    let mut basis = [0u32; 32];
    let mut i = 0;
    while i < 32 {
        let mut c = 1u32 << i;
        let mut n = 0;
        while n < zeros {
            c = table[(c & 0xff) as usize] ^ (c >> 8);
            n += 1;
        }
        basis[i] = c;
        i += 1;
    }
    let mut t = [[0u32; 256]; 4];
    let mut k = 0;
    while k < 4 {
        let mut b = 0;
        while b < 256 {
            let mut v = 0u32;
            let mut j = 0;
            while j < 8 {
                if (b >> j) & 1 != 0 {
                    v ^= basis[8 * k + j];
                }
                j += 1;
            }
            t[k][b] = v;
            b += 1;
        }
        k += 1;
    }
    t
}

static SHIFT_LONG: ShiftTable = make_shift(LONG);
static SHIFT_SHORT: ShiftTable = make_shift(SHORT);

const _: () = {
    // The check value of CRC-32C over "123456789".
    let t = make_table();
    let s = b"123456789";
    let mut crc = !0u32;
    let mut i = 0;
    while i < s.len() {
        crc = t[((crc ^ s[i] as u32) & 0xff) as usize] ^ (crc >> 8);
        i += 1;
    }
    assert!(!crc == 0xe306_9283);
};

#[inline(always)]
fn shift(tab: &ShiftTable, c: u32) -> u32 {
    tab[0][(c & 0xff) as usize] ^ tab[1][((c >> 8) & 0xff) as usize] ^ tab[2][((c >> 16) & 0xff) as usize] ^ tab[3][(c >> 24) as usize]
}

/// The table-driven CRC, for CPUs without SSE4.2.
pub fn crc32c_sw(mut crc: u32, p: &[u8]) -> u32 {
    for &b in p {
        crc = TABLE[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::{_mm_crc32_u64, _mm_crc32_u8};

/// One round: the three blocks of `round` (3 x blk bytes) as three chains.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse4.2")]
#[inline]
fn crc32c_3way(crc: u32, round: &[u8], blk: usize, tab: &ShiftTable) -> u32 {
    let (pa, rest) = round.split_at_checked(blk).unwrap_or((&[], &[]));
    let (pb, pc) = rest.split_at_checked(blk).unwrap_or((&[], &[]));
    let (wa, _) = pa.as_chunks::<8>();
    let (wb, _) = pb.as_chunks::<8>();
    let (wc, _) = pc.as_chunks::<8>();
    let (mut a, mut b, mut c) = (u64::from(crc), 0u64, 0u64);
    for ((x, y), z) in wa.iter().zip(wb).zip(wc) {
        a = _mm_crc32_u64(a, u64::from_le_bytes(*x));
        b = _mm_crc32_u64(b, u64::from_le_bytes(*y));
        c = _mm_crc32_u64(c, u64::from_le_bytes(*z));
    }
    shift(tab, shift(tab, a as u32) ^ b as u32) ^ c as u32
}

/// The SSE4.2 CRC (called through bindings::crc32c_update, which checks the CPU).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse4.2")]
pub fn crc32c_hw(mut crc: u32, mut p: &[u8]) -> u32 {
    while let Some((round, rest)) = p.split_at_checked(3 * LONG) {
        crc = crc32c_3way(crc, round, LONG, &SHIFT_LONG);
        p = rest;
    }
    while let Some((round, rest)) = p.split_at_checked(3 * SHORT) {
        crc = crc32c_3way(crc, round, SHORT, &SHIFT_SHORT);
        p = rest;
    }
    let (words, tail) = p.as_chunks::<8>();
    let mut c = u64::from(crc);
    for w in words {
        c = _mm_crc32_u64(c, u64::from_le_bytes(*w));
    }
    let mut c = c as u32;
    for &b in tail {
        c = _mm_crc32_u8(c, b);
    }
    c
}
