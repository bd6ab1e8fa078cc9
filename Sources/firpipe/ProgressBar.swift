import FirAudio
import Synchronization
import Glibc
import FoundationEssentials

/// A one-line progress bar on stderr, shown only when stderr is a terminal, redrawn at most ten times
/// a second whatever the block rate.
final class ProgressBar: Sendable {
    private struct State {
        var lastDraw = 0.0
        var drawn = false
    }

    private let label: String
    private let start = Date()
    private let state = Mutex(State())

    /// `nil` when stderr is not a terminal.
    init?(label: String) {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        self.label = PlatformPath.displayed(label)
    }

    /// Writer stage's thread.
    func update(_ fraction: Double) {
        let now = Date().timeIntervalSince(start)
        let draw = state.withLock { s -> Bool in
            guard now - s.lastDraw >= 0.1 || fraction >= 1 else { return false }
            s.lastDraw = now
            s.drawn = true
            return true
        }
        guard draw else { return }
        let width = 30, filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "\r\(label) [\(bar)] " + String(cFormat: "%3d%% %.1f s", Int(fraction * 100), now)
        writeToStandardError(line)
    }

    /// Ends the line, if one was drawn.
    func finish() {
        if state.withLock({ $0.drawn }) { writeToStandardError("\n") }
    }
}
