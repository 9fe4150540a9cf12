// SPDX-License-Identifier: MIT
//! qrpanic, safe Rust: the panic-screen QR encoder on slices. Same algorithm and data
//! layout as c_drivers/qrpanic/qrpanic.c and cpp_drivers/qrpanic/qr_encoder.cpp
//! (docs/qrpanic.md); only the expression differs: slices instead of pointers, a
//! `Version` type instead of a bare integer, errors as `Result`, checked const tables.
//! The C ABI (raw pointers and sizes) is converted in bindings.rs and nowhere else.
#![forbid(unsafe_code)]

use super::tables::{
    VersionParams, ALIGN_POS, BYTES_TO_DIGITS, DIGIT_GROUP_BITS, FORMAT_L_MASK0, GEN_LOG, GF_EXP,
    GF_LOG, MAX_EC, MAX_VERSION, VERSIONS, VERSION_INFO,
};

/// A version 40 image: 177 rows of 23 bytes.
pub(crate) const MIN_DATA_SIZE: usize = 4071;
/// Version 40 codewords, data + ECC.
pub(crate) const MIN_TMP_SIZE: usize = 3706;

const MODE_NUMERIC: u32 = 0x1;
const MODE_BYTE: u32 = 0x4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QrError {
    DataBufferTooSmall,
    TmpBufferTooSmall,
    DataLenExceedsBuffer,
    PayloadTooLarge,
}

/// Width of the drawn code in modules (21..177).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Width(pub(crate) u8);

/// A QR version 1..40; only `Version::new` makes one, so tables are indexed in range.
#[derive(Clone, Copy)]
struct Version(u8);

impl Version {
    fn new(v: u8) -> Option<Version> {
        if (1..=MAX_VERSION as u8).contains(&v) {
            Some(Version(v))
        } else {
            None
        }
    }
    fn number(self) -> usize {
        usize::from(self.0)
    }
    fn params(self) -> &'static VersionParams {
        &VERSIONS[self.number()]
    }
    fn width(self) -> usize {
        self.number() * 4 + 17
    }
    fn max_data(self) -> usize {
        let p = self.params();
        usize::from(p.g1_blk_size) * usize::from(p.g1_blocks)
            + (usize::from(p.g1_blk_size) + 1) * usize::from(p.g2_blocks)
    }
    fn blocks(self) -> usize {
        usize::from(self.params().g1_blocks) + usize::from(self.params().g2_blocks)
    }
    fn codewords(self) -> usize {
        self.max_data() + usize::from(self.params().ec_size) * self.blocks()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SegKind {
    Byte,
    Numeric,
}

#[derive(Clone, Copy)]
struct Segment<'a> {
    kind: SegKind,
    bytes: &'a [u8],
}

impl Segment<'_> {
    fn length_bits(&self, version: Version) -> u32 {
        let v = version.number();
        if self.kind == SegKind::Byte {
            return if v <= 9 { 8 } else { 16 };
        }
        if v <= 9 {
            10
        } else if v <= 26 {
            12
        } else {
            14
        }
    }

    fn numeric_digits(len: usize) -> usize {
        17 * (len / 7) + usize::from(BYTES_TO_DIGITS[len % 7])
    }

    fn char_count(&self) -> usize {
        match self.kind {
            SegKind::Byte => self.bytes.len(),
            SegKind::Numeric => Self::numeric_digits(self.bytes.len()),
        }
    }

    fn total_bits(&self, version: Version) -> usize {
        let payload = match self.kind {
            SegKind::Byte => self.bytes.len() * 8,
            SegKind::Numeric => {
                let digits = Self::numeric_digits(self.bytes.len());
                10 * (digits / 3) + usize::from(DIGIT_GROUP_BITS[digits % 3])
            }
        };
        4 + self.length_bits(version) as usize + payload
    }
}

/// Smallest version whose data capacity holds the segments.
fn pick_version(segs: &[Segment<'_>]) -> Option<Version> {
    (1..=MAX_VERSION as u8).filter_map(Version::new).find(|&version| {
        let bits: usize = segs.iter().map(|s| s.total_bits(version)).sum();
        bits <= version.max_data() * 8
    })
}

/// Appends bits MSB first into a zero-filled buffer.
struct BitWriter<'a> {
    buf: &'a mut [u8],
    bit: usize,
}

impl BitWriter<'_> {
    fn put(&mut self, value: u32, mut nbits: u32) {
        while nbits != 0 {
            let byte = self.bit / 8;
            let room = 8 - (self.bit % 8) as u32;
            let take = if nbits < room { nbits } else { room };
            let chunk = (value >> (nbits - take)) & ((1u32 << take) - 1);

            self.buf[byte] |= (chunk << (room - take)) as u8;
            self.bit += take as usize;
            nbits -= take;
        }
    }

    fn put_numeric(&mut self, bytes: &[u8]) {
        let mut group: u32 = 0;
        let mut group_len = 0usize;

        for piece in bytes.chunks(7) {
            let ndigits = usize::from(BYTES_TO_DIGITS[piece.len()]);
            let mut digits = [0u8; 17];
            let mut chunk: u64 = 0;

            // The chunk is a little-endian u64 of up to 7 bytes.
            for (i, &b) in piece.iter().enumerate() {
                chunk |= u64::from(b) << (8 * i);
            }
            for d in digits[..ndigits].iter_mut().rev() {
                *d = (chunk % 10) as u8;
                chunk /= 10;
            }
            for &d in &digits[..ndigits] {
                group = group * 10 + u32::from(d);
                group_len += 1;
                if group_len == 3 {
                    self.put(group, 10);
                    group = 0;
                    group_len = 0;
                }
            }
        }
        if group_len != 0 {
            self.put(group, u32::from(DIGIT_GROUP_BITS[group_len]));
        }
    }
}

/// Writes segments, terminator and padding: the data codewords of tmp.
fn encode_segments(segs: &[Segment<'_>], version: Version, tmp: &mut [u8]) {
    let capacity = version.max_data();
    let mut bw = BitWriter { buf: tmp, bit: 0 };

    for seg in segs {
        bw.put(if seg.kind == SegKind::Byte { MODE_BYTE } else { MODE_NUMERIC }, 4);
        bw.put(seg.char_count() as u32, seg.length_bits(version));
        match seg.kind {
            SegKind::Byte => {
                for &b in seg.bytes {
                    bw.put(u32::from(b), 8);
                }
            }
            SegKind::Numeric => bw.put_numeric(seg.bytes),
        }
    }
    // Terminator: up to four zero bits, cut at capacity. tmp is zeroed.
    let bit = core::cmp::min(bw.bit + 4, capacity * 8);
    let pad = bit.div_ceil(8);
    for (i, b) in tmp[..capacity].iter_mut().enumerate().skip(pad) {
        *b = if (i - pad) & 1 != 0 { 0x11 } else { 0xec };
    }
}

/// Reed-Solomon remainder of each block, stored after all data codewords.
fn compute_ecc(version: Version, tmp: &mut [u8]) {
    let p = version.params();
    let ec = usize::from(p.ec_size);
    let gen = &GEN_LOG[ec][..ec];
    let mut data_off = 0;
    let mut ec_off = version.max_data();

    for b in 0..version.blocks() {
        let blk_size = usize::from(p.g1_blk_size) + usize::from(b >= usize::from(p.g1_blocks));
        let mut rem_store = [0u8; MAX_EC];
        let rem = &mut rem_store[..ec];

        for &cw in &tmp[data_off..data_off + blk_size] {
            let factor = cw ^ rem[0];

            rem.copy_within(1.., 0);
            rem[ec - 1] = 0;
            if factor != 0 {
                let lf = usize::from(GF_LOG[usize::from(factor)]);
                for (r, &g) in rem.iter_mut().zip(gen) {
                    *r ^= GF_EXP[lf + usize::from(g)];
                }
            }
        }
        tmp[ec_off..ec_off + ec].copy_from_slice(rem);
        data_off += blk_size;
        ec_off += ec;
    }
}

/// Yields codewords in the interleaved order of the symbol: the i-th data codeword of
/// every block, then the i-th ECC codeword of every block.
struct CodewordIter<'a> {
    p: &'static VersionParams,
    tmp: &'a [u8],
    /// Index of the first ECC codeword in tmp.
    ec_base: usize,
    nblocks: u32,
    /// Block of the next codeword.
    blk: u32,
    /// Index within the block.
    idx: u32,
    in_ecc: bool,
}

impl<'a> CodewordIter<'a> {
    fn new(version: Version, tmp: &'a [u8]) -> Self {
        CodewordIter {
            p: version.params(),
            tmp,
            ec_base: version.max_data(),
            nblocks: version.blocks() as u32,
            blk: 0,
            idx: 0,
            in_ecc: false,
        }
    }

    fn next_cw(&mut self) -> u8 {
        let p = self.p;
        let g1_blocks = u32::from(p.g1_blocks);
        let g1_blk_size = u32::from(p.g1_blk_size);

        if !self.in_ecc {
            // Group 2 blocks are one codeword longer: only they have the last index.
            if self.idx == g1_blk_size && self.blk < g1_blocks {
                self.blk = g1_blocks;
            }
            let off = if self.blk < g1_blocks {
                self.blk as usize * g1_blk_size as usize + self.idx as usize
            } else {
                g1_blocks as usize * g1_blk_size as usize
                    + (self.blk - g1_blocks) as usize * (g1_blk_size as usize + 1)
                    + self.idx as usize
            };
            self.blk += 1;
            if self.blk == self.nblocks {
                self.blk = 0;
                self.idx += 1;
                if self.idx > g1_blk_size || (self.idx == g1_blk_size && p.g2_blocks == 0) {
                    self.idx = 0;
                    self.in_ecc = true;
                }
            }
            return self.tmp[off];
        }
        let off = self.ec_base + self.blk as usize * usize::from(p.ec_size) + self.idx as usize;
        self.blk += 1;
        if self.blk == self.nblocks {
            self.blk = 0;
            self.idx += 1;
        }
        self.tmp[off]
    }
}

/// Rows of one column that hold function patterns, as a 192-bit mask.
#[derive(Clone, Copy, Default)]
struct RowMask {
    words: [u64; 3],
}

impl RowMask {
    fn reserve(&mut self, lo: usize, hi: usize) {
        for y in lo..=hi {
            self.words[y / 64] |= 1u64 << (y % 64);
        }
    }
    fn test(&self, y: usize) -> bool {
        (self.words[y / 64] >> (y % 64)) & 1 != 0
    }
}

/// An alignment centre that would overlap a finder is not drawn.
fn align_skipped(i: usize, j: usize, n: usize) -> bool {
    (i == 0 && j == 0) || (i == 0 && j == n - 1) || (i == n - 1 && j == 0)
}

struct QrImage<'a> {
    data: &'a mut [u8],
    version: Version,
    width: usize,
    stride: usize,
    align: &'static [u8; 8],
}

impl<'a> QrImage<'a> {
    fn new(data: &'a mut [u8], version: Version) -> Self {
        let width = version.width();
        QrImage { data, version, width, stride: width.div_ceil(8), align: &ALIGN_POS[version.number()] }
    }

    fn set_light(&mut self, x: usize, y: usize) {
        self.data[y * self.stride + x / 8] |= 0x80u8 >> (x % 8);
    }

    /// Finder at centre (cx, cy): ring 2 and the separator (ring 4) are light.
    fn draw_finder(&mut self, cx: isize, cy: isize) {
        let w = self.width as isize;
        for dy in -4isize..=4 {
            for dx in -4isize..=4 {
                let (x, y) = (cx + dx, cy + dy);
                let d = core::cmp::max(dx.abs(), dy.abs());

                if x < 0 || y < 0 || x >= w || y >= w {
                    continue;
                }
                if d == 2 || d == 4 {
                    self.set_light(x as usize, y as usize);
                }
            }
        }
    }

    fn draw_function_patterns(&mut self) {
        let w = self.width;
        let align = self.align;
        let n = usize::from(align[0]);

        self.draw_finder(3, 3);
        self.draw_finder(w as isize - 4, 3);
        self.draw_finder(3, w as isize - 4);

        for i in 0..n {
            for j in 0..n {
                if align_skipped(i, j, n) {
                    continue;
                }
                let (ax, ay) = (usize::from(align[1 + i]), usize::from(align[1 + j]));
                for dy in 0..3 {
                    for dx in 0..3 {
                        if dx != 1 || dy != 1 {
                            self.set_light(ax + dx - 1, ay + dy - 1);
                        }
                    }
                }
            }
        }

        // Timing patterns: odd positions are light.
        for k in (9..w - 8).step_by(2) {
            self.set_light(k, 6);
            self.set_light(6, k);
        }

        // Format information, both copies; (8, w - 8) stays dark.
        for k in 0..15 {
            if FORMAT_L_MASK0 & (1u32 << k) != 0 {
                continue;
            }
            if k < 6 {
                self.set_light(8, k);
            } else if k < 8 {
                self.set_light(8, k + 1);
            } else if k == 8 {
                self.set_light(7, 8);
            } else {
                self.set_light(14 - k, 8);
            }
            if k < 8 {
                self.set_light(w - 1 - k, 8);
            } else {
                self.set_light(8, w - 15 + k);
            }
        }

        // Version information, both copies.
        if self.version.number() >= 7 {
            let info = VERSION_INFO[self.version.number()];
            for k in 0..18 {
                if info & (1u32 << k) != 0 {
                    continue;
                }
                self.set_light(w - 11 + k % 3, k / 3);
                self.set_light(k / 3, w - 11 + k % 3);
            }
        }
    }

    /// Rows of column x that hold function patterns.
    fn reserved_rows(&self, x: usize) -> RowMask {
        let w = self.width;
        let align = self.align;
        let n = usize::from(align[0]);
        let mut rows = RowMask::default();

        rows.reserve(6, 6); // timing row
        if x <= 8 {
            rows.reserve(0, 8); // finder, separator, format
            rows.reserve(w - 8, w - 1);
        } else if x >= w - 8 {
            rows.reserve(0, 8);
        }
        if self.version.number() >= 7 {
            if x >= w - 11 && x <= w - 9 {
                rows.reserve(0, 5);
            }
            if x <= 5 {
                rows.reserve(w - 11, w - 9);
            }
        }
        for i in 0..n {
            let a = usize::from(align[1 + i]);
            if x + 2 < a || x > a + 2 {
                continue;
            }
            for j in 0..n {
                if !align_skipped(i, j, n) {
                    let c = usize::from(align[1 + j]);
                    rows.reserve(c - 2, c + 2);
                }
            }
        }
        rows
    }

    /// Places all codewords (then remainder bits) in zig-zag order with mask 0.
    fn draw_data(&mut self, it: &mut CodewordIter<'_>, ncodewords: usize) {
        let w = self.width;
        let mut placer = BitPlacer { it, total_bits: ncodewords * 8, bit: 0, cw: 0 };
        let mut right = w - 1;

        loop {
            if right == 6 {
                right = 5; // column 6 is the vertical timing pattern
            }
            let upward = (right + 1) & 2 == 0;
            let rows = [self.reserved_rows(right), self.reserved_rows(right - 1)];
            // The image's rows as exact `stride`-byte slices: the column's byte index is
            // checked against the row length once per column, not once per module.
            let image = self.data[..w * self.stride].chunks_exact_mut(self.stride).enumerate();
            if upward {
                placer.place_column(image.rev(), right, &rows);
            } else {
                placer.place_column(image, right, &rows);
            }
            if right < 3 {
                break;
            }
            right -= 2;
        }
    }
}

/// The zig-zag walk's state across columns: the next bit of the codeword stream.
struct BitPlacer<'a, 'b> {
    it: &'a mut CodewordIter<'b>,
    total_bits: usize,
    bit: usize,
    cw: u8,
}

impl BitPlacer<'_, '_> {
    /// Places the next bits into columns `right` and `right - 1`, visiting rows in the
    /// order `rows_in_order` yields them (upward or downward).
    fn place_column<'r>(
        &mut self,
        rows_in_order: impl Iterator<Item = (usize, &'r mut [u8])>,
        right: usize,
        reserved: &[RowMask; 2],
    ) {
        for (y, row) in rows_in_order {
            for c in 0..2 {
                let x = right - c;
                let mut dark = 0u8;

                if reserved[c].test(y) {
                    continue;
                }
                if self.bit < self.total_bits {
                    if self.bit % 8 == 0 {
                        self.cw = self.it.next_cw();
                    }
                    dark = (self.cw >> (7 - self.bit % 8)) & 1;
                    self.bit += 1;
                }
                // Mask 0 inverts where (x + y) is even. Branch-free: data bits are
                // random, a branch would mispredict.
                let light = dark ^ 1 ^ ((((x + y) & 1) as u8) ^ 1);
                row[x / 8] |= light << (7 - x % 8);
            }
        }
    }
}

/// Encodes data[..data_len] (after the URL, as Numeric, when a URL is given) and draws the
/// code over data: 1 bit per module, MSB first, stride ceil(width / 8), a set bit is a
/// light module. tmp receives codewords and ECC. An error leaves both buffers untouched.
pub(crate) fn generate(
    url: Option<&[u8]>,
    data: &mut [u8],
    data_len: usize,
    tmp: &mut [u8],
) -> Result<Width, QrError> {
    if data.len() < MIN_DATA_SIZE {
        return Err(QrError::DataBufferTooSmall);
    }
    if tmp.len() < MIN_TMP_SIZE {
        return Err(QrError::TmpBufferTooSmall);
    }
    let payload = data.get(..data_len).ok_or(QrError::DataLenExceedsBuffer)?;

    let seg_store;
    let segs: &[Segment<'_>] = match url {
        Some(u) => {
            seg_store = [
                Segment { kind: SegKind::Byte, bytes: u },
                Segment { kind: SegKind::Numeric, bytes: payload },
            ];
            &seg_store
        }
        None => {
            seg_store = [
                Segment { kind: SegKind::Byte, bytes: payload },
                Segment { kind: SegKind::Byte, bytes: &[] },
            ];
            &seg_store[..1]
        }
    };

    let version = pick_version(segs).ok_or(QrError::PayloadTooLarge)?;

    tmp.fill(0);
    encode_segments(segs, version, tmp);
    compute_ecc(version, tmp);

    // The payload has been consumed: data becomes the image.
    data.fill(0);
    let mut img = QrImage::new(data, version);
    img.draw_function_patterns();
    let mut it = CodewordIter::new(version, tmp);
    img.draw_data(&mut it, version.codewords());
    Ok(Width(version.width() as u8))
}

/// Largest payload for a version 1..40 code with a URL of url_len bytes (0: none);
/// 0 for a version outside 1..40.
pub(crate) fn max_data_size(version: u8, url_len: usize) -> usize {
    let Some(version) = Version::new(version) else {
        return 0;
    };
    let max_data = version.max_data();
    if url_len > 0 {
        // Byte (URL) header + length, Numeric header + length: 5 bytes.
        // 39/40 is the kernel's allowance for the numeric expansion.
        // url_len + 5 >= max_data, without the overflow of url_len + 5.
        if url_len >= max_data - 5 {
            return 0;
        }
        return (max_data - url_len - 5) * 39 / 40;
    }
    // One Byte segment: 4-bit header, 16-bit length, 4-bit terminator.
    max_data - 3
}
