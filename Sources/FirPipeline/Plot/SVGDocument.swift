
/// A tiny SVG writer: the few elements a plot needs, numbers with two decimals, text escaped.
///
/// Value type, built on one thread.
public struct SVGDocument: Sendable {
    public let width: Double
    public let height: Double
    private var body: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The document, UTF-8 text with its XML declaration.
    public var rendered: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(width))" height="\(Self.number(height))" \
        viewBox="0 0 \(Self.number(width)) \(Self.number(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
        \(body.joined(separator: "\n"))
        </svg>

        """
    }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil) {
        let outline = stroke.map { " stroke=\"\($0)\"" } ?? ""
        body.append("<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" "
            + "height=\"\(Self.number(height))\" fill=\"\(fill)\"\(outline)/>")
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1) {
        body.append("<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" "
            + "y2=\"\(Self.number(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\"/>")
    }

    /// Text at (x, y); `anchor` is start, middle or end; `rotate` in degrees about (x, y).
    public mutating func text(
        _ string: String, x: Double, y: Double, size: Double = 12, anchor: String = "start",
        rotate: Double? = nil, fill: String = "#222", weight: String? = nil
    ) {
        let turn = rotate.map { " transform=\"rotate(\(Self.number($0)) \(Self.number(x)) \(Self.number(y)))\"" } ?? ""
        let bold = weight.map { " font-weight=\"\($0)\"" } ?? ""
        body.append("<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" "
            + "text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(bold)\(turn)>\(Self.escape(string))</text>")
    }

    /// One path of polylines (each a run of points, begun with M); `attributes` are added as given
    /// (names are the caller's constants, values are escaped).
    public mutating func path(_ runs: [[(x: Double, y: Double)]], stroke: String, width: Double, attributes: [(String, String)] = []) {
        var d = ""
        for run in runs where !run.isEmpty {
            d += "M" + run.map { "\(Self.number($0.x)) \(Self.number($0.y))" }.joined(separator: " L")
        }
        let extra = attributes.map { " \($0.0)=\"\(Self.escape($0.1))\"" }.joined()
        body.append("<path d=\"\(d.isEmpty ? "M0 0" : d)\" fill=\"none\" stroke=\"\(stroke)\" "
            + "stroke-width=\"\(Self.number(width))\" stroke-linejoin=\"round\"\(extra)/>")
    }

    /// Opens a group with `attributes` (values escaped); close it with ``endGroup()``.
    public mutating func beginGroup(_ attributes: [(String, String)]) {
        body.append("<g" + attributes.map { " \($0.0)=\"\(Self.escape($0.1))\"" }.joined() + ">")
    }

    public mutating func endGroup() { body.append("</g>") }

    /// Two decimals, no exponent, no "-0".
    static func number(_ v: Double) -> String {
        let s = String(cFormat: "%.2f", v)
        return s == "-0.00" ? "0.00" : s
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            // XML 1.0 forbids most control characters even escaped.
            case _ where ch.value < 0x20 && ch != "\t" && ch != "\n": out += "?"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
