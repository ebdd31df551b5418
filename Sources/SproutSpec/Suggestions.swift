/// Near-name suggestions ("did you mean ...?") and the snake_case fix for camelCase keys.
public enum Suggestions {
  /// The optimal-string-alignment Damerau–Levenshtein distance (insert, delete, substitute, swap neighbours).
  ///
  /// - Complexity: O(a.count × b.count).
  public static func distance(_ a: String, _ b: String) -> Int {
    let x = Array(a.lowercased()), y = Array(b.lowercased())
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
    for i in 0...x.count { d[i][0] = i }
    for j in 0...y.count { d[0][j] = j }
    for i in 1...x.count {
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
          d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
        }
      }
    }
    return d[x.count][y.count]
  }

  /// The closest candidate within a distance that grows with the word (1 for short words, up to a third of it),
  /// ties broken alphabetically; `nil` when nothing is close. A candidate equal after snake_casing wins outright.
  public static func nearest(_ word: String, among candidates: [String]) -> String? {
    // Names are short; a very long word has no near name, and the distance is quadratic.
    guard word.utf8.count <= 128 else { return nil }
    let snake = snakeCase(word)
    if snake != word, candidates.contains(snake) { return snake }
    let limit = max(1, min(3, word.count / 3))
    var best: (String, Int)?
    for c in candidates.sorted() {
      let d = distance(word, c)
      if d <= limit, d < (best?.1 ?? Int.max) { best = (c, d) }
    }
    return best?.0
  }

  /// `weightDecay` → `weight_decay`, `lrSchedule` → `lr_schedule`, `HTTPServer` → `http_server`.
  public static func snakeCase(_ word: String) -> String {
    let chars = Array(word)
    var out = ""
    for (i, c) in chars.enumerated() {
      if c.isUppercase {
        let prevLower = i > 0 && (chars[i - 1].isLowercase || chars[i - 1].isNumber)
        let nextLower = i + 1 < chars.count && chars[i + 1].isLowercase
        let prevUpper = i > 0 && chars[i - 1].isUppercase
        if i > 0 && chars[i - 1] != "_" && (prevLower || (prevUpper && nextLower)) { out.append("_") }
        out += c.lowercased()
      } else if c == "-" {
        out.append("_")
      } else {
        out.append(c)
      }
    }
    return out
  }

  /// True when the word has an upper-case letter or a dash, i.e. is not snake_case.
  public static func isCamelOrKebab(_ word: String) -> Bool {
    word.contains { $0.isUppercase } || (word.contains("-") && !word.hasPrefix("-"))
  }
}
