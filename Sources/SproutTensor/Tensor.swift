/// A dense row-major float32 array that owns its storage.
///
/// Tensors are allocated when a network or a training step is planned and then reused: kernels write into
/// existing tensors through `pointer`/`mutablePointer`, so a steady-state training step allocates nothing.
///
/// Not `Sendable`: the storage is mutable through raw pointers, so a tensor stays with the network or training
/// step that made it, inside one task. Tasks that run in parallel each build their own (the executor makes a
/// task's network on the worker that runs it); the backend's pool writes disjoint ranges of a tensor within one
/// call through raw pointers and joins before returning. What crosses threads is plain data (`[Float]`,
/// checkpoints, datasets).
public final class Tensor {
  /// Dimensions, outermost first.
  public let shape: [Int]
  /// Number of elements.
  public let count: Int
  /// The storage (64-byte aligned).
  public let storage: UnsafeMutableBufferPointer<Float>

  /// A zero-filled tensor.
  public init(zeros shape: [Int]) {
    // Always checked (this module is -Ounchecked, where `precondition` is gone): the count sizes the allocation.
    BackendCheck.require(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
    BackendCheck.require(
      !shape.reduce((1, false)) { acc, d in
        let (p, o) = acc.0.multipliedReportingOverflow(by: d)
        return (p, acc.1 || o)
      }.1, "Tensor: \(shape) has more elements than Int holds")
    self.shape = shape
    self.count = shape.reduce(1, *)
    let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
    let typed = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    typed.initialize(repeating: 0, count: max(count, 1))
    self.storage = UnsafeMutableBufferPointer(start: typed, count: count)
  }

  /// A tensor holding a copy of `values`.
  public convenience init(shape: [Int], values: [Float]) {
    self.init(zeros: shape)
    BackendCheck.require(values.count == count, "Tensor: \(values.count) values for shape \(shape)")
    for i in 0..<count { storage[i] = values[i] }
  }

  deinit { UnsafeMutableRawPointer(storage.baseAddress!).deallocate() }

  /// Read-only base pointer.
  public var pointer: UnsafePointer<Float> { UnsafePointer(storage.baseAddress!) }
  /// Mutable base pointer.
  public var mutablePointer: UnsafeMutablePointer<Float> { storage.baseAddress! }

  /// The values as an array (copies; for tests, checkpoints and metrics, not hot loops).
  public var array: [Float] { Array(storage) }

  /// Element access by flat index.
  public subscript(i: Int) -> Float {
    get { storage[i] }
    set { storage[i] = newValue }
  }
}

/// A tensor is mutable shared storage: the compiler refuses to send one to another thread.
@available(*, unavailable)
extension Tensor: Sendable {}
