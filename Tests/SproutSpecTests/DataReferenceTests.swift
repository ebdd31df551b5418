import SproutSpec
import Testing

/// `name` or `name.split`, nothing else: the byte-level parser accepts exactly what the split-based one did.
@Suite struct DataReferenceTests {
  @Test func parsesNamesAndSplits() {
    #expect(DataReference(parsing: "teacher") == DataReference(dataset: "teacher"))
    #expect(DataReference(parsing: "teacher.train") == DataReference(dataset: "teacher", split: "train"))
    #expect(DataReference(parsing: "é.ü") == DataReference(dataset: "é", split: "ü"))
  }

  @Test func refusesEmptyPartsAndSecondDots() {
    for text in ["", ".", "a.", ".b", "a.b.c", "a..b", "..", "a.b."] {
      #expect(DataReference(parsing: text) == nil, "\(text)")
    }
  }
}
