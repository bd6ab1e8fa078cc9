import Dispatch
import Synchronization

/// A reusable barrier for the workers of one block: each arrives once per use, and none leaves until
/// all have arrived. The last to arrive re-arms it before releasing the others, and a block is not
/// used again until every worker is done with it, so uses never overlap.
///
/// At most one semaphore wait per worker and block: with blocks of thousands of samples that is noise
/// beside the transforms.
final class PhaseBarrier: Sendable {
    private let arrived = Atomic<Int>(0)
    private let release = DispatchSemaphore(value: 0)

    /// Waits until `parties` workers (this one included) have arrived. Any worker thread.
    func arriveAndWait(parties: Int) {
        if parties <= 1 { return }
        if arrived.add(1, ordering: .acquiringAndReleasing).newValue == parties {
            arrived.store(0, ordering: .releasing)
            for _ in 1..<parties { release.signal() }
        } else {
            release.wait()
        }
    }
}
