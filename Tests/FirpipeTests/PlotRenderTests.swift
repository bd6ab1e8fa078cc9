import FirTestSupport
import Foundation
import Testing

/// The Chromium binary, when installed (`make test` installs Debian's `chromium` when missing).
private let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// The plot renders in a real browser: Chromium's headless screenshot of it is not blank.
///
/// Without a PNG decoder in the tests, "not blank" is judged against a control rendered the same way:
/// a blank white SVG of the plot's size compresses to a few kilobytes, the plot with its text and
/// curves to many times that.
@Suite(.enabled(if: chromium != nil, "Chromium is not installed (apt-get install chromium)"))
struct PlotRenderTests {
    @Test func chromiumRendersThePlot() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let k = try f.audio("k.wav", [Signals.decayingNoise(count: 2000, seed: 3), Signals.impulse(count: 2000, at: 100)])
        #expect(try firpipe("inspect", k, "--plot", f.dir.path("plot.svg")).status == 0)
        try f.text("blank.svg", """
            <svg xmlns="http://www.w3.org/2000/svg" width="1280" height="960"><rect width="1280" height="960" fill="#fff"/></svg>
            """)
        func screenshot(_ name: String) throws -> Int {
            let png = f.dir.path(name + ".png")
            // --no-sandbox: the tests run as root on CI, where Chromium's sandbox refuses to start.
            let r = try FirpipeBinary.shell("""
                '\(chromium!)' --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,960 \
                --user-data-dir='\(f.dir.path("profile"))' --screenshot='\(png)' 'file://\(f.dir.path(name + ".svg"))'
                """)
            #expect(r.status == 0, "chromium: \(r.stderr)")
            let size = (try FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
            // A PNG: its signature, then the IHDR's width and height.
            let head = try Data(contentsOf: URL(fileURLWithPath: png)).prefix(24)
            #expect(head.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            let width = head.suffix(8).prefix(4).reduce(0) { $0 << 8 | Int($1) }
            #expect(width == 1280)
            return size
        }
        let blank = try screenshot("blank"), plot = try screenshot("plot")
        print("chromium screenshots: blank \(blank) bytes, plot \(plot) bytes")
        #expect(plot > 5 * blank)
    }
}
