// Interposes glibc's allocation entry points in the sprout-bench executable. The definitions here take
// precedence over libc's for every library in the process (ELF symbol interposition), count the call when
// counting is on, and forward to glibc's own implementations (__libc_malloc and friends), so behaviour is
// unchanged. free is not interposed: everything returned comes from glibc's allocator.
#define _GNU_SOURCE
#include <errno.h>  // a glibc header first: it defines __GLIBC__
#include <stddef.h>
#include "SproutBenchAlloc.h"

#if defined(__linux__) && defined(__GLIBC__)
#include <stdatomic.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static atomic_int counting;
static atomic_long calls;
static atomic_long bytes;

static inline void count(size_t n) {
  if (atomic_load_explicit(&counting, memory_order_relaxed)) {
    atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&bytes, (long)n, memory_order_relaxed);
  }
}

void *malloc(size_t n) { count(n); return __libc_malloc(n); }
void *calloc(size_t k, size_t n) { count(k * n); return __libc_calloc(k, n); }
void *realloc(void *p, size_t n) { count(n); return __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { count(n); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { count(n); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
  count(n);
  void *p = __libc_memalign(a, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

int sprout_alloc_supported(void) { return 1; }
void sprout_alloc_set_counting(int on) { atomic_store(&counting, on); }
long sprout_alloc_count(void) { return atomic_load(&calls); }
long sprout_alloc_bytes(void) { return atomic_load(&bytes); }
void sprout_alloc_reset(void) { atomic_store(&calls, 0); atomic_store(&bytes, 0); }
#else
int sprout_alloc_supported(void) { return 0; }
void sprout_alloc_set_counting(int on) { (void)on; }
long sprout_alloc_count(void) { return -1; }
long sprout_alloc_bytes(void) { return -1; }
void sprout_alloc_reset(void) {}
#endif
