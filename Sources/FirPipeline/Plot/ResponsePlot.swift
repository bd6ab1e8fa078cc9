import FirCore
internal import Glibc

/// The one-page SVG of `firpipe inspect --plot`: the impulse (linear and its envelope in dB), the
/// magnitude response on a log frequency axis, the unwrapped phase and the group delay, one colour per
/// channel and a legend. Every curve is one `<path>` per channel per panel; each panel's `<g>` carries
/// its ranges as data attributes, so a reader can map points back to values.
///
/// Stateless; any thread.
public enum ResponsePlot {
    public struct Options: Sendable {
        /// Magnitude smoothing, 1/N octave; 0 for none.
        public var smoothing: Int
        /// Phase drawn minus the main peak's delay.
        public var phaseMinusDelay: Bool
        public var title: String

        public init(smoothing: Int = 6, phaseMinusDelay: Bool = false, title: String) {
            self.smoothing = smoothing
            self.phaseMinusDelay = phaseMinusDelay
            self.title = title
        }
    }

    /// One colour per channel, distinct for the colour-blind in the first four (Tableau's palette).
    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    static let width = 1280.0, height = 960.0
    /// Points across a frequency axis.
    static let frequencyPoints = 600

    /// The page as SVG text.
    public static func svg(_ channels: [PlotChannel], options: Options) -> String {
        precondition(!channels.isEmpty, "nothing to plot")
        var doc = SVGDocument(width: width, height: height)
        doc.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        doc.text(options.title, x: 40, y: 30, size: 18, weight: "bold")
        legend(&doc, channels)
        let nyquist = channels.map { $0.sampleRate / 2 }.min() ?? 24000
        let fRange = Swift.min(10, nyquist / 10)...nyquist
        let freqs = ResponseSeries.frequencies(fRange, count: frequencyPoints)
        let longest = channels.map { Double($0.taps.count) * 1000 / $0.sampleRate }.max() ?? 1
        let columnWidth = (width - 3 * 80) / 2

        let impulse = channels.map { ResponseSeries.impulse($0, columns: Int(columnWidth)) }
        let peak = Swift.max(impulse.flatMap { $0.map { abs($0.y) } }.max() ?? 1, 1e-12)
        let envelope = channels.map { ResponseSeries.envelopeDB($0, columns: Int(columnWidth)) }
        let topDB = 10 * ceil((envelope.flatMap { $0.map(\.y) }.max() ?? 0) / 10)
        let magnitude = channels.map { ResponseSeries.magnitudeDB($0, at: freqs, fraction: options.smoothing) }
        let magTop = 10 * ceil((magnitude.flatMap { $0.map(\.y) }.max() ?? 0) / 10 + 0.05)
        let magBottom = Swift.max(10 * floor((magnitude.flatMap { $0.map(\.y) }.min() ?? -60) / 10), magTop - 100)
        let phase = channels.map { ResponseSeries.phaseDegrees($0, at: freqs, minusDelay: options.phaseMinusDelay) }
        let delay = channels.map { ResponseSeries.groupDelayMS($0, at: freqs) }

        let panels = [
            PlotPanel(name: "impulse", title: "Impulse", xLabel: "time (ms)", yLabel: "amplitude",
                      left: 80, top: 90, width: columnWidth, height: 220, xRange: 0...longest,
                      yRange: -1.05 * peak...1.05 * peak, xLog: false),
            PlotPanel(name: "envelope", title: "Envelope", xLabel: "time (ms)", yLabel: "level (dBFS)",
                      left: 160 + columnWidth, top: 90, width: columnWidth, height: 220, xRange: 0...longest,
                      yRange: (topDB - 120)...topDB, xLog: false),
            PlotPanel(name: "magnitude", title: options.smoothing > 0 ? "Magnitude, 1/\(options.smoothing)-octave smoothed" : "Magnitude",
                      xLabel: "frequency (Hz)", yLabel: "magnitude (dB)", left: 80, top: 370,
                      width: width - 160, height: 250, xRange: fRange, yRange: magBottom...magTop, xLog: true),
            PlotPanel(name: "phase", title: options.phaseMinusDelay ? "Phase, minus the main peak's delay" : "Phase (unwrapped)",
                      xLabel: "frequency (Hz)", yLabel: "phase (degrees)", left: 80, top: 680,
                      width: columnWidth, height: 220, xRange: fRange,
                      yRange: PlotTicks.range(of: phase.flatMap { $0.flatMap { $0.map(\.y) } }, step: 90, fallback: -180...180),
                      xLog: true),
            PlotPanel(name: "group-delay", title: "Group delay", xLabel: "frequency (Hz)", yLabel: "delay (ms)",
                      left: 160 + columnWidth, top: 680, width: columnWidth, height: 220, xRange: fRange,
                      yRange: PlotTicks.range(
                          of: PlotTicks.central(delay.flatMap { $0.flatMap { $0.map(\.y) } }), step: 0.5, fallback: 0...1),
                      xLog: true),
        ]
        let runs: [[[[(x: Double, y: Double)]]]] = [
            impulse.map { [$0] }, envelope.map { [$0] }, magnitude.map { [$0] }, phase, delay,
        ]
        for (panel, curves) in zip(panels, runs) {
            doc.beginGroup(panel.dataAttributes)
            frame(&doc, panel)
            for (i, channelRuns) in curves.enumerated() {
                let mapped = channelRuns.map { $0.map { (x: panel.x($0.x), y: panel.y($0.y)) } }
                doc.path(mapped, stroke: colours[i % colours.count], width: 1.5,
                         attributes: [("class", "curve"), ("data-channel", "\(i)")])
            }
            doc.endGroup()
        }
        return doc.rendered
    }

    private static func legend(_ doc: inout SVGDocument, _ channels: [PlotChannel]) {
        var x = 40.0
        for (i, c) in channels.enumerated() {
            doc.rect(x: x, y: 44, width: 22, height: 6, fill: colours[i % colours.count])
            doc.text(c.label, x: x + 28, y: 52, size: 13)
            x += 50 + Double(c.label.count) * 7.5
        }
    }

    /// The panel's frame, grid, ticks and labels.
    private static func frame(_ doc: inout SVGDocument, _ p: PlotPanel) {
        doc.rect(x: p.left, y: p.top, width: p.width, height: p.height, fill: "#fbfbfb", stroke: "#888")
        doc.text(p.title, x: p.left, y: p.top - 10, size: 14, weight: "bold")
        let xTicks = p.xLog ? PlotTicks.logarithmic(p.xRange) : PlotTicks.linear(p.xRange)
        for t in xTicks {
            let x = p.x(t)
            doc.line(x1: x, y1: p.top, x2: x, y2: p.top + p.height, stroke: "#e2e2e2")
            doc.text(PlotTicks.label(t, kilo: p.xLog), x: x, y: p.top + p.height + 16, size: 11, anchor: "middle")
        }
        for t in PlotTicks.linear(p.yRange, count: 5) {
            let y = p.y(t)
            doc.line(x1: p.left, y1: y, x2: p.left + p.width, y2: y, stroke: "#e2e2e2")
            doc.text(PlotTicks.label(t), x: p.left - 6, y: y + 4, size: 11, anchor: "end")
        }
        doc.text(p.xLabel, x: p.left + p.width / 2, y: p.top + p.height + 34, size: 12, anchor: "middle")
        doc.text(p.yLabel, x: p.left - 52, y: p.top + p.height / 2, size: 12, anchor: "middle", rotate: -90)
    }
}
