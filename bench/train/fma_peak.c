// Clock and FMA peak of the core this runs on, measured without hardware counters (the VM exposes none):
//  - clock: a chain of 1-cycle dependent integer adds (latency 1 on every x86-64 core), cycles = adds;
//  - peak: 12 independent chains of 8-lane FMAs (enough to cover a 4-5 cycle latency on 2 pipes),
//    reported as FMA instructions per cycle and GFLOP/s (16 flops per 8-lane FMA).
// Build: cc -O2 -mavx2 -mfma fma_peak.c -o fma_peak; run: ./fma_peak [rounds]
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static double clock_ghz(long n) {
  long x = 0;
  double t0 = now();
  // 8 dependent adds per iteration, plus the loop's own (independent) decrement and branch.
  for (long i = n; i > 0; i--) {
    __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                     "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
  }
  double t = now() - t0;
  if (x != 8 * n) abort();
  return 8.0 * n / t / 1e9;
}

static double fma_per_ns(long n) {
  // Twelve accumulators in twelve named registers (an array would be stored back to memory every iteration).
  __m256 c0 = _mm256_set1_ps(0.0f), c1 = _mm256_set1_ps(0.1f), c2 = _mm256_set1_ps(0.2f), c3 = _mm256_set1_ps(0.3f);
  __m256 c4 = _mm256_set1_ps(0.4f), c5 = _mm256_set1_ps(0.5f), c6 = _mm256_set1_ps(0.6f), c7 = _mm256_set1_ps(0.7f);
  __m256 c8 = _mm256_set1_ps(0.8f), c9 = _mm256_set1_ps(0.9f), c10 = _mm256_set1_ps(1.0f), c11 = _mm256_set1_ps(1.1f);
  __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  double t0 = now();
  for (long i = 0; i < n; i++) {
    __asm__ volatile(
        "vfmadd231ps %[a], %[b], %[c0]\n\tvfmadd231ps %[a], %[b], %[c1]\n\tvfmadd231ps %[a], %[b], %[c2]\n\t"
        "vfmadd231ps %[a], %[b], %[c3]\n\tvfmadd231ps %[a], %[b], %[c4]\n\tvfmadd231ps %[a], %[b], %[c5]\n\t"
        "vfmadd231ps %[a], %[b], %[c6]\n\tvfmadd231ps %[a], %[b], %[c7]\n\tvfmadd231ps %[a], %[b], %[c8]\n\t"
        "vfmadd231ps %[a], %[b], %[c9]\n\tvfmadd231ps %[a], %[b], %[c10]\n\tvfmadd231ps %[a], %[b], %[c11]"
        : [c0] "+x"(c0), [c1] "+x"(c1), [c2] "+x"(c2), [c3] "+x"(c3), [c4] "+x"(c4), [c5] "+x"(c5),
          [c6] "+x"(c6), [c7] "+x"(c7), [c8] "+x"(c8), [c9] "+x"(c9), [c10] "+x"(c10), [c11] "+x"(c11)
        : [a] "x"(a), [b] "x"(b));
  }
  double t = now() - t0;
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                           _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11)));
  if (s[0] != s[0]) abort();
  return 12.0 * n / t / 1e9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 7;
  double ghz[64], fma[64];
  if (rounds > 64) rounds = 64;
  for (int r = 0; r < rounds; r++) {
    ghz[r] = clock_ghz(50000000);
    fma[r] = fma_per_ns(20000000);
  }
  qsort(ghz, rounds, sizeof(double), cmp);
  qsort(fma, rounds, sizeof(double), cmp);
  double g = ghz[rounds / 2], f = fma[rounds / 2];
  printf("{\"clock_ghz\": %.3f, \"clock_ghz_max\": %.3f, \"fma8_per_ns\": %.3f, \"fma8_per_ns_max\": %.3f, "
         "\"fma8_per_cycle\": %.3f, \"peak_gflops\": %.1f, \"peak_gflops_max\": %.1f, \"rounds\": %d}\n",
         g, ghz[rounds - 1], f, fma[rounds - 1], f / g, 16 * f, 16 * fma[rounds - 1], rounds);
  return 0;
}
