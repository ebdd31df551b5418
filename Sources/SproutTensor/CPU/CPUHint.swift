/// Hints to the processor that change no result: the spin-wait hint the worker pool polls with, and the prefetches
/// the matrix multiply issues for a C tile's rows and for the source of the next B panel it packs.
///
/// Swift has no spelling for either instruction (swift-atomics covers only the atomics), so these bind LLVM's
/// intrinsics by name: a `@_silgen_name` of an `llvm.` function is a call to that intrinsic, which the backend
/// lowers to one instruction (`pause`, `prefetcht0`). The prefetch's arguments must be constants in LLVM's IR;
/// they are literals at the call sites, and SproutTensor is always compiled optimised (Package.swift).
///
/// Built with `-DSPROUT_NO_LLVM_INTRINSICS` both hints are nothing (they change no result, only speed). ThreadSanitizer
/// builds need that (`make sanitize`): under `-sanitize=thread` the compiler emits every call that may unwind as an
/// LLVM `invoke`, an intrinsic cannot be invoked, and the compiler stops with "Broken module found" (Swift 6.3.1).
enum CPUHint {
  /// Tells the CPU this thread is spinning (x86 `pause`: the poll loop yields the core's shared resources and
  /// runs at the pace the worker pool's spin limit assumes, about 25 ns a poll). Nothing on other CPUs.
  @inline(__always)
  static func pause() {
    #if arch(x86_64) && !SPROUT_NO_LLVM_INTRINSICS
      llvmPause()
    #endif
  }

  /// Asks the CPU to bring the cache line holding `address` into cache ahead of a write (`prefetcht0` on x86).
  @inline(__always)
  static func prefetch(_ address: UnsafeRawPointer) {
    #if !SPROUT_NO_LLVM_INTRINSICS
      llvmPrefetch(address, 1, 3, 1)
    #endif
  }

  /// Asks the CPU to bring the cache line holding `address` into cache ahead of a read (`prefetcht0` on x86).
  @inline(__always)
  static func prefetchRead(_ address: UnsafeRawPointer) {
    #if !SPROUT_NO_LLVM_INTRINSICS
      llvmPrefetch(address, 0, 3, 1)
    #endif
  }
}

#if arch(x86_64)
  @_silgen_name("llvm.x86.sse2.pause")
  private func llvmPause()
#endif

/// `llvm.prefetch(address, write, locality 0–3, data cache)`.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cacheType: Int32)
