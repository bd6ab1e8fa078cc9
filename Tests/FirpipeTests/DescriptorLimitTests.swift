import FirTestSupport
import Foundation
import Testing

/// Few file descriptors (issue 14, defect 3): `ulimit -n 4` killed firpipe with SIGILL (Dispatch
/// cannot make its epoll instance and traps), and 5 to 9 gave 66, "cannot be opened", as if a file
/// were missing. Every limit must give success or one line and EX_OSERR (71), never a signal.
@Suite struct DescriptorLimitTests {
    @Test(arguments: 4...12)
    func limit(descriptors: Int) throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.audio("in.wav", [Signals.noise(count: 2000, seed: 3, amplitude: 0.5)])
        try f.text("k.txt", "0.5\n0.5\n")
        // Several runs a limit: Dispatch takes its descriptors on its own threads, so the order varies.
        for _ in 0..<3 {
            try? FileManager.default.removeItem(atPath: f.dir.path("out.wav"))
            let r = try FirpipeBinary.shell(
                "ulimit -n \(descriptors) && exec \"$FP\" process in.wav out.wav -k k.txt -q", in: f.dir.url)
            #expect(!r.signaled, "limit \(descriptors): killed by signal \(r.status): \(r.stderr)")
            #expect(r.status == 0 || r.status == 71, "limit \(descriptors): \(r.status) \(r.stderr)")
            if r.status == 71 {
                #expect(r.errorLines.count == 1, "limit \(descriptors): \(r.stderr)")
                #expect(r.stderr.hasPrefix("firpipe: ") && r.stderr.contains("ulimit -n"), "\(r.stderr)")
                #expect(!FileManager.default.fileExists(atPath: f.dir.path("out.wav")))
            }
            #expect(f.leftovers().isEmpty, "limit \(descriptors): \(f.leftovers())")
        }
    }
}
