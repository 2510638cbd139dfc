//! `peak::release_freed` hands memory freed inside the allocator's heaps back to the system, so
//! that a step of `reproduce` does not count what an earlier step freed. Alone in its own test
//! binary: it reads this process's resident set, which other tests' allocations would move.

/// This process's resident set, in bytes.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn resident() -> u64 {
    xtask::experiment::peak::resident().expect("VmRSS in /proc/self/status")
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn memory_freed_between_live_blocks_leaves_the_resident_set() {
    const BLOCK: usize = 16 << 10;
    const BLOCKS: usize = 16_384; // 256 MiB, in blocks glibc serves from its heaps, not by mmap.
    let mut blocks: Vec<Option<Box<[u8]>>> = (0..BLOCKS)
        .map(|i| Some(vec![(i % 251) as u8 + 1; BLOCK].into_boxed_slice()))
        .collect();
    let with_all = resident();
    // Every other block freed: the holes lie between live blocks, so the heap cannot shrink from
    // its top, and glibc keeps them resident for reuse.
    for block in blocks.iter_mut().step_by(2) {
        *block = None;
    }
    let holes = resident();
    assert!(
        holes + (32 << 20) > with_all,
        "glibc released the holes on its own ({with_all} -> {holes} bytes): this test no longer \
         shows what release_freed adds"
    );
    xtask::experiment::peak::release_freed();
    let released = resident();
    // 128 MiB of holes, each holding at least three whole pages of its four.
    assert!(
        released + (64 << 20) < holes,
        "{holes} -> {released} bytes resident after release_freed"
    );
    let live: usize = blocks.iter().flatten().map(|b| b.len()).sum();
    assert_eq!(live, BLOCKS / 2 * BLOCK);
}
