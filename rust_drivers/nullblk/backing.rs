// SPDX-License-Identifier: MIT
//! The memory backing: 4 KiB pages allocated on first write, found through a
//! radix tree of fanout 64 whose height is fixed by the device size (the tree
//! of c_drivers/nullblk/nullblk.c). Every node is 64 owning pointers, 512
//! bytes, as C's struct nb_node: above the last level they point to nodes of
//! the next level, at the last level to pages. C keeps both in a union whose
//! meaning the level decides; here, as in cpp_drivers/nullblk/backing.hpp, the
//! level is in the node's type (`Leaf` holds pages, `[Slot<C>; 64]` holds
//! nodes of type C), so no node carries a tag. The tree's height, C's
//! mem->levels, is the variant of `Root`: one dispatch per lookup, then the
//! walk from the root down, one slot load per level.
//! Nodes and pages are allocated fallibly with malloc + zeroing (`memset`), as
//! both other sides do; an allocation failure is a `None`, never an abort.
//! Not synchronised: the device keeps it in a `Mutex<Backing>`.
#![forbid(unsafe_code)]

use super::mq::Bytes;

pub const PAGE_SHIFT: u32 = 12;
pub const PAGE_SIZE: usize = 1 << PAGE_SHIFT;
const FANOUT_SHIFT: u32 = 6;
const FANOUT: usize = 1 << FANOUT_SHIFT;
/// A device of at most 2^64 bytes has at most 2^52 pages: 9 levels (64^9 = 2^54).
pub const MAX_LEVELS: u32 = 9;

pub type Page = [u8; PAGE_SIZE];
type Slot<T> = Option<Box<T>>;
/// The last level: pages.
type Leaf = [Slot<Page>; FANOUT];
/// A node above the last level: nodes of type C.
type Inner<C> = [Slot<C>; FANOUT];

type N0 = Leaf;
type N1 = Inner<N0>;
type N2 = Inner<N1>;
type N3 = Inner<N2>;
type N4 = Inner<N3>;
type N5 = Inner<N4>;
type N6 = Inner<N5>;
type N7 = Inner<N6>;
type N8 = Inner<N7>;

/// The fewest levels of 64 slots that address every page of a device (the
/// page count rounds up without size + 4095, which wraps near 2^64).
pub const fn levels_for(size: Bytes) -> u32 {
    let pages = (size.0 >> PAGE_SHIFT) + if size.0 & (PAGE_SIZE as u64 - 1) != 0 { 1 } else { 0 };
    let mut reach = FANOUT as u64;
    let mut levels = 1;
    while reach < pages {
        reach <<= FANOUT_SHIFT;
        levels += 1;
    }
    levels
}

const _: () = assert!(levels_for(Bytes(4096)) == 1);
const _: () = assert!(levels_for(Bytes(64 * PAGE_SIZE as u64)) == 1);
const _: () = assert!(levels_for(Bytes(65 * PAGE_SIZE as u64)) == 2);
const _: () = assert!(levels_for(Bytes(1 << 44)) == 6);
const _: () = assert!(levels_for(Bytes(!511)) == MAX_LEVELS); // the largest valid size
const _: () = assert!(core::mem::size_of::<N0>() == FANOUT * 8);
const _: () = assert!(core::mem::size_of::<N8>() == FANOUT * 8);

/// `len` zeroed values in one fallible allocation of exactly `len` (malloc,
/// then the zeroing stores, which the compiler turns into memset).
fn alloc_zeroed<T, const N: usize>(zero: impl FnMut() -> T) -> Option<Box<[T; N]>> {
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(N).ok()?;
    v.resize_with(N, zero);
    v.into_boxed_slice().try_into().ok()
}

#[inline]
fn slot_at(idx: u64, below: u32) -> usize {
    ((idx >> (below * FANOUT_SHIFT)) & (FANOUT as u64 - 1)) as usize
}

/// A level of the tree; `BELOW` levels of nodes under it.
trait Level: Sized {
    const BELOW: u32;
    /// C's nb_mem_lookup() below `slot`.
    fn lookup<'a>(slot: &'a mut Slot<Self>, idx: u64, alloc: bool, created: &mut bool) -> Option<&'a mut Page>;
    /// C's nb_mem_free_page() below `node`.
    fn free_page(node: Option<&mut Self>, idx: u64) -> bool;
}

/// The node in `slot`, allocated zero-filled when missing and `alloc`.
#[inline]
fn node_in<T>(slot: &mut Slot<[T; FANOUT]>, alloc: bool, zero: impl FnMut() -> T) -> Option<&mut [T; FANOUT]> {
    if slot.is_none() {
        if !alloc {
            return None;
        }
        *slot = Some(alloc_zeroed(zero)?);
    }
    slot.as_deref_mut()
}

impl Level for Leaf {
    const BELOW: u32 = 0;

    #[inline]
    fn lookup<'a>(slot: &'a mut Slot<Self>, idx: u64, alloc: bool, created: &mut bool) -> Option<&'a mut Page> {
        let node = node_in(slot, alloc, || None)?;
        let page = node.get_mut(slot_at(idx, 0))?;
        if page.is_none() && alloc {
            *page = alloc_zeroed(|| 0u8);
            *created = page.is_some();
        }
        page.as_deref_mut()
    }

    #[inline]
    fn free_page(node: Option<&mut Self>, idx: u64) -> bool {
        match node.and_then(|n| n.get_mut(slot_at(idx, 0))) {
            Some(page) => page.take().is_some(),
            None => false,
        }
    }
}

impl<C: Level> Level for Inner<C> {
    const BELOW: u32 = C::BELOW + 1;

    #[inline]
    fn lookup<'a>(slot: &'a mut Slot<Self>, idx: u64, alloc: bool, created: &mut bool) -> Option<&'a mut Page> {
        let node = node_in(slot, alloc, || None)?;
        C::lookup(node.get_mut(slot_at(idx, Self::BELOW))?, idx, alloc, created)
    }

    #[inline]
    fn free_page(node: Option<&mut Self>, idx: u64) -> bool {
        let child = node.and_then(|n| n.get_mut(slot_at(idx, Self::BELOW))).and_then(|s| s.as_deref_mut());
        C::free_page(child, idx)
    }
}

/// The root: a tree of height h is variant Lh (its root a node with h - 1
/// levels of nodes under it).
enum Root {
    L1(Slot<N0>),
    L2(Slot<N1>),
    L3(Slot<N2>),
    L4(Slot<N3>),
    L5(Slot<N4>),
    L6(Slot<N5>),
    L7(Slot<N6>),
    L8(Slot<N7>),
    L9(Slot<N8>),
}

pub struct Backing {
    root: Root,
}

impl Backing {
    /// An empty tree of `levels` (1..=MAX_LEVELS, from `levels_for`).
    pub fn new(levels: u32) -> Self {
        let root = match levels {
            0 | 1 => Root::L1(None),
            2 => Root::L2(None),
            3 => Root::L3(None),
            4 => Root::L4(None),
            5 => Root::L5(None),
            6 => Root::L6(None),
            7 => Root::L7(None),
            8 => Root::L8(None),
            _ => Root::L9(None),
        };
        Backing { root }
    }

    /// C's nb_mem_lookup(): the page at index `idx`. With `alloc`, missing
    /// nodes and the page are allocated zero-filled (`created` tells whether
    /// the page is new) and None means out of memory; without, None means
    /// never written.
    #[inline(never)]
    pub fn lookup(&mut self, idx: u64, alloc: bool, created: &mut bool) -> Option<&mut Page> {
        match &mut self.root {
            Root::L1(s) => N0::lookup(s, idx, alloc, created),
            Root::L2(s) => N1::lookup(s, idx, alloc, created),
            Root::L3(s) => N2::lookup(s, idx, alloc, created),
            Root::L4(s) => N3::lookup(s, idx, alloc, created),
            Root::L5(s) => N4::lookup(s, idx, alloc, created),
            Root::L6(s) => N5::lookup(s, idx, alloc, created),
            Root::L7(s) => N6::lookup(s, idx, alloc, created),
            Root::L8(s) => N7::lookup(s, idx, alloc, created),
            Root::L9(s) => N8::lookup(s, idx, alloc, created),
        }
    }

    /// C's nb_mem_free_page(): frees the page at `idx`; whether there was one.
    pub fn free_page(&mut self, idx: u64) -> bool {
        match &mut self.root {
            Root::L1(s) => N0::free_page(s.as_deref_mut(), idx),
            Root::L2(s) => N1::free_page(s.as_deref_mut(), idx),
            Root::L3(s) => N2::free_page(s.as_deref_mut(), idx),
            Root::L4(s) => N3::free_page(s.as_deref_mut(), idx),
            Root::L5(s) => N4::free_page(s.as_deref_mut(), idx),
            Root::L6(s) => N5::free_page(s.as_deref_mut(), idx),
            Root::L7(s) => N6::free_page(s.as_deref_mut(), idx),
            Root::L8(s) => N7::free_page(s.as_deref_mut(), idx),
            Root::L9(s) => N8::free_page(s.as_deref_mut(), idx),
        }
    }
}
