/// What the batch stages drive, block by block: the per-channel ``FilterBank`` (a diagonal
/// ``FilterMatrix``) or the frequency-domain ``MixingBank`` (any other graph).
///
/// The reader hands every block to each of `workers` workers in order; each calls
/// ``process(_:worker:)`` for every block; the writer writes the block once every worker is done.
public protocol BlockFilter: AnyObject, Sendable {
    /// Samples per block.
    var blockSize: Int { get }
    /// Points per transform.
    var fftSize: Int { get }
    /// Worker count `process` expects.
    var workers: Int { get }
    /// Whether `process` leaves the output in the block's interleaved frames (else in its planar runs).
    var outputIsInterleaved: Bool { get }
    /// Blocks the workers need in flight at once, beyond the pool's usual size.
    var blocksInFlight: Int { get }
    /// Whether every worker must process every block even after the job failed, because workers wait
    /// for each other within a block.
    var needsEveryBlock: Bool { get }
    /// Worker `worker`'s share of `block`. That worker's thread.
    func process(_ block: AudioBlock, worker: Int)
}

extension FilterBank: BlockFilter {
    public var needsEveryBlock: Bool { false }
}
