import Synchronization

/// The first failure of a pipeline's stages, shared by the batch job and the stream: a stage that
/// fails records it here, and every stage checks ``hasFailed`` (an atomic, no lock) to wind down, still
/// passing blocks and the end message on so no other stage waits forever.
///
/// Any thread.
final class StageFailure: Sendable {
    private let failed = Atomic<Bool>(false)
    private let first = Mutex<JobError?>(nil)

    /// Records `error` unless an earlier one is recorded; returns whether this one was first.
    @discardableResult
    func record(_ error: JobError) -> Bool {
        let isFirst = first.withLock { current -> Bool in
            guard current == nil else { return false }
            current = error
            return true
        }
        failed.store(true, ordering: .releasing)
        return isFirst
    }

    /// Cheap check for the stage loops.
    var hasFailed: Bool { failed.load(ordering: .acquiring) }

    /// The first failure, if any.
    var error: JobError? { first.withLock { $0 } }
}

