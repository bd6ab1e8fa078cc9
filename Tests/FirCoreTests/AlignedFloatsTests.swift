import FirCore
import Foundation
import Testing

/// `AlignedFloats`: every size zeroed, with FFTW's alignment and writable to its end; a buffer from
/// ``AlignedFloats/populatedBytes`` up to the huge-page size has its pages made by `init` (no fault a
/// page when first touched), a larger one, when its huge-page mapping is granted (as here), gets them
/// only as they are touched; planning scratch from the mapping size gets no page until touched.
@Suite struct AlignedFloatsTests {
    @Test(arguments: [1, 15, 16_383, 16_384, 100_000, 600_000])
    func zeroedAlignedAndWritable(count: Int) throws {
        let buffer = try AlignedFloats(count: count)
        #expect(AlignedFloats.hasFFTWAlignment(buffer.pointer))
        #expect(buffer.buffer.allSatisfy { $0 == 0 })
        buffer.pointer.update(repeating: 1, count: count)
        #expect(buffer.buffer.allSatisfy { $0 == 1 })
    }

    @Test("buffers carved from the arena start zeroed and keep to themselves")
    func arenaNeighbours() throws {
        // 700 KiB each: at least one chunk is crossed (other suites carve from the same arena meanwhile,
        // so which buffers share a chunk is not fixed).
        let count = 700 << 8
        var buffers: [UnsafeMutablePointer<Float>] = []
        let a = try AlignedFloats(count: count), b = try AlignedFloats(count: count)
        let c = try AlignedFloats(count: count)
        buffers = [a.pointer, b.pointer, c.pointer]
        for (i, pointer) in buffers.enumerated() {
            #expect(UnsafeBufferPointer(start: pointer, count: count).allSatisfy { $0 == 0 })
            pointer.update(repeating: Float(i + 1), count: count)
        }
        for (i, pointer) in buffers.enumerated() {
            #expect(UnsafeBufferPointer(start: pointer, count: count).allSatisfy { $0 == Float(i + 1) })
        }
        // A neighbour freed: the others' memory (and chunks) stay, and a new buffer starts zeroed.
        _ = consume a
        let d = try AlignedFloats(count: count)
        #expect(d.buffer.allSatisfy { $0 == 0 })
        #expect(b.buffer.allSatisfy { $0 == 2 } && c.buffer.allSatisfy { $0 == 3 })
    }

    #if os(Linux)
    @Test("pages made at once below the huge-page size, on first touch above it")
    func residency() throws {
        let populated = try AlignedFloats(count: 100_000)
        #expect(Self.residentPages(populated) == Self.pages(populated))
        let huge = try AlignedFloats(count: AlignedFloats.hugePageBytes / MemoryLayout<Float>.size)
        #expect(Self.residentPages(huge) == 0)
    }

    @Test("planning scratch: aligned, writable, and without pages until touched", arguments: [15, 16_384, 100_000])
    func scratch(count: Int) throws {
        let buffer = try AlignedFloats(scratchCount: count)
        #expect(AlignedFloats.hasFFTWAlignment(buffer.pointer))
        if count * MemoryLayout<Float>.size >= AlignedFloats.populatedBytes {
            #expect(Self.residentPages(buffer) == 0)
            buffer.pointer[count - 1] = 1
            // One page or more (a huge or multi-size page may come with it): made by the touch.
            #expect(Self.residentPages(buffer) >= 1)
        }
        buffer.pointer.update(repeating: 2, count: count)
        #expect(buffer.buffer.allSatisfy { $0 == 2 })
    }

    static func pages(_ buffer: borrowing AlignedFloats) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        return (buffer.count * MemoryLayout<Float>.size + page - 1) / page
    }

    /// Pages of `buffer` in memory now (`mincore`); the buffer starts on a page boundary when mapped.
    static func residentPages(_ buffer: borrowing AlignedFloats) -> Int {
        let n = pages(buffer)
        var vector = [UInt8](repeating: 0, count: n)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = UnsafeMutableRawPointer(buffer.pointer)
        #expect(Int(bitPattern: start) % page == 0, "a mapped buffer starts on a page")
        #expect(mincore(start, n * page, &vector) == 0)
        return vector.filter { $0 & 1 != 0 }.count
    }
    #endif
}
