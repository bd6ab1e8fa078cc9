import FirCore
import FirPipeline
import Foundation
import Testing

/// `AudioBlock.pool`: blocks that share one allocation still behave as separate blocks.
@Suite struct AudioBlockTests {
    /// Every buffer of every block starts zeroed and with FFTW's alignment, and filling each one whole with its
    /// own value leaves all the others intact: no two buffers overlap, even when `capacity · channels` is
    /// not a multiple of the 16-float spacing (3 · 5 here), and the pool reaching the huge-page size.
    @Test(arguments: [(1, 1, 1), (3, 5, 3), (4, 4096, 2), (8, 8192, 8)])
    func poolBuffersAreSeparateZeroedAndAligned(count: Int, capacity: Int, channels: Int) throws {
        let blocks = try AudioBlock.pool(count: count, capacity: capacity, channels: channels)
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

    /// A stereo bank split by channels, as W1 runs, uses only the interleaved buffers; the planar ones,
    /// all after them, are then never faulted in (2 MiB of W1's pool, in a huge page of its own).
    @Test func untouchedPlanarBuffersTakeNoMemory() throws {
        let frames = 32_768, count = 8
        let blocks = try AudioBlock.pool(count: count, capacity: frames, channels: 2)
        let filters = (0..<2).map { ChannelFilter(source: "k#\($0)", taps: [0.5, 0.25, Float($0)], gain: 1) }
        let bank = try MixingBank(matrix: FilterMatrix(diagonal: filters), blockSize: frames, mode: .convolve, threads: 2)
        #expect(bank.split == .channels && bank.workers == 2 && bank.outputIsInterleaved)
        for (k, block) in blocks.enumerated() {
            block.interleaved.update(repeating: 1, count: 2 * frames)  // as the reader fills it
            block.position = k * frames
            block.frames = frames
            block.splitChannelsIfMany()
            for worker in 0..<bank.workers { bank.process(block, worker: worker) }
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE))), bytes = count * 2 * frames * MemoryLayout<Float>.size
        func residentPages(_ start: UnsafeMutablePointer<Float>) -> Int {
            var pages = [UInt8](repeating: 0, count: bytes / page)
            #expect(Int(bitPattern: start) % page == 0)
            let r = mincore(UnsafeMutableRawPointer(start), bytes, &pages)
            #expect(r == 0, "mincore: errno \(errno)")
            return pages.filter { $0 & 1 == 1 }.count
        }
        withExtendedLifetime(blocks) {  // the pool's mapping must outlive the last pointer taken from it
            #expect(residentPages(blocks[0].interleaved) == bytes / page)
            #expect(residentPages(blocks[0].planar) == 0)
        }
    }

    /// The shared memory lives as long as any block of the pool: a block kept after the pool array is
    /// gone still reads and writes its own buffers. The pool is 4 MiB, a mapping of its own, which
    /// freeing would unmap: a block left pointing into it would crash here.
    @Test func aBlockKeepsThePoolMemoryAlive() throws {
        let frames = 65_536
        var blocks: [AudioBlock]? = try AudioBlock.pool(count: 4, capacity: frames, channels: 2)
        let last = blocks![3]
        blocks = nil
        last.planar.update(repeating: 0.5, count: 2 * frames)
        last.interleave(frames: 0..<frames)
        #expect((0..<2 * frames).allSatisfy { last.interleaved[$0] == 0.5 })
    }
}
