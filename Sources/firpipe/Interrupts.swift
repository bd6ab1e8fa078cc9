import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into a call of `handler` (on a Dispatch queue), so a running job can stop
/// and remove its temporary file instead of dying with it in place. A second signal exits at once.
final class Interrupts: @unchecked Sendable {
    /// Set once in `init`, cancelled once in `restore`; Dispatch sources are thread-safe.
    private let sources: [DispatchSourceSignal]

    init(handler: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "firpipe.signals")
        sources = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            let seen = SignalCount()
            source.setEventHandler {
                if seen.increment() > 1 { exit(128 + sig) }
                handler()
            }
            source.resume()
            return source
        }
    }

    /// Puts the default signal dispositions back.
    func restore() {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// Signals seen; touched only on the signal queue.
private final class SignalCount: @unchecked Sendable {
    private var count = 0
    func increment() -> Int {
        count += 1
        return count
    }
}
