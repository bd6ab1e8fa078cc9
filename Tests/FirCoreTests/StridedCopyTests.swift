import FirCore
import Foundation
import Testing

/// ``StridedCopy`` against plain index arithmetic, for the vectorised stereo paths and the general ones,
/// with lengths that leave a remainder after the 8-frame vectors and the 16- and 64-frame tiles.
@Suite("StridedCopy")
struct StridedCopyTests {
    static let channelCounts = [1, 2, 3, 4, 6, 8]
    static let lengths = [0, 1, 7, 8, 9, 63, 64, 65, 1000]

    /// Distinct values: sample f of channel c is f·16 + c.
    static func frames(_ n: Int, channels: Int) -> [Float] {
        (0..<(n * channels)).map { Float($0 / channels * 16 + $0 % channels) }
    }

    @Test(arguments: channelCounts)
    func gatherPicksOneChannel(channels: Int) {
        for n in Self.lengths {
            // The frames end right at an unmapped page: a vector load past the last sample crashes here.
            let src = GuardedFloats(Self.frames(n, channels: channels))
            for c in 0..<channels {
                var dst = [Float](repeating: -1, count: n + 1)
                dst.withUnsafeMutableBufferPointer { d in
                    StridedCopy.gather(src.pointer + c, stride: channels, into: d.baseAddress!, count: n)
                }
                #expect(Array(dst.prefix(n)) == (0..<n).map { Float($0 * 16 + c) }, "n \(n) channel \(c)")
                #expect(dst[n] == -1, "wrote past the end")
            }
        }
    }

    @Test(arguments: channelCounts)
    func scatterFillsOnlyItsChannel(channels: Int) {
        for n in Self.lengths {
            for c in 0..<channels {
                let run = (0..<n).map { Float($0 * 16 + c) }
                var dst = [Float](repeating: -1, count: n * channels + 1)
                run.withUnsafeBufferPointer { r in
                    dst.withUnsafeMutableBufferPointer { d in
                        StridedCopy.scatter(r.baseAddress!, into: d.baseAddress! + c, stride: channels, count: n)
                    }
                }
                let expected = (0..<(n * channels)).map { $0 % channels == c ? Float($0 / channels * 16 + c) : -1 }
                #expect(Array(dst.prefix(n * channels)) == expected, "n \(n) channel \(c)")
                #expect(dst[n * channels] == -1, "wrote past the end")
            }
        }
    }

    @Test(arguments: channelCounts)
    func deinterleaveFillsOnlyTheOwnedRuns(channels: Int) {
        for n in Self.lengths {
            let src = Self.frames(n, channels: channels)
            for step in [1, 2] {
                let runStride = n + 3
                var planar = [Float](repeating: -1, count: runStride * channels)
                src.withUnsafeBufferPointer { s in
                    planar.withUnsafeMutableBufferPointer { p in
                        StridedCopy.deinterleave(
                            s.baseAddress!, channels: channels, first: step - 1, step: step, frames: n,
                            into: p.baseAddress!, runStride: runStride)
                    }
                }
                for c in 0..<channels {
                    let run = Array(planar[(c * runStride)..<(c * runStride + runStride)])
                    let owned = c >= step - 1 && (c - (step - 1)) % step == 0
                    let expected = owned ? (0..<n).map { Float($0 * 16 + c) } : [Float](repeating: -1, count: n)
                    #expect(Array(run.prefix(n)) == expected, "n \(n) channel \(c) step \(step)")
                    #expect(run.suffix(3) == [-1, -1, -1])
                }
            }
        }
    }

    @Test(arguments: channelCounts)
    func interleaveIsTheInverseOnARange(channels: Int) {
        for n in Self.lengths {
            let runStride = n + 5
            var planar = [Float](repeating: 0, count: runStride * channels)
            for c in 0..<channels { for f in 0..<n { planar[c * runStride + f] = Float(f * 16 + c) } }
            // A range that starts off a vector boundary, and the whole block.
            for range in [0..<n, (n / 3)..<n] {
                var dst = [Float](repeating: -1, count: n * channels)
                planar.withUnsafeBufferPointer { p in
                    dst.withUnsafeMutableBufferPointer { d in
                        StridedCopy.interleave(
                            p.baseAddress!, runStride: runStride, channels: channels, frames: range,
                            into: d.baseAddress!)
                    }
                }
                let all = Self.frames(n, channels: channels)
                for i in 0..<(n * channels) {
                    let inRange = range.contains(i / channels)
                    if dst[i] != (inRange ? all[i] : -1) {
                        Issue.record("n \(n), channels \(channels), range \(range): sample \(i) is \(dst[i])")
                        break
                    }
                }
            }
        }
    }
}

/// Floats placed so the last one ends exactly where an inaccessible page begins.
final class GuardedFloats {
    let pointer: UnsafeMutablePointer<Float>
    private let base: UnsafeMutableRawPointer
    private let mapped: Int

    init(_ values: [Float]) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let bytes = values.count * MemoryLayout<Float>.size
        let dataPages = (bytes + page - 1) / page
        mapped = (dataPages + 1) * page
        base = mmap(nil, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        precondition(base != MAP_FAILED)
        precondition(mprotect(base + dataPages * page, page, PROT_NONE) == 0)
        pointer = (base + dataPages * page - bytes).assumingMemoryBound(to: Float.self)
        pointer.update(from: values, count: values.count)
    }

    deinit { munmap(base, mapped) }
}
