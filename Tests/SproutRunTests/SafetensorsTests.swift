import Foundation
import SproutConfig
import Testing

@testable import SproutRun

/// Conformance of the safetensors layout, round trips, and every kind of corruption → a typed error.
struct SafetensorsTests {
  let sample = SafetensorsFile(
    tensors: [
      NamedTensor(name: "layers.0.weight", shape: [2, 3], values: [1, -2, 3.5, 0, .infinity, -0.0]),
      NamedTensor(name: "layers.0.bias", shape: [2], values: [0.25, -1]),
      NamedTensor(name: "empty", shape: [0, 4], values: []),
      NamedTensor(name: "k0", storage: .float64(shape: [2], values: [Double.pi, -1e-300])),
    ],
    metadata: ["step": "12", "note": "quote \" and \\ and \n newline"])

  @Test func layoutMatchesTheSpecification() throws {
    let bytes = sample.encode()
    // 8-byte little-endian header length.
    var n = 0
    for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
    #expect(n % 8 == 0, "header padded to 8-byte alignment")
    #expect(bytes[8] == UInt8(ascii: "{"))
    let header = bytes[8..<(8 + n)]
    let text = String(decoding: header, as: UTF8.self)
    #expect(text.hasSuffix("}") || text.last == " ")
    #expect(text.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
    // Parse the header independently with JSONSerialization.
    let json = try #require(try JSONSerialization.jsonObject(with: Data(header)) as? [String: Any])
    let w = try #require(json["layers.0.weight"] as? [String: Any])
    #expect(w["dtype"] as? String == "F32")
    #expect((w["shape"] as? [Int]) == [2, 3])
    #expect((w["data_offsets"] as? [Int]) == [0, 24])
    let b = try #require(json["layers.0.bias"] as? [String: Any])
    #expect((b["data_offsets"] as? [Int]) == [24, 32])
    let meta = try #require(json["__metadata__"] as? [String: String])
    #expect(meta["step"] == "12")
    #expect(meta[SafetensorsFile.dataChecksumKey] != nil)
    // Raw little-endian float32 data right after the header.
    #expect(bytes.count == 8 + n + 32 + 16)
    let k0 = try #require(json["k0"] as? [String: Any])
    #expect(k0["dtype"] as? String == "F64")
    #expect((k0["data_offsets"] as? [Int]) == [32, 48])
    let data = Array(bytes[(8 + n)...])
    #expect(Array(data[0..<4]) == [0x00, 0x00, 0x80, 0x3F])  // 1.0f
    #expect(Array(data[4..<8]) == [0x00, 0x00, 0x00, 0xC0])  // -2.0f
    #expect(Array(data[16..<20]) == [0x00, 0x00, 0x80, 0x7F])  // +inf
    #expect(Array(data[20..<24]) == [0x00, 0x00, 0x00, 0x80])  // -0.0f
  }

  @Test func readsAHandBuiltFileWithoutSproutChecksums() throws {
    // A file as another tool (PyTorch's safetensors) writes it: one tensor, no metadata, padded header.
    var json = Array(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#.utf8)
    while json.count % 8 != 0 { json.append(0x20) }
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes += json + [0, 0, 0x40, 0x40, 0, 0, 0x80, 0xBF]  // 3.0, -1.0
    let file = try SafetensorsFile.decode(bytes, requireChecksums: false)
    #expect(file.tensors == [NamedTensor(name: "a", shape: [2], values: [3, -1])])
    #expect(throws: RunError.self) { try SafetensorsFile.decode(bytes, requireChecksums: true) }
  }

  @Test func roundTripsBitForBit() throws {
    let bytes = sample.encode()
    let back = try SafetensorsFile.decode(bytes)
    #expect(back.metadata == sample.metadata)
    #expect(back.tensors.count == 4)
    for t in sample.tensors {
      let u = try #require(back[t.name])
      #expect(u.bitEqual(t))
    }
    #expect(back.encode() == bytes, "encoding is a pure function of the content")
  }

  @Test func everyTruncationIsAnError() {
    let bytes = sample.encode()
    for cut in 0..<bytes.count {
      let error = #expect(throws: RunError.self) { try SafetensorsFile.decode(Array(bytes[0..<cut])) }
      #expect(error?.code == .corruptCheckpoint)
    }
  }

  @Test func everyFlippedByteIsAnError() {
    let bytes = sample.encode()
    for i in 0..<bytes.count {
      var bad = bytes
      bad[i] ^= 0xFF
      #expect(throws: RunError.self, "flip at byte \(i)") { try SafetensorsFile.decode(bad) }
      var bit = bytes
      bit[i] ^= 0x01
      // Flipping the low bit of a padding space gives '!' (invalid JSON); every other change is caught too.
      #expect(throws: RunError.self, "bit flip at byte \(i)") { try SafetensorsFile.decode(bit) }
    }
  }

  @Test func badHeadersAreErrors() {
    func file(_ header: String, data: [UInt8] = []) -> [UInt8] {
      var out: [UInt8] = []
      withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
      return out + Array(header.utf8) + data
    }
    let cases: [[UInt8]] = [
      [],
      [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],  // huge length
      file("[1, 2]"),  // not an object
      file("{not json}"),
      file(#"{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}"#, data: [0, 0]),
      file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),  // shape × 4 ≠ span
      file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0]),  // past the end
      file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: [UInt8](repeating: 0, count: 8)),  // gap
      file(
        #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
        data: [0, 0, 0, 0]),  // overlap
      file(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
      file(#"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
      file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0, 1]),  // trailing bytes
      file(#"{"__metadata__":{"k":1}}"#),
      file(#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
    ]
    for (i, bytes) in cases.enumerated() {
      #expect(throws: RunError.self, "case \(i)") { try SafetensorsFile.decode(bytes, requireChecksums: false) }
    }
  }
}

/// The checksum is SHA-256 (FIPS 180-4 test vector), shared with the planner.
@Test func checksumIsSHA256() {
  #expect(
    Checksum.digest(Array("abc".utf8)) == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
}

/// The reference loader (Python `safetensors` + numpy) reads our checkpoints. Runs when
/// `SPROUT_SAFETENSORS_PYTHON` names a Python with those packages (the bench sets up such a venv).
@Test func referenceLoaderReadsOurCheckpoints() throws {
  guard let python = ProcessInfo.processInfo.environment["SPROUT_SAFETENSORS_PYTHON"] else { return }
  let dir = TemporaryDirectory()
  let path = "\(dir.path)/step-000010.safetensors"
  let checkpoint = Checkpoint(
    tensors: [
      NamedTensor(name: "layers.0.weight", shape: [3, 2], values: [1, 2, 3, 4, 5, 6]),
      NamedTensor(name: "layers.0.bias", shape: [3], values: [0, 0, 0]),
      NamedTensor(name: "optimizer.layers.0.weight.momentum", shape: [3, 2], values: [0, 0, 0, 0, 0, 1]),
      NamedTensor(name: "metrics.kernel_alignment.k0", storage: .float64(shape: [2, 2], values: [1, 0.5, 0.5, 1])),
    ],
    step: 10, streams: ["data": 5], stamp: .init(specHash: "h", toolVersion: "0.1.0", backend: "cpu"))
  try checkpoint.write(to: path)
  var root = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { root.deleteLastPathComponent() }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: python)
  process.arguments = [root.appendingPathComponent("bench/check_safetensors.py").path, path]
  let pipe = Pipe()
  process.standardOutput = pipe
  try process.run()
  let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  #expect(process.terminationStatus == 0)
  #expect(output.contains("layers.0.weight"))
  #expect(output.contains("[3, 2] float32"))
  #expect(output.contains("meta step = 10"))
  #expect(output.contains("[2, 2] float64"))
}
