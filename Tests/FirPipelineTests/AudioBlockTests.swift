import FirCore
import FirPipeline
import Testing

/// `AudioBlock.pool`: blocks that share one allocation still behave as separate blocks.
@Suite struct AudioBlockTests {
    /// Every buffer of every block starts zeroed and with FFTW's alignment, and filling each one whole with its
    /// own value leaves all the others intact: no two buffers overlap, even when `capacity · channels` is
    /// not a multiple of the 16-float spacing (3 · 5 here), and the pool reaching the huge-page size.
    @Test(arguments: [(1, 1, 1), (3, 5, 3), (4, 4096, 2), (8, 8192, 8)])
    func poolBuffersAreSeparateZeroedAndAligned(count: Int, capacity: Int, channels: Int) {
        let blocks = AudioBlock.pool(count: count, capacity: capacity, channels: channels)
        let n = capacity * channels
        #expect(blocks.count == count)
        for block in blocks {
            #expect(block.capacity == capacity && block.channels == channels)
            for buffer in [block.interleaved, block.planar] {
                #expect(AlignedFloats.hasFFTWAlignment(buffer))
                #expect((0..<n).allSatisfy { buffer[$0] == 0 })
            }
        }
        for (i, block) in blocks.enumerated() {
            block.interleaved.update(repeating: Float(2 * i + 1), count: n)
            block.planar.update(repeating: Float(2 * i + 2), count: n)
        }
        for (i, block) in blocks.enumerated() {
            #expect((0..<n).allSatisfy { block.interleaved[$0] == Float(2 * i + 1) })
            #expect((0..<n).allSatisfy { block.planar[$0] == Float(2 * i + 2) })
        }
    }

    /// The shared memory lives as long as any block of the pool: a block kept after the pool array is
    /// gone still reads and writes its own buffers. The pool is 4 MiB, a mapping of its own, which
    /// freeing would unmap: a block left pointing into it would crash here.
    @Test func aBlockKeepsThePoolMemoryAlive() {
        let frames = 65_536
        var blocks: [AudioBlock]? = AudioBlock.pool(count: 4, capacity: frames, channels: 2)
        let last = blocks![3]
        blocks = nil
        last.planar.update(repeating: 0.5, count: 2 * frames)
        last.interleave(frames: 0..<frames)
        #expect((0..<2 * frames).allSatisfy { last.interleaved[$0] == 0.5 })
    }
}
