import Dispatch
import FirCore
import Synchronization

/// One block of multichannel audio travelling through the stages, recycled through a pool so the
/// steady state allocates nothing.
///
/// Owned by exactly one stage at a time (the queues hand it over), which is why the
/// `@unchecked Sendable` is safe.
public final class AudioBlock: @unchecked Sendable {
    /// Frames the block can hold.
    public let capacity: Int
    /// Channels read from the input.
    public let channels: Int
    /// Channels written to the output: the input's, or what a mixing graph makes of them (``MixingBank``
    /// writes one or two into the interleaved frames once the input there is read, more into the
    /// planar runs).
    public let outputChannels: Int
    /// Interleaved frames as files store them, `capacity · channels` floats: the reader fills them, the
    /// writer writes them, and mono and stereo workers read and write their channel here.
    public let interleaved: UnsafeMutablePointer<Float>
    /// One run of `capacity` samples per channel, channel c at `c·capacity`: the convolvers' input with
    /// more than two input channels, their output with more than two output channels and in stretches.
    /// Untouched otherwise.
    public let planar: UnsafeMutablePointer<Float>
    /// Owns the memory both point into, shared by every block of a pool.
    private let storage: BlockStorage
    /// Position of the block's first frame in the stream (the full convolution output's index).
    public var position = 0
    /// Valid input frames read into the block; the rest is zero padding (past the end of the input).
    public var frames = 0
    /// Frames of this block the output keeps (offsets into the block), set by the reader.
    public var keep: Range<Int> = 0..<0
    /// Compute workers still to finish this block; the last one signals `filtered`. Set by the reader
    /// before the block is handed out.
    public let pending = Atomic<Int>(0)
    /// Signalled once per use, when every worker has filtered its channels; the writer waits for it,
    /// then joins the channels (unless the workers wrote them interleaved).
    public let filtered = DispatchSemaphore(value: 0)
    /// Where a ``MixingBank``'s workers wait for every input's transform before mixing into outputs.
    let phase = PhaseBarrier()

    /// Called by each compute worker when its channels are done: the last one releases the block to the
    /// writer, which joins the channels where the workers left them planar. Joining on the last worker's
    /// thread would load the worker that is already behind (it finishes last because it is behind), and
    /// the gap would grow block by block.
    public func workerFinished() {
        if pending.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            filtered.signal()
        }
    }

    /// Memory one block holds: interleaved and planar copies of its frames.
    public static func bytes(capacity: Int, channels: Int) -> Int {
        2 * capacity * channels * MemoryLayout<Float>.size
    }

    /// A block with memory of its own.
    /// - Throws: ``ResourceError`` when the memory is refused.
    public convenience init(capacity: Int, channels: Int, outputChannels: Int? = nil) throws(ResourceError) {
        let outputChannels = outputChannels ?? channels
        let storage = try BlockStorage(blocks: 1, capacity: capacity, channels: Swift.max(channels, outputChannels))
        self.init(capacity: capacity, channels: channels, outputChannels: outputChannels, storage: storage, index: 0)
    }

    private init(capacity: Int, channels: Int, outputChannels: Int, storage: BlockStorage, index: Int) {
        self.capacity = capacity
        self.channels = channels
        self.outputChannels = outputChannels
        self.storage = storage
        interleaved = storage.interleaved(index)
        planar = storage.planar(index)
    }

    /// `count` blocks in one mapping. A pool of large blocks is then faulted in as a few huge pages on
    /// the reader's first pass, instead of thousands of small pages zeroed while the set-up waits.
    /// - Throws: ``ResourceError`` when the memory is refused.
    public static func pool(
        count: Int, capacity: Int, channels: Int, outputChannels: Int? = nil
    ) throws(ResourceError) -> [AudioBlock] {
        let outputChannels = outputChannels ?? channels
        let storage = try BlockStorage(blocks: count, capacity: capacity, channels: Swift.max(channels, outputChannels))
        return (0..<count).map {
            AudioBlock(capacity: capacity, channels: channels, outputChannels: outputChannels, storage: storage, index: $0)
        }
    }

    /// Channel `c` of the planar buffer.
    @inline(__always)
    public func channel(_ c: Int) -> UnsafeMutablePointer<Float> {
        planar + c * capacity
    }

    /// Whether the reader splits this block's channels into the planar runs (more than two), so the
    /// convolvers read their input there rather than from the interleaved frames.
    public var channelsAreSplit: Bool { Self.splitsChannels(channels) }
    /// Whether blocks of `channels` channels are split into planar runs by the reader.
    public static func splitsChannels(_ channels: Int) -> Bool { channels > 2 }

    /// With more than two channels, copies the `frames` valid frames of every channel into the planar
    /// runs, in one pass on the reader stage, so each worker reads only its own channels' runs rather
    /// than every cache line of the interleaved frames. Mono and stereo are left to the convolvers,
    /// which gather them straight into their transform frames.
    public func splitChannelsIfMany() {
        guard channelsAreSplit else { return }
        StridedCopy.deinterleave(
            interleaved, channels: channels, first: 0, step: 1, frames: frames,
            into: planar, runStride: capacity)
    }

    /// Interleaves frames `range` of every output channel's planar run back into the interleaved buffer.
    @inline(__always)
    public func interleave(frames range: Range<Int>) {
        StridedCopy.interleave(
            planar, runStride: capacity, channels: outputChannels, frames: range, into: interleaved)
    }
}

/// The interleaved and planar buffers of one or more blocks, in one zeroed allocation (a mapping of its
/// own, with huge pages, once it reaches ``AlignedFloats/hugePageBytes``). Buffers lie whole 64-byte
/// units apart, so each keeps the allocation's FFTW alignment.
///
/// Every interleaved buffer comes first, then every planar one: mono and stereo runs split by channels
/// never touch the planar half (``MixingBank/outputIsInterleaved``), and pages never touched are never
/// faulted in, zeroed or counted in the process's memory (2 MiB of W1's pool).
///
/// `@unchecked Sendable`: immutable after `init`; the floats it owns are handed out per block, and a
/// block belongs to one stage at a time.
final class BlockStorage: @unchecked Sendable {
    private let floats: AlignedFloats
    /// Floats from one buffer to the start of the next: `capacity · channels` rounded up to 16.
    private let stride: Int
    private let blocks: Int

    init(blocks: Int, capacity: Int, channels: Int) throws(ResourceError) {
        stride = (capacity * channels + 15) / 16 * 16
        self.blocks = blocks
        floats = try AlignedFloats(count: 2 * blocks * stride)
    }

    func interleaved(_ block: Int) -> UnsafeMutablePointer<Float> { floats.pointer + block * stride }
    func planar(_ block: Int) -> UnsafeMutablePointer<Float> { floats.pointer + (blocks + block) * stride }
}

