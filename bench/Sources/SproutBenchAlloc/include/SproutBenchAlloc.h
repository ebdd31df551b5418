// Counted allocations for the benchmark: the bench executable interposes malloc and friends (glibc) and
// counts calls while counting is switched on. Used only by sprout-bench, never by the library.
#ifndef SPROUT_BENCH_ALLOC_H
#define SPROUT_BENCH_ALLOC_H

/// Whether the interposer is active in this build (glibc only).
int sprout_alloc_supported(void);
/// Switches counting on (1) or off (0).
void sprout_alloc_set_counting(int on);
/// Allocation calls (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) counted so far.
long sprout_alloc_count(void);
/// Bytes requested by the counted calls.
long sprout_alloc_bytes(void);
/// Resets both counters.
void sprout_alloc_reset(void);

#endif
