/// The colours of every chart and of the report, as CSS custom properties: a light and a dark palette,
/// chosen by the reader's system setting (`prefers-color-scheme`) or by the report's theme switch.
///
/// Series colours are the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies),
/// lightened in the dark theme so lines keep their contrast on a dark background.
public enum PlotTheme {
  /// Number of series colours before they repeat.
  public static let colors = 8

  static let light = [
    "--bg: #ffffff", "--fg: #1d1f21", "--muted: #5c6166", "--grid: #e3e5e8", "--frame: #9aa0a6",
    "--panel: #f6f7f9", "--accent: #0b63c5",
    "--c0: #0072b2", "--c1: #d55e00", "--c2: #009e73", "--c3: #cc79a7", "--c4: #e69f00", "--c5: #56b4e9",
    "--c6: #8c6d1f", "--c7: #000000",
  ]
  static let dark = [
    "--bg: #15171a", "--fg: #e6e8eb", "--muted: #a0a6ad", "--grid: #2c3036", "--frame: #5f666e",
    "--panel: #1e2125", "--accent: #6cb4ff",
    "--c0: #56b4e9", "--c1: #ff8a3d", "--c2: #2fd6a0", "--c3: #e79ac8", "--c4: #f0c030", "--c5: #9fd8ff",
    "--c6: #d9b866", "--c7: #e6e8eb",
  ]

  /// The variables and the chart rules, for the element `root` (`:root` in the report, `svg` in a file).
  public static func css(root: String) -> String {
    var out = "\(root){\(light.joined(separator: ";"))}\n"
    out += "@media (prefers-color-scheme: dark){\(root){\(dark.joined(separator: ";"))}}\n"
    out += chartRules
    return out
  }

  /// Rules that force one palette whatever the system setting (the report's theme switch).
  public static func forced(_ selector: String, dark isDark: Bool) -> String {
    "\(selector){\((isDark ? dark : light).joined(separator: ";"))}\n"
  }

  static var chartRules: String {
    var out = """
      .chart{font:12px system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg)}
      .chart .bg{fill:var(--bg)}
      .chart .title{fill:var(--fg);font-weight:600;font-size:13px}
      .chart .tick,.chart .note{fill:var(--muted);font-size:11px}
      .chart .label,.chart .legend{fill:var(--fg)}
      .chart .grid{stroke:var(--grid);stroke-width:1}
      .chart .frame{fill:none;stroke:var(--frame);stroke-width:1}
      .chart .curve{fill:none;stroke-width:2;stroke-linejoin:round}
      .chart .band{stroke:none;opacity:.18}

      """
    for i in 0..<colors {
      out += ".chart .curve.c\(i){stroke:var(--c\(i))}.chart .band.c\(i),.chart .swatch.c\(i),.chart .marker.c\(i){fill:var(--c\(i))}\n"
    }
    return out
  }
}
