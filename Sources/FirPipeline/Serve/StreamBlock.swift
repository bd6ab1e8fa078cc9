import FirAudio
import FirCore

/// One block of a stream on its way from the reader to the writer: the raw bytes as read, the planar
/// floats the filter works on, and the raw bytes to write. Recycled through a pool, so a running stream
/// allocates nothing.
///
/// Owned by exactly one stage at a time (the queues hand it over), which is why the
/// `@unchecked Sendable` is safe.
final class StreamBlock: @unchecked Sendable {
    /// Raw interleaved bytes: read into by the reader, then overwritten with the output by the filter.
    let bytes: UnsafeMutableRawPointer
    /// Planar samples, channel c at `c · blockSize`.
    let planar: AlignedFloats
    /// Whole frames of input in this block; the rest is zero padding after the end of the input.
    var frames = 0

    /// Room for a block in each of `codecs` (the input's and the output's, whose channels may differ).
    /// - Throws: ``ResourceError`` when the memory is refused.
    init(blockSize: Int, codecs: [RawPCMCodec]) throws(ResourceError) {
        planar = try AlignedFloats(count: blockSize * (codecs.map(\.channels).max() ?? 0))
        bytes = .allocate(byteCount: blockSize * (codecs.map(\.bytesPerFrame).max() ?? 0), alignment: 64)
    }

    deinit { bytes.deallocate() }
}

/// What travels down a stream's queues; after `.end` the writer flushes and the stream is done.
typealias StreamMessage = StageMessage<StreamBlock>
