/// The epilogue of a product: the kernels that would otherwise make separate passes over C (a dense layer's
/// bias and activation, an activation's backward pass), run on each block of C as soon as its last k block is
/// done, while it is still in cache. Each element goes through the same eight-lane code as the separate
/// kernels (`ElementwiseKernels.addBias`, `ActivationKernels.forward`/`backward`), so the bits are the same.
///
/// The common activations (tanh, relu, sine) run over the whole block in one loop that adds the bias, stores
/// C, and stores the activation of the value just stored: one pass and one call per block instead of two
/// calls per row, which is most of the epilogue's cost in a small product (a 32×64 block has 64-float rows).
extension Gemm {
  /// Applies `p.epilogue` to the finished block `rows × cols` of C.
  @inline(__always)
  static func applyEpilogue(_ p: Problem, rows: Range<Int>, cols: Range<Int>) {
    switch p.epilogue {
    case .none: return
    case .biasActivation(let bias, let activation, let output, let saved):
      epilogueForward(p, bias: bias, activation: activation, output: output, saved: saved, rows: rows, cols: cols)
    case .activationGradient(let f, let x, let y, let saved):
      epilogueBackward(p, f, x: x, y: y, saved: saved, rows: rows, cols: cols)
    }
  }

  @inline(never)
  static func epilogueForward(
    _ p: Problem, bias: UnsafePointer<Float>?, activation: Activation?, output: UnsafeMutablePointer<Float>?,
    saved: UnsafeMutablePointer<Float>?, rows: Range<Int>, cols: Range<Int>
  ) {
    if let activation, let output {
      switch activation {
      case .tanh:
        forwardRows(TanhForward.self, p, bias: bias, output: output, rows: rows, cols: cols)
        return
      case .relu:
        forwardRows(ReluForward.self, p, bias: bias, output: output, rows: rows, cols: cols)
        return
      case .sine(let omega):
        if let saved {
          sineRows(p, omega: omega, bias: bias, output: output, cos: saved, rows: rows, cols: cols)
          return
        }
      default: break
      }
    }
    if activation == nil, let bias {
      // A bias alone (a layer with no activation fused, often the last, of one to a few units): whole vectors,
      // then each row's last few elements one by one (the lanes' addition, element by element).
      let end = cols.upperBound
      for i in rows {
        let row = p.c + i * p.ldc
        var j = cols.lowerBound
        while j + 8 <= end {
          UnsafeMutableRawPointer(row + j).storeBytes(of: load(row + j) + load(bias + j), as: V8.self)
          j += 8
        }
        while j < end {
          row[j] = row[j] + bias[j]
          j += 1
        }
      }
      return
    }
    for i in rows {
      let o = i * p.ldc
      let row = p.c + o
      if let bias { Lanes.map(UnsafePointer(row), bias, row, cols) { $0 + $1 } }
      if let activation, let output {
        ActivationKernels.forward(activation, UnsafePointer(row), output + o, saved: saved.map { $0 + o }, range: cols)
      }
    }
  }

  /// `C += bias` (when given) and `output = f(C)` over the block, row by row, whole vectors then each row's
  /// zero-padded tail (the lanes `ActivationKernels`' loops compute for the same elements). `f` is a type, not
  /// a closure: the compiler makes one copy per function with its body inlined (a closure was left as a call
  /// per vector, its constants reloaded every time).
  @inline(__always)
  static func forwardRows<F: LaneFunction>(
    _ f: F.Type, _ p: Problem, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, rows: Range<Int>,
    cols: Range<Int>
  ) {
    let end = cols.upperBound
    for i in rows {
      let o = i * p.ldc
      let row = p.c + o
      let out = output + o
      var j = cols.lowerBound
      // The bias test outside the vector loop (the compiler left it inside, three instructions a vector).
      if let bias {
        while j + 8 <= end {
          let v = load(row + j) + load(bias + j)
          UnsafeMutableRawPointer(row + j).storeBytes(of: v, as: V8.self)
          UnsafeMutableRawPointer(out + j).storeBytes(of: F.apply(v), as: V8.self)
          j += 8
        }
      } else {
        while j + 8 <= end {
          UnsafeMutableRawPointer(out + j).storeBytes(of: F.apply(load(row + j)), as: V8.self)
          j += 8
        }
      }
      if j < end {
        var v = Lanes.load(row, j, end)
        if let bias {
          v = v + Lanes.load(bias, j, end)
          Lanes.store(v, row, j, end)
        }
        Lanes.store(F.apply(v), out, j, end)
      }
    }
  }

  /// `forwardRows` for `sin(ω·C)`, also storing `cos(ω·C)` (what the sine's backward pass reads).
  static func sineRows(
    _ p: Problem, omega: Float, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
    cos: UnsafeMutablePointer<Float>, rows: Range<Int>, cols: Range<Int>
  ) {
    let end = cols.upperBound
    for i in rows {
      let o = i * p.ldc
      let row = p.c + o
      let out = output + o
      let saved = cos + o
      var j = cols.lowerBound
      while j + 8 <= end {
        var v = load(row + j)
        if let bias {
          v = v + load(bias + j)
          UnsafeMutableRawPointer(row + j).storeBytes(of: v, as: V8.self)
        }
        let sc = VectorMath.sinCos(omega * v)
        UnsafeMutableRawPointer(out + j).storeBytes(of: sc.sin, as: V8.self)
        UnsafeMutableRawPointer(saved + j).storeBytes(of: sc.cos, as: V8.self)
        j += 8
      }
      if j < end {
        var v = Lanes.load(row, j, end)
        if let bias {
          v = v + Lanes.load(bias, j, end)
          Lanes.store(v, row, j, end)
        }
        let sc = VectorMath.sinCos(omega * v)
        Lanes.store(sc.sin, out, j, end)
        Lanes.store(sc.cos, saved, j, end)
      }
    }
  }

  @inline(never)
  static func epilogueBackward(
    _ p: Problem, _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, saved: UnsafePointer<Float>?,
    rows: Range<Int>, cols: Range<Int>
  ) {
    switch f {
    case .tanh:
      backwardRows(TanhGradient.self, p, y, rows: rows, cols: cols)
      return
    case .relu:
      backwardRows(ReluGradient.self, p, y, rows: rows, cols: cols)
      return
    case .sine(let omega):
      if let saved {
        sineGradientRows(p, omega: omega, saved, rows: rows, cols: cols)
        return
      }
    default: break
    }
    for i in rows {
      let o = i * p.ldc
      let row = p.c + o
      ActivationKernels.backward(
        f, x: x + o, y: y + o, saved: saved.map { $0 + o }, dy: UnsafePointer(row), dx: row, range: cols)
    }
  }

  /// `C = f'·C` over the block for a gradient computed from the forward output `y` alone (tanh, relu), as
  /// `ActivationKernels.backward`'s loops do per element.
  @inline(__always)
  static func backwardRows<F: LaneGradient>(
    _ f: F.Type, _ p: Problem, _ y: UnsafePointer<Float>, rows: Range<Int>, cols: Range<Int>
  ) {
    let end = cols.upperBound
    for i in rows {
      let o = i * p.ldc
      let row = p.c + o
      let yr = y + o
      var j = cols.lowerBound
      while j + 8 <= end {
        UnsafeMutableRawPointer(row + j).storeBytes(of: F.apply(y: load(yr + j), dy: load(row + j)), as: V8.self)
        j += 8
      }
      if j < end { Lanes.store(F.apply(y: Lanes.load(yr, j, end), dy: Lanes.load(row, j, end)), row, j, end) }
    }
  }

  /// `C = C·ω·cos` over the block, from the cosine the sine's forward pass saved.
  static func sineGradientRows(
    _ p: Problem, omega: Float, _ u: UnsafePointer<Float>, rows: Range<Int>, cols: Range<Int>
  ) {
    let end = cols.upperBound
    for i in rows {
      let o = i * p.ldc
      let row = p.c + o
      let ur = u + o
      var j = cols.lowerBound
      while j + 8 <= end {
        UnsafeMutableRawPointer(row + j).storeBytes(of: load(row + j) * omega * load(ur + j), as: V8.self)
        j += 8
      }
      if j < end { Lanes.store(Lanes.load(row, j, end) * omega * Lanes.load(ur, j, end), row, j, end) }
    }
  }
}

/// An activation as a type, for the epilogue's block loops.
protocol LaneFunction { static func apply(_ x: V8) -> V8 }
/// An activation's gradient `f'·dy` from its output alone, as a type.
protocol LaneGradient { static func apply(y: V8, dy: V8) -> V8 }

enum TanhForward: LaneFunction {
  @inline(__always) static func apply(_ x: V8) -> V8 { VectorMath.tanh(x) }
}
enum ReluForward: LaneFunction {
  @inline(__always) static func apply(_ x: V8) -> V8 { ActivationKernels.forward(.relu, x) }
}
enum TanhGradient: LaneGradient {
  @inline(__always) static func apply(y: V8, dy: V8) -> V8 { ActivationKernels.backward(.tanh, x: y, y: y, dy: dy) }
}
enum ReluGradient: LaneGradient {
  @inline(__always) static func apply(y: V8, dy: V8) -> V8 { ActivationKernels.backward(.relu, x: y, y: y, dy: dy) }
}
