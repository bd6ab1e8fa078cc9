import FirPipeline
import Synchronization
import Glibc
import FoundationEssentials

/// The batch's progress on one stderr line, only on a terminal, at most ten times a second: files done,
/// failed, hours of audio processed and an ETA from the audio still to do.
final class BatchProgressLine: Sendable {
    private let start = Date()
    private let lastDraw = Mutex((time: -1.0, drawn: false))

    init?() {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
    }

    /// A worker's thread, after each job.
    func update(_ p: BatchProgress) {
        let now = Date().timeIntervalSince(start)
        let finished = p.done + p.skipped + p.failed
        let draw = lastDraw.withLock { last -> Bool in
            guard now - last.time >= 0.1 || finished == p.total else { return false }
            last = (now, true)
            return true
        }
        guard draw else { return }
        let fraction = p.totalAudioSeconds > 0 ? p.audioSeconds / p.totalAudioSeconds : Double(finished) / Double(max(p.total, 1))
        let eta = fraction > 0 ? now * (1 - fraction) / fraction : 0
        let line = "\rfirpipe batch: \(finished)/\(p.total) files, \(p.failed) failed, \(Self.amount(p.audioSeconds)) of audio, "
            + String(cFormat: "ETA %.0f s   ", eta)
        writeToStandardError(line)
    }

    /// Audio seconds in the unit that shows them moving: seconds, minutes, then hours.
    static func amount(_ seconds: Double) -> String {
        switch seconds {
        case ..<60: String(cFormat: "%.1f s", seconds)
        case ..<3600: String(cFormat: "%.1f min", seconds / 60)
        default: String(cFormat: "%.2f h", seconds / 3600)
        }
    }

    /// Ends the line, if one was drawn.
    func finish() {
        if lastDraw.withLock({ $0.drawn }) { writeToStandardError("\n") }
    }
}
