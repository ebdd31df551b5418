import Foundation

/// A line chart drawn as SVG text: one line per series, an optional band (mean ± sd) behind each, labelled
/// axes, ticks, a grid and a legend. Colours come from CSS variables (``PlotTheme``), so one drawing reads in
/// a light and a dark theme.
///
/// ```
///  title
///  ┌────────────────────────────┐  ■ series 1
///  │  ╱‾‾‾‾ band + line          │  ■ series 2
///  └────────────────────────────┘
///        x label
/// ```
public struct LineChart: Sendable {
  /// One line.
  public struct Series: Sendable {
    /// Legend text.
    public var name: String
    /// Points (x, y) in drawing order; non-finite or off-scale points break the line.
    public var points: [(x: Double, y: Double)]
    /// The band around the line, (x, low, high), if any.
    public var band: [(x: Double, low: Double, high: Double)]

    /// Creates a series.
    public init(name: String, points: [(x: Double, y: Double)], band: [(x: Double, low: Double, high: Double)] = []) {
      self.name = name
      self.points = points
      self.band = band
    }
  }

  /// Title above the plot.
  public var title: String
  /// The x axis label.
  public var xLabel: String
  /// The y axis label.
  public var yLabel: String
  /// The lines.
  public var series: [Series]
  /// Draw a marker at every point (for few points, such as a metric against an axis).
  public var markers: Bool
  /// Request a log x axis (used only where every value is positive).
  public var xLog: Bool?
  /// A note under the chart (e.g. what the band is).
  public var note: String

  /// Creates a chart.
  public init(
    title: String, xLabel: String, yLabel: String, series: [Series], markers: Bool = false, xLog: Bool? = nil,
    note: String = ""
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.markers = markers
    self.xLog = xLog
    self.note = note
  }

  /// Drawing size in CSS pixels.
  public static let width = 560.0
  /// Drawing height.
  public static let height = 340.0

  /// The chart as an `<svg>` element. `standalone` adds the XML namespace and the theme's style sheet, for
  /// a file of its own (`sprout plot -o fig.svg`); inside the HTML report the page's style sheet applies.
  public func svg(standalone: Bool = false) -> String {
    let w = Self.width, h = Self.height
    let legendWidth = min(200.0, max(120, 34 + 6.5 * Double(series.map(\.name.count).max() ?? 0)))
    let left = 62.0, right = w - legendWidth - 8, top = 30.0, bottom = h - 46
    let xs = series.flatMap { $0.points.map(\.x) }
    let ys = series.flatMap { s in s.points.map(\.y) + s.band.flatMap { [$0.low, $0.high] } }
    let xAxis = PlotAxis(label: xLabel, values: xs, scale: xLog == true ? .log : .linear)
    let yAxis = PlotAxis(label: yLabel, values: ys)
    func px(_ x: Double) -> Double? { xAxis.fraction(x).map { left + $0 * (right - left) } }
    func py(_ y: Double) -> Double? { yAxis.fraction(y).map { bottom - $0 * (bottom - top) } }

    var out = standalone
      ? "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(f(w)) \(f(h))\" width=\"\(f(w))\" height=\"\(f(h))\" role=\"img\">\n<style>\(PlotTheme.css(root: "svg"))</style>\n<rect class=\"bg\" width=\"100%\" height=\"100%\"/>\n"
      : "<svg class=\"chart\" viewBox=\"0 0 \(f(w)) \(f(h))\" width=\"\(f(w))\" height=\"\(f(h))\" role=\"img\">\n"
    out += "<title>\(XML.escape(title))</title>\n"
    out += "<text class=\"title\" x=\"\(f(left))\" y=\"18\">\(XML.escape(title))</text>\n"
    // Grid and ticks.
    for t in yAxis.ticks {
      guard let y = py(t) else { continue }
      out += "<line class=\"grid\" x1=\"\(f(left))\" x2=\"\(f(right))\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>"
      out += "<text class=\"tick\" x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(yAxis.tickLabel(t))</text>\n"
    }
    for t in xAxis.ticks {
      guard let x = px(t) else { continue }
      out += "<line class=\"grid\" x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top))\" y2=\"\(f(bottom))\"/>"
      out += "<text class=\"tick\" x=\"\(f(x))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(xAxis.tickLabel(t))</text>\n"
    }
    out += "<rect class=\"frame\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\"/>\n"
    let xScale = xAxis.scale == .log ? " (log)" : "", yScale = yAxis.scale == .log ? " (log)" : ""
    out += "<text class=\"label\" x=\"\(f((left + right) / 2))\" y=\"\(f(h - 10))\" text-anchor=\"middle\">\(XML.escape(xLabel + xScale))</text>\n"
    out += "<text class=\"label\" transform=\"translate(14 \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(XML.escape(yLabel + yScale))</text>\n"
    // Bands first, so every line is drawn over every band.
    for (i, s) in series.enumerated() where !s.band.isEmpty {
      let upper = s.band.compactMap { b in px(b.x).flatMap { x in py(b.high).map { (x, $0) } } }
      let lower = s.band.reversed().compactMap { b in px(b.x).flatMap { x in py(b.low).map { (x, $0) } } }
      guard upper.count > 1 else { continue }
      let points = (upper + lower).map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
      out += "<polygon class=\"band c\(i % PlotTheme.colors)\" points=\"\(points)\"/>\n"
    }
    for (i, s) in series.enumerated() {
      var d = ""
      var pen = false
      for p in s.points {
        guard let x = px(p.x), let y = py(p.y) else {
          pen = false
          continue
        }
        d += (pen ? "L" : "M") + "\(f(x)),\(f(y))"
        pen = true
      }
      out += "<path class=\"curve c\(i % PlotTheme.colors)\" d=\"\(d)\"><title>\(XML.escape(s.name))</title></path>\n"
      if markers {
        for p in s.points {
          guard let x = px(p.x), let y = py(p.y) else { continue }
          out += "<circle class=\"marker c\(i % PlotTheme.colors)\" cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3\"/>"
        }
        out += "\n"
      }
    }
    // Legend.
    for (i, s) in series.enumerated() {
      let y = top + 6 + Double(i) * 18
      out += "<rect class=\"swatch c\(i % PlotTheme.colors)\" x=\"\(f(right + 12))\" y=\"\(f(y))\" width=\"12\" height=\"12\"/>"
      let room = Int((legendWidth - 34) / 6.5)
      let shown = s.name.count > room ? String(s.name.prefix(max(room - 1, 1))) + "…" : s.name
      out += "<text class=\"legend\" x=\"\(f(right + 30))\" y=\"\(f(y + 10))\">\(XML.escape(shown))<title>\(XML.escape(s.name))</title></text>\n"
    }
    if !note.isEmpty {
      // Under the legend, wrapped to its width.
      let perLine = max(12, Int((legendWidth - 14) / 6))
      var lines: [String] = []
      for word in note.split(separator: " ") {
        if let last = lines.last, last.count + 1 + word.count <= perLine {
          lines[lines.count - 1] = last + " " + word
        } else {
          lines.append(String(word))
        }
      }
      let y0 = top + 6 + Double(series.count) * 18 + 14
      for (i, line) in lines.enumerated() {
        out += "<text class=\"note\" x=\"\(f(right + 12))\" y=\"\(f(y0 + Double(i) * 14))\">\(XML.escape(line))</text>\n"
      }
    }
    out += "</svg>\n"
    return out
  }

  private func f(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return r == r.rounded() ? String(Int(r)) : String(r)
  }
}

/// Escaping for XML text and attribute values.
enum XML {
  static func escape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.count)
    for c in s {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.append(c)
      }
    }
    return out
  }
}
