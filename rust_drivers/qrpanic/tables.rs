// SPDX-License-Identifier: MIT
//! Constant tables of the QR encoder: the same tables as c_drivers/qrpanic/qrpanic.c and
//! cpp_drivers/qrpanic/qr_tables.hpp, with the same layout (index 0 of the per-version
//! tables unused). Checked at compile time as qr_tables.hpp does with static_assert: every
//! table that follows from the specification's formulas is re-derived by a `const fn` and
//! compared, so a typo does not compile.
#![forbid(unsafe_code)]

pub(crate) const MAX_VERSION: usize = 40;
pub(crate) const MAX_ALIGN: usize = 7;
pub(crate) const MAX_EC: usize = 30;
/// Format word for ECC level L, mask 0.
pub(crate) const FORMAT_L_MASK0: u32 = 0x77c4;

#[derive(Clone, Copy)]
pub(crate) struct VersionParams {
    /// ECC codewords per block.
    pub(crate) ec_size: u8,
    /// Blocks of `g1_blk_size` data codewords.
    pub(crate) g1_blocks: u8,
    /// Blocks of `g1_blk_size + 1` data codewords.
    pub(crate) g2_blocks: u8,
    pub(crate) g1_blk_size: u8,
}

const fn vp(ec_size: u8, g1_blocks: u8, g2_blocks: u8, g1_blk_size: u8) -> VersionParams {
    VersionParams { ec_size, g1_blocks, g2_blocks, g1_blk_size }
}

/// The QR specification's ECC-L block table (ISO/IEC 18004 table 9).
pub(crate) const VERSIONS: [VersionParams; MAX_VERSION + 1] = [
    vp(0, 0, 0, 0),
    vp(7, 1, 0, 19), // V1
    vp(10, 1, 0, 34), // V2
    vp(15, 1, 0, 55), // V3
    vp(20, 1, 0, 80), // V4
    vp(26, 1, 0, 108), // V5
    vp(18, 2, 0, 68), // V6
    vp(20, 2, 0, 78), // V7
    vp(24, 2, 0, 97), // V8
    vp(30, 2, 0, 116), // V9
    vp(18, 2, 2, 68), // V10
    vp(20, 4, 0, 81), // V11
    vp(24, 2, 2, 92), // V12
    vp(26, 4, 0, 107), // V13
    vp(30, 3, 1, 115), // V14
    vp(22, 5, 1, 87), // V15
    vp(24, 5, 1, 98), // V16
    vp(28, 1, 5, 107), // V17
    vp(30, 5, 1, 120), // V18
    vp(28, 3, 4, 113), // V19
    vp(28, 3, 5, 107), // V20
    vp(28, 4, 4, 116), // V21
    vp(28, 2, 7, 111), // V22
    vp(30, 4, 5, 121), // V23
    vp(30, 6, 4, 117), // V24
    vp(26, 8, 4, 106), // V25
    vp(28, 10, 2, 114), // V26
    vp(30, 8, 4, 122), // V27
    vp(30, 3, 10, 117), // V28
    vp(30, 7, 7, 116), // V29
    vp(30, 5, 10, 115), // V30
    vp(30, 13, 3, 115), // V31
    vp(30, 17, 0, 115), // V32
    vp(30, 17, 1, 115), // V33
    vp(30, 13, 6, 115), // V34
    vp(30, 12, 7, 121), // V35
    vp(30, 6, 14, 121), // V36
    vp(30, 17, 4, 122), // V37
    vp(30, 4, 18, 122), // V38
    vp(30, 20, 4, 117), // V39
    vp(30, 19, 6, 118), // V40
];

/// Alignment pattern centres per version; count first.
pub(crate) const ALIGN_POS: [[u8; MAX_ALIGN + 1]; MAX_VERSION + 1] = [
    [0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0],
    [2, 6, 18, 0, 0, 0, 0, 0],
    [2, 6, 22, 0, 0, 0, 0, 0],
    [2, 6, 26, 0, 0, 0, 0, 0],
    [2, 6, 30, 0, 0, 0, 0, 0],
    [2, 6, 34, 0, 0, 0, 0, 0],
    [3, 6, 22, 38, 0, 0, 0, 0],
    [3, 6, 24, 42, 0, 0, 0, 0],
    [3, 6, 26, 46, 0, 0, 0, 0],
    [3, 6, 28, 50, 0, 0, 0, 0],
    [3, 6, 30, 54, 0, 0, 0, 0],
    [3, 6, 32, 58, 0, 0, 0, 0],
    [3, 6, 34, 62, 0, 0, 0, 0],
    [4, 6, 26, 46, 66, 0, 0, 0],
    [4, 6, 26, 48, 70, 0, 0, 0],
    [4, 6, 26, 50, 74, 0, 0, 0],
    [4, 6, 30, 54, 78, 0, 0, 0],
    [4, 6, 30, 56, 82, 0, 0, 0],
    [4, 6, 30, 58, 86, 0, 0, 0],
    [4, 6, 34, 62, 90, 0, 0, 0],
    [5, 6, 28, 50, 72, 94, 0, 0],
    [5, 6, 26, 50, 74, 98, 0, 0],
    [5, 6, 30, 54, 78, 102, 0, 0],
    [5, 6, 28, 54, 80, 106, 0, 0],
    [5, 6, 32, 58, 84, 110, 0, 0],
    [5, 6, 30, 58, 86, 114, 0, 0],
    [5, 6, 34, 62, 90, 118, 0, 0],
    [6, 6, 26, 50, 74, 98, 122, 0],
    [6, 6, 30, 54, 78, 102, 126, 0],
    [6, 6, 26, 52, 78, 104, 130, 0],
    [6, 6, 30, 56, 82, 108, 134, 0],
    [6, 6, 34, 60, 86, 112, 138, 0],
    [6, 6, 30, 58, 86, 114, 142, 0],
    [6, 6, 34, 62, 90, 118, 146, 0],
    [7, 6, 30, 54, 78, 102, 126, 150],
    [7, 6, 24, 50, 76, 102, 128, 154],
    [7, 6, 28, 54, 80, 106, 132, 158],
    [7, 6, 32, 58, 84, 110, 136, 162],
    [7, 6, 26, 54, 82, 110, 138, 166],
    [7, 6, 30, 58, 86, 114, 142, 170],
];

/// Generator polynomials as exponents of alpha, highest degree (implicit 1) dropped,
/// indexed by the number of ECC codewords per block.
pub(crate) const GEN_LOG: [[u8; MAX_EC]; MAX_EC + 1] = {
    let mut t = [[0u8; MAX_EC]; MAX_EC + 1];
    t[7] = pad_gen(&[87, 229, 146, 149, 238, 102, 21]);
    t[10] = pad_gen(&[251, 67, 46, 61, 118, 70, 64, 94, 32, 45]);
    t[15] = pad_gen(&[8, 183, 61, 91, 202, 37, 51, 58, 58, 237, 140, 124, 5, 99, 105]);
    t[18] = pad_gen(&[215, 234, 158, 94, 184, 97, 118, 170, 79, 187, 152, 148, 252, 179, 5, 98, 96, 153]);
    t[20] = pad_gen(&[17, 60, 79, 50, 61, 163, 26, 187, 202, 180, 221, 225, 83, 239, 156, 164, 212, 212, 188, 190]);
    t[22] = pad_gen(&[210, 171, 247, 242, 93, 230, 14, 109, 221, 53, 200, 74, 8, 172, 98, 80, 219, 134, 160, 105, 165, 231]);
    t[24] = pad_gen(&[229, 121, 135, 48, 211, 117, 251, 126, 159, 180, 169, 152, 192, 226, 228, 218, 111, 0, 117, 232, 87, 96, 227, 21]);
    t[26] = pad_gen(&[173, 125, 158, 2, 103, 182, 118, 17, 145, 201, 111, 28, 165, 53, 161, 21, 245, 142, 13, 102, 48, 227, 153, 145, 218, 70]);
    t[28] = pad_gen(&[168, 223, 200, 104, 224, 234, 108, 180, 110, 190, 195, 147, 205, 27, 232, 201, 21, 43, 245, 87, 42, 195, 212, 119, 242, 37, 9, 123]);
    t[30] = pad_gen(&[41, 173, 145, 152, 216, 31, 179, 182, 50, 48, 110, 86, 239, 96, 222, 125, 42, 173, 226, 193, 224, 130, 156, 37, 251, 216, 238, 40, 192, 180]);
    t
};

const fn pad_gen(g: &[u8]) -> [u8; MAX_EC] {
    let mut out = [0u8; MAX_EC];
    let mut i = 0;
    while i < g.len() {
        out[i] = g[i];
        i += 1;
    }
    out
}

/// Version information (18-bit BCH code) for versions 7..40.
pub(crate) const VERSION_INFO: [u32; MAX_VERSION + 1] = [
    0, 0, 0, 0, 0, 0, 0,
    0x07c94,
    0x085bc,
    0x09a99,
    0x0a4d3,
    0x0bbf6,
    0x0c762,
    0x0d847,
    0x0e60d,
    0x0f928,
    0x10b78,
    0x1145d,
    0x12a17,
    0x13532,
    0x149a6,
    0x15683,
    0x168c9,
    0x177ec,
    0x18ec4,
    0x191e1,
    0x1afab,
    0x1b08e,
    0x1cc1a,
    0x1d33f,
    0x1ed75,
    0x1f250,
    0x209d5,
    0x216f0,
    0x228ba,
    0x2379f,
    0x24b0b,
    0x2542e,
    0x26a64,
    0x27541,
    0x28c69,
];

/// GF(256), polynomial 0x11d: exp doubled to 512 entries so `exp[a + b]` needs no modulo.
pub(crate) const GF_EXP: [u8; 512] = [
    1, 2, 4, 8, 16, 32, 64, 128, 29, 58, 116, 232, 205, 135, 19, 38,
    76, 152, 45, 90, 180, 117, 234, 201, 143, 3, 6, 12, 24, 48, 96, 192,
    157, 39, 78, 156, 37, 74, 148, 53, 106, 212, 181, 119, 238, 193, 159, 35,
    70, 140, 5, 10, 20, 40, 80, 160, 93, 186, 105, 210, 185, 111, 222, 161,
    95, 190, 97, 194, 153, 47, 94, 188, 101, 202, 137, 15, 30, 60, 120, 240,
    253, 231, 211, 187, 107, 214, 177, 127, 254, 225, 223, 163, 91, 182, 113, 226,
    217, 175, 67, 134, 17, 34, 68, 136, 13, 26, 52, 104, 208, 189, 103, 206,
    129, 31, 62, 124, 248, 237, 199, 147, 59, 118, 236, 197, 151, 51, 102, 204,
    133, 23, 46, 92, 184, 109, 218, 169, 79, 158, 33, 66, 132, 21, 42, 84,
    168, 77, 154, 41, 82, 164, 85, 170, 73, 146, 57, 114, 228, 213, 183, 115,
    230, 209, 191, 99, 198, 145, 63, 126, 252, 229, 215, 179, 123, 246, 241, 255,
    227, 219, 171, 75, 150, 49, 98, 196, 149, 55, 110, 220, 165, 87, 174, 65,
    130, 25, 50, 100, 200, 141, 7, 14, 28, 56, 112, 224, 221, 167, 83, 166,
    81, 162, 89, 178, 121, 242, 249, 239, 195, 155, 43, 86, 172, 69, 138, 9,
    18, 36, 72, 144, 61, 122, 244, 245, 247, 243, 251, 235, 203, 139, 11, 22,
    44, 88, 176, 125, 250, 233, 207, 131, 27, 54, 108, 216, 173, 71, 142, 1,
    2, 4, 8, 16, 32, 64, 128, 29, 58, 116, 232, 205, 135, 19, 38, 76,
    152, 45, 90, 180, 117, 234, 201, 143, 3, 6, 12, 24, 48, 96, 192, 157,
    39, 78, 156, 37, 74, 148, 53, 106, 212, 181, 119, 238, 193, 159, 35, 70,
    140, 5, 10, 20, 40, 80, 160, 93, 186, 105, 210, 185, 111, 222, 161, 95,
    190, 97, 194, 153, 47, 94, 188, 101, 202, 137, 15, 30, 60, 120, 240, 253,
    231, 211, 187, 107, 214, 177, 127, 254, 225, 223, 163, 91, 182, 113, 226, 217,
    175, 67, 134, 17, 34, 68, 136, 13, 26, 52, 104, 208, 189, 103, 206, 129,
    31, 62, 124, 248, 237, 199, 147, 59, 118, 236, 197, 151, 51, 102, 204, 133,
    23, 46, 92, 184, 109, 218, 169, 79, 158, 33, 66, 132, 21, 42, 84, 168,
    77, 154, 41, 82, 164, 85, 170, 73, 146, 57, 114, 228, 213, 183, 115, 230,
    209, 191, 99, 198, 145, 63, 126, 252, 229, 215, 179, 123, 246, 241, 255, 227,
    219, 171, 75, 150, 49, 98, 196, 149, 55, 110, 220, 165, 87, 174, 65, 130,
    25, 50, 100, 200, 141, 7, 14, 28, 56, 112, 224, 221, 167, 83, 166, 81,
    162, 89, 178, 121, 242, 249, 239, 195, 155, 43, 86, 172, 69, 138, 9, 18,
    36, 72, 144, 61, 122, 244, 245, 247, 243, 251, 235, 203, 139, 11, 22, 44,
    88, 176, 125, 250, 233, 207, 131, 27, 54, 108, 216, 173, 71, 142, 1, 2,
];

pub(crate) const GF_LOG: [u8; 256] = [
    0, 0, 1, 25, 2, 50, 26, 198, 3, 223, 51, 238, 27, 104, 199, 75,
    4, 100, 224, 14, 52, 141, 239, 129, 28, 193, 105, 248, 200, 8, 76, 113,
    5, 138, 101, 47, 225, 36, 15, 33, 53, 147, 142, 218, 240, 18, 130, 69,
    29, 181, 194, 125, 106, 39, 249, 185, 201, 154, 9, 120, 77, 228, 114, 166,
    6, 191, 139, 98, 102, 221, 48, 253, 226, 152, 37, 179, 16, 145, 34, 136,
    54, 208, 148, 206, 143, 150, 219, 189, 241, 210, 19, 92, 131, 56, 70, 64,
    30, 66, 182, 163, 195, 72, 126, 110, 107, 58, 40, 84, 250, 133, 186, 61,
    202, 94, 155, 159, 10, 21, 121, 43, 78, 212, 229, 172, 115, 243, 167, 87,
    7, 112, 192, 247, 140, 128, 99, 13, 103, 74, 222, 237, 49, 197, 254, 24,
    227, 165, 153, 119, 38, 184, 180, 124, 17, 68, 146, 217, 35, 32, 137, 46,
    55, 63, 209, 91, 149, 188, 207, 205, 144, 135, 151, 178, 220, 252, 190, 97,
    242, 86, 211, 171, 20, 42, 93, 158, 132, 60, 57, 83, 71, 109, 65, 162,
    31, 45, 67, 216, 183, 123, 164, 118, 196, 23, 73, 236, 127, 12, 111, 246,
    108, 161, 59, 82, 41, 157, 85, 170, 251, 96, 134, 177, 187, 204, 62, 90,
    203, 89, 95, 176, 156, 169, 160, 81, 11, 245, 22, 235, 122, 117, 44, 215,
    79, 174, 213, 233, 230, 231, 173, 232, 116, 214, 244, 234, 168, 80, 88, 175,
];

/// Digits used by the last chunk of n bytes in a Numeric segment.
pub(crate) const BYTES_TO_DIGITS: [u8; 8] = [0, 3, 5, 8, 10, 13, 15, 17];
/// Bits used by a final group of n digits.
pub(crate) const DIGIT_GROUP_BITS: [u8; 4] = [0, 4, 7, 10];

// ---- compile-time checks (qr_tables.hpp's static_asserts) ----

const fn gf_tables_consistent() -> bool {
    let mut x: u32 = 1;
    let mut i = 0;
    while i < 255 {
        if GF_EXP[i] as u32 != x || GF_EXP[i + 255] as u32 != x || GF_LOG[x as usize] as usize != i {
            return false;
        }
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11d;
        }
        i += 1;
    }
    GF_EXP[510] == GF_EXP[0] && GF_EXP[511] == GF_EXP[1]
}
const _: () = assert!(gf_tables_consistent(), "GF_EXP/GF_LOG are not GF(256) mod 0x11d");

const fn generator_matches(degree: usize) -> bool {
    let mut g = [0u8; MAX_EC + 1];
    g[0] = 1;
    let mut i = 0;
    while i < degree {
        let mut j = i + 1;
        while j > 0 {
            let prod = if g[j - 1] != 0 { GF_EXP[GF_LOG[g[j - 1] as usize] as usize + i] } else { 0 };
            g[j] ^= prod;
            j -= 1;
        }
        i += 1;
    }
    let mut j = 1;
    while j <= degree {
        if g[j] == 0 || GF_LOG[g[j] as usize] != GEN_LOG[degree][j - 1] {
            return false;
        }
        j += 1;
    }
    true
}

const fn generators_match() -> bool {
    let mut v = 1;
    while v <= MAX_VERSION {
        if !generator_matches(VERSIONS[v].ec_size as usize) {
            return false;
        }
        v += 1;
    }
    true
}
const _: () = assert!(generators_match(), "GEN_LOG is not the Reed-Solomon generator");

const fn version_info_is_bch() -> bool {
    let mut v = 7;
    while v <= MAX_VERSION {
        let mut rem = v as u32;
        let mut i = 0;
        while i < 12 {
            rem = (rem << 1) ^ ((rem >> 11) * 0x1f25);
            i += 1;
        }
        if VERSION_INFO[v] != ((v as u32) << 12 | rem) {
            return false;
        }
        v += 1;
    }
    true
}
const _: () = assert!(version_info_is_bch(), "VERSION_INFO is not the (18,6) BCH code");

const fn alignment_positions_follow_formula() -> bool {
    let mut v = 2;
    while v <= MAX_VERSION {
        let n = v / 7 + 2;
        let step = (v * 8 + n * 3 + 5) / (n * 4 - 4) * 2;
        if ALIGN_POS[v][0] as usize != n || ALIGN_POS[v][1] != 6 {
            return false;
        }
        let mut i = 1;
        while i < n {
            if ALIGN_POS[v][n + 1 - i] as usize != v * 4 + 17 - 7 - (i - 1) * step {
                return false;
            }
            i += 1;
        }
        v += 1;
    }
    ALIGN_POS[1][0] == 0
}
const _: () = assert!(alignment_positions_follow_formula(), "ALIGN_POS disagrees with the spec");

/// Modules available for codewords (ISO/IEC 18004 7.1), as in the spec's table 1.
const fn raw_data_modules(v: usize) -> usize {
    let mut r = (16 * v + 128) * v + 64;
    if v >= 2 {
        let n = v / 7 + 2;
        r -= (25 * n - 10) * n - 55;
        if v >= 7 {
            r -= 36;
        }
    }
    r
}

const fn versions_fill_the_symbol() -> bool {
    let mut v = 1;
    while v <= MAX_VERSION {
        let p = VERSIONS[v];
        let blocks = p.g1_blocks as usize + p.g2_blocks as usize;
        let total = p.g1_blk_size as usize * p.g1_blocks as usize
            + (p.g1_blk_size as usize + 1) * p.g2_blocks as usize
            + p.ec_size as usize * blocks;
        if total != raw_data_modules(v) / 8 || p.ec_size as usize > MAX_EC {
            return false;
        }
        v += 1;
    }
    true
}
const _: () = assert!(versions_fill_the_symbol(), "VERSIONS disagrees with the symbol's module count");
const _: () = assert!(
    VERSIONS[40].g1_blk_size as usize * VERSIONS[40].g1_blocks as usize
        + (VERSIONS[40].g1_blk_size as usize + 1) * VERSIONS[40].g2_blocks as usize
        == 2956,
    "version 40-L holds 2956 data codewords"
);
