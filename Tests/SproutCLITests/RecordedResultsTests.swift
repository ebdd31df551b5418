import Foundation
import Testing

/// The numbers training produces are pinned: examples/quickstart.yaml (tanh MLP, Adam) and a short
/// examples/siren.yaml (sine layers, Adam, with a ReLU comparison) must end with exactly the weights recorded
/// below, the SHA-256 of each final tensor in the store's outputs.json. The hashes were recorded with the build
/// before the cpu backend's kernels were fused and re-blocked (issue 15): faster kernels must give the same bits.
///
/// If this fails after a change that is *meant* to change results (a new kernel order, an edited example), say
/// so in the commit and re-record the lists from the failure message; otherwise the change broke bit-identity.
@Suite("recorded results", .serialized)
struct RecordedResultsTests {
  /// `name hash` of every final tensor of quickstart's four trials, sorted.
  static let quickstart = [
      "layers.0.bias 00d08389f535d06911149a157a39aa10c1351945134fbfd7504d3281533dba69",
      "layers.0.bias 656be8930a08fd649431f519d51d9e0ff8c69d4a86b1ec011113bd522093d011",
      "layers.0.bias 8b490a4c4fca9fa941632b1ca086ceffc664e7d9c19ffe37b4e0e423901977f8",
      "layers.0.bias fc149c5d104c2e1daa2fb94cab7190c17628351ee37c335893187265f1544985",
      "layers.0.weight 451b1ab2bb1aae3e10f9148c39e73a2abc564b3ae4bd392abc9ec5e1d43239ba",
      "layers.0.weight 9c0e32668710e5e8c85adfc5bb662552bbc26a25f2b5782e55c6a45bc2977256",
      "layers.0.weight ec960367b123037326659ccc4e7d065971e5e5a322d3f45642e8e3d5fd63f15e",
      "layers.0.weight faee5ce24eae93bd1f65b09a1a793d13add1f735b49a8fb5a03117a8e718cf1e",
      "layers.2.bias 467ba018f8ecaec632d4b29a946fd8af38a0a4cf579502869e879531df0018e5",
      "layers.2.bias 6ff0b40d7bb5ca3be8c1ed42e50dcb55f51dc35626560e8c28c0b52cd7e20ae5",
      "layers.2.bias 77ab4056dc582c1a1e66bd7b0af4ebf907304e3c8d5c3f935f1e6070c736ebe0",
      "layers.2.bias b4d79abce5ab7ea2df71ef66710b5bc5ea1f44f399e17016f16ee9dbefbfdfb4",
      "layers.2.weight 00ff2efdaf5bd4014381720af2d9316bff96e2a18dc62d8bb476acabf9003bd0",
      "layers.2.weight 88c57452dd1c4173d955a408b1ce2b54baf5e1facf1cbd4dfd949ac1e7c23728",
      "layers.2.weight d5e33e61e7e6ed80b332608d8937300d0bdad2b63cc0ba253aaf73cab37fe17d",
      "layers.2.weight f8fb62cc6e0d8129a3f1a1eaa1a8a20ca82dfc59064ce234db17e7f81a45f3ce",
      "layers.4.bias 0ff9ccba1c3c54e4c345b5bb3e991e1fdb4070ba5ec3caa7b414235c86721f75",
      "layers.4.bias 4447b122761bfd47f2d891fd3437d2b22c5b52eab29136041987174cb63d6ad0",
      "layers.4.bias b4a357862d053d61f33c967f642807c3eb1ce806110f640f135104fa93cc8671",
      "layers.4.bias d9aeda61a486e63a4a1b3f18d960242729df82267b3b032694d04ebc45278d9b",
      "layers.4.weight 196fd6e051e38cdd3eeb6f1e37abb78a085571fdc1e83b5d77421d9b664f8c5c",
      "layers.4.weight 2a67c4cf9c06502a009767a17e4f1ddc926bf1332fa41b05cd89bda97469d23e",
      "layers.4.weight 3e96401f9ee3b846e5dcbc1c66e0cecb9dedfa77ca494ca6539ea3b1924ebbab",
      "layers.4.weight 707b320cb01a36be4416326ce4a75a05ab3a723dbd8e75eae37f6d4cbf077043",
  ]

  /// The same for siren.yaml with `params.steps=100` (three trials).
  static let siren = [
      "layers.0.bias 59a504e0eb20ac30120f708c40801a35f09c71dcab9a80f967ef6e2b85675181",
      "layers.0.bias bcc3878ca6fe7064209aadc9eb94ffea6812d001761beaa759d0981b776f28fc",
      "layers.0.bias de0c0b40495f3f9571513755c9732e1f42335714db02810117efe56243a79f86",
      "layers.0.weight 4f1a62613ca8043d0fee30922d6f44ffc5c05abebb74aae56b7d70723dbdeca6",
      "layers.0.weight 588c2b53b4d5b0886eee443ef170b7a96415bfc25f6a40b6af03db6ae3894cc5",
      "layers.0.weight 88a8e0e1275c5eea322f6b24ebe9190224a2823bb37c0aac999cc393eb4915d5",
      "layers.2.bias 5a3ca7179a638d2d79cc24d39cbd163bf9a082f94543d08346577e6bb602ca88",
      "layers.2.bias 67297db4f56b407a3ee6d0dde7c74f95169d4d4d3c3b7c6651007b16f5bdb3eb",
      "layers.2.bias 82a7b9c884e8760b7e71132921c3fc0c9800864425ba0f48ee470b95999db571",
      "layers.2.weight 122eea17867cd29c35e7734349268dc2a28d3854b547fe3797b9897d19037ad2",
      "layers.2.weight 4510132a41d99caa66ce08fdf89209dcb39c4ad786a54085e371df133f628a3a",
      "layers.2.weight dcbf200a1ea85636ecde25c3728988a8b01c701a0eb0f595d744a3c81200ceba",
      "layers.4.bias 701a592cf1ebf127b565cf4dba182289439c716a8da223eadeb503cd9ad04525",
      "layers.4.bias b8f9cd60501cd6151a00a342a1bf7a763b3eab198443a744a970ef6343b779c6",
      "layers.4.bias f420bba992870fde201f7759868bba26d729c29cc75cfce4ea4f7dc8faa2a89c",
      "layers.4.weight 0e38a4c8dd2b7fa38db9a578b8fa0a21a0e07bcaf4750b2f3752af2db8129714",
      "layers.4.weight 4f6a9107d862f1d606ee125eaef164a24223971fa18264e98aaeb6049158ae6d",
      "layers.4.weight 6d2398c7c109ab795223403c8b80927ce6eb870d140cbbd2ebb25a1663cd85db",
      "layers.6.bias 86d5d02f5392caa0d6240fc6b3657b75f3772002c6d970fd58ad94c0054c5afb",
      "layers.6.bias d9d29a3708d85df3650afdbe0b0942c36a87667c194c8bd8283170b03f36a301",
      "layers.6.bias dd6f32a3a8098be25a8e563f0121f6adbf39bd2bd8255563d9a198256d96b809",
      "layers.6.weight 189038ff0c65ff6248912f89f2d57efb779263a39fb1c2aa4d82b5bf26e4615c",
      "layers.6.weight 728de5cdd3319c9bc3528a281c0c6a6a6614404b44fe4b32a4fd783be90d0197",
      "layers.6.weight 97419b2f2acb2548262ce436a7bb6a30b20f1b7428aaf32c6bc078b2e9f0d467",
  ]

  /// Sorted `name hash` of every final tensor in a store.
  static func tensorHashes(_ store: URL) throws -> [String] {
    try RunCommandTests.outputHashes(store).values.flatMap { hashes in
      hashes.compactMap { key, value -> String? in
        guard key.hasPrefix("tensor:"), value.hasPrefix("sha256:") else { return nil }
        return "\(key.dropFirst("tensor:".count)) \(value.dropFirst("sha256:".count))"
      }
    }.sorted()
  }

  @Test("quickstart.yaml ends with the recorded weights, at 1 and 2 threads", arguments: [1, 2])
  func quickstart(threads: Int) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try CLI.run(
      ["run", "examples/quickstart.yaml", "--threads", "\(threads)", "--store", dir.appendingPathComponent("s").path])
    #expect(run.status == 0, "\(run.stderr.suffix(2000))")
    let got = try Self.tensorHashes(dir.appendingPathComponent("s"))
    #expect(got == Self.quickstart, "quickstart weights differ; got:\n\(got.joined(separator: "\n"))")
  }

  @Test("siren.yaml (100 steps) ends with the recorded weights, at 1 and 2 threads", arguments: [1, 2])
  func siren(threads: Int) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try CLI.run([
      "run", "examples/siren.yaml", "--set", "params.steps=100", "--threads", "\(threads)", "--store",
      dir.appendingPathComponent("s").path,
    ])
    #expect(run.status == 0, "\(run.stderr.suffix(2000))")
    let got = try Self.tensorHashes(dir.appendingPathComponent("s"))
    #expect(got == Self.siren, "siren weights differ; got:\n\(got.joined(separator: "\n"))")
  }
}
