// Atomic words and a spin-wait hint for SproutTensor's worker pool, and a prefetch hint for its matrix multiply.
//
// Swift 6's Synchronization module needs macOS 15 on Apple platforms; these few C11 atomics work everywhere
// the package builds. The functions take plain pointers to 64-bit words that the caller allocates and only
// ever touches through these functions.
#ifndef SPROUT_ATOMICS_H
#define SPROUT_ATOMICS_H

#include <stdatomic.h>
#include <stdint.h>

static inline int64_t sprout_atomic_load(int64_t *word) {
  return atomic_load_explicit((_Atomic int64_t *)word, memory_order_acquire);
}

static inline void sprout_atomic_store(int64_t *word, int64_t value) {
  atomic_store_explicit((_Atomic int64_t *)word, value, memory_order_release);
}

/// Adds `delta` and returns the new value.
static inline int64_t sprout_atomic_add(int64_t *word, int64_t delta) {
  return atomic_fetch_add_explicit((_Atomic int64_t *)word, delta, memory_order_acq_rel) + delta;
}

/// Tells the CPU this thread is spinning (x86 `pause`, Arm `yield`), easing the core's other work.
static inline void sprout_spin_hint(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

/// Asks the CPU to bring the cache line holding `address` into cache ahead of use (x86 `prefetcht0`); a hint with
/// no effect on results. The matrix multiply prefetches the C tile a micro-kernel is about to update: its rows are
/// a large stride apart, a pattern the hardware prefetchers do not follow.
static inline void sprout_prefetch(const void *address) { __builtin_prefetch(address, 1, 3); }

#endif
