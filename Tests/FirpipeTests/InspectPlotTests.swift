import FirTestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `inspect --plot`: the SVG parses as XML, has one path per channel in each panel, and its curves sit
/// where the analytic response of the kernels puts them.
@Suite struct InspectPlotTests {
    /// The parsed plot: each panel's data attributes and its curves' points, by channel.
    struct Plot {
        struct Panel {
            var attributes: [String: String]
            var curves: [Int: [[(x: Double, y: Double)]]] = [:]
            var pathCount = 0
            func value(_ key: String) -> Double { Double(attributes[key] ?? "") ?? .nan }

            /// Page coordinates back to data values (the inverse of the writer's mapping).
            func data(_ p: (x: Double, y: Double)) -> (x: Double, y: Double) {
                let fx = (p.x - value("data-left")) / value("data-width")
                let x = attributes["data-x-scale"] == "log"
                    ? pow(10, log10(value("data-x-min")) + fx * (log10(value("data-x-max")) - log10(value("data-x-min"))))
                    : value("data-x-min") + fx * (value("data-x-max") - value("data-x-min"))
                let fy = (p.y - value("data-top")) / value("data-height")
                return (x, value("data-y-max") - fy * (value("data-y-max") - value("data-y-min")))
            }

            /// The curve's value nearest to `x` (data units), with how far from `x` it is.
            func curve(_ channel: Int, at x: Double) -> (x: Double, y: Double)? {
                curves[channel]?.flatMap { $0 }.map(data).min { abs($0.x - x) < abs($1.x - x) }
            }
        }
        var panels: [String: Panel] = [:]
    }

    final class Reader: NSObject, XMLParserDelegate {
        var plot = Plot()
        var current: String?
        var root: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if root == nil { root = name }
            if name == "g", attributes["class"] == "panel", let panel = attributes["data-panel"] {
                current = panel
                plot.panels[panel] = Plot.Panel(attributes: attributes)
            } else if name == "path", let panel = current {
                plot.panels[panel]?.pathCount += 1
                if let channel = attributes["data-channel"].flatMap(Int.init), let d = attributes["d"] {
                    plot.panels[panel]?.curves[channel] = Reader.runs(d)
                }
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "g" { current = nil }
        }

        static func runs(_ d: String) -> [[(x: Double, y: Double)]] {
            d.split(separator: "M").map { run in
                run.split(separator: "L").compactMap { pair in
                    let n = pair.split(separator: " ").compactMap { Double($0) }
                    return n.count == 2 ? (n[0], n[1]) : nil
                }
            }
        }
    }

    static func parse(_ path: String) throws -> Plot {
        let parser = try #require(XMLParser(contentsOf: URL(fileURLWithPath: path)))
        let reader = Reader()
        parser.delegate = reader
        #expect(parser.parse(), "the SVG is not well-formed XML: \(String(describing: parser.parserError))")
        #expect(reader.root == "svg")
        return reader.plot
    }

    @Test func curvesMatchTheAnalyticResponse() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        // ch 0: a delta at 10; ch 1: half a delta at 30; ch 2: [0.5, 0.5], |H| = cos(πf/fs), delay ½ sample.
        var average = [Float](repeating: 0, count: 64)
        average[0] = 0.5
        average[1] = 0.5
        let k = try f.audio("k.wav", [Signals.impulse(count: 64, at: 10), Signals.impulse(count: 64, at: 30).map { $0 / 2 }, average])
        let svg = f.dir.path("plot.svg")
        let r = try firpipe("inspect", k, "--plot", svg, "--smooth", "0")
        #expect(r.status == 0, "\(r.stderr)")
        let plot = try Self.parse(svg)
        #expect(Set(plot.panels.keys) == ["impulse", "envelope", "magnitude", "phase", "group-delay"])
        for (name, panel) in plot.panels {
            #expect(panel.pathCount == 3 && Set(panel.curves.keys) == [0, 1, 2], "\(name): \(panel.pathCount) paths")
        }
        let rate = 48000.0
        let magnitude = try #require(plot.panels["magnitude"]), delay = try #require(plot.panels["group-delay"])
        let phase = try #require(plot.panels["phase"]), impulse = try #require(plot.panels["impulse"])
        var checked = 0
        for hz in [20.0, 100, 1000, 5000, 10000, 20000] {
            for c in 0..<3 {
                let p = try #require(magnitude.curve(c, at: hz))
                #expect(abs(p.x / hz - 1) < 0.01)
                let expected = [0, 20 * log10(0.5), 20 * log10(cos(Double.pi * p.x / rate))]
                // Two-decimal coordinates: 0.01 px is about 0.004 dB here; the bin is 2.9 Hz from hz at most.
                #expect(abs(p.y - expected[c]) < 0.05, "magnitude ch \(c) at \(hz) Hz: \(p.y) dB, expected \(expected[c])")
                let d = try #require(delay.curve(c, at: hz))
                let delays = [10.0, 30, 0.5].map { $0 * 1000 / rate }
                #expect(abs(d.y - delays[c]) < 0.002, "group delay ch \(c) at \(hz) Hz: \(d.y) ms")
                checked += 1
            }
            // Unwrapped phase of a delay of 10 samples: −360°·f·10/fs.
            let p = try #require(phase.curve(0, at: hz))
            #expect(abs(p.y - (-360 * p.x * 10 / rate)) < 0.5 + abs(p.y) * 0.002, "phase at \(hz) Hz: \(p.y)°")
        }
        #expect(checked == 18)
        // The impulse panel: ch 0 reaches 1 at 10 samples (0.2083 ms), ch 1 reaches 0.5 at 30.
        let top0 = try #require(impulse.curves[0]?.flatMap { $0 }.map(impulse.data).max { $0.y < $1.y })
        #expect(abs(top0.x - 10 * 1000 / rate) < 0.001 && abs(top0.y - 1) < 0.01)
        let top1 = try #require(impulse.curves[1]?.flatMap { $0 }.map(impulse.data).max { $0.y < $1.y })
        #expect(abs(top1.x - 30 * 1000 / rate) < 0.001 && abs(top1.y - 0.5) < 0.01)
    }
}
