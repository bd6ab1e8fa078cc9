import FirAudio
import Foundation
import Testing

/// Raw PCM to planar floats and back: exact byte layouts, libsndfile's scaling, clipping.
@Suite struct RawPCMCodecTests {
    @Test func s16LayoutAndScaling() {
        let codec = RawPCMCodec(format: .s16le, channels: 2)
        // Frame 0: L = 0x4000 (0.5), R = 0x8000 (-1); frame 1: L = -1 (0xFFFF), R = 0x7FFF.
        let bytes: [UInt8] = [0x00, 0x40, 0x00, 0x80, 0xFF, 0xFF, 0xFF, 0x7F]
        var planar = [Float](repeating: 9, count: 6)
        bytes.withUnsafeBytes { raw in
            planar.withUnsafeMutableBufferPointer { codec.decode(raw.baseAddress!, frames: 2, into: $0.baseAddress!, stride: 3) }
        }
        let expected: [Float] = [0.5, -1.0 / 32768, 9, -1, 32767.0 / 32768, 9]
        #expect(planar == expected)
        var back = [UInt8](repeating: 0, count: 8)
        let clipped = planar.withUnsafeBufferPointer { p in
            back.withUnsafeMutableBytes { codec.encode(p.baseAddress!, stride: 3, frames: 2, into: $0.baseAddress!) }
        }
        #expect(back == bytes)
        #expect(clipped == 0)
    }

    @Test func s24SignExtensionAndRoundTrip() {
        let codec = RawPCMCodec(format: .s24le, channels: 1)
        let bytes: [UInt8] = [0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F, 0x01, 0x00, 0x00]
        var planar = [Float](repeating: 0, count: 4)
        bytes.withUnsafeBytes { raw in
            planar.withUnsafeMutableBufferPointer { codec.decode(raw.baseAddress!, frames: 4, into: $0.baseAddress!, stride: 4) }
        }
        let expected: [Float] = [-1.0 / 8_388_608, -1, 8_388_607.0 / 8_388_608, 1.0 / 8_388_608]
        #expect(planar == expected)
        var back = [UInt8](repeating: 0, count: 12)
        planar.withUnsafeBufferPointer { p in
            back.withUnsafeMutableBytes { _ = codec.encode(p.baseAddress!, stride: 4, frames: 4, into: $0.baseAddress!) }
        }
        #expect(back == bytes)
    }

    @Test(arguments: RawSampleFormat.allCases) func clipsAndCounts(_ format: RawSampleFormat) {
        let codec = RawPCMCodec(format: format, channels: 1)
        let values: [Float] = [1.5, -2, 1, -1, 0.25, .nan, .infinity, -.infinity]
        let n = values.count
        var bytes = [UInt8](repeating: 0, count: n * format.bytesPerSample)
        let clipped = values.withUnsafeBufferPointer { p in
            bytes.withUnsafeMutableBytes { codec.encode(p.baseAddress!, stride: n, frames: n, into: $0.baseAddress!) }
        }
        var decoded = [Float](repeating: 0, count: n)
        bytes.withUnsafeBytes { raw in
            decoded.withUnsafeMutableBufferPointer { codec.decode(raw.baseAddress!, frames: n, into: $0.baseAddress!, stride: n) }
        }
        if format == .f32le {
            #expect(clipped == 0)
            #expect(decoded.map(\.bitPattern) == values.map(\.bitPattern), "floats, NaN too, reach the reader's screen as sent")
        } else {
            // 1.5, 1 and +∞ clip to the largest code (1 − 1 LSB); −2 and −∞ clip to −1; −1 itself is exact;
            // NaN becomes 0, never full scale, and is counted with the clips.
            #expect(clipped == 6)
            let top = 1 - 1 / Float(1 << (format.bytesPerSample * 8 - 1))
            #expect(decoded == [top, -1, top, -1, 0.25, 0, top, -1])
        }
    }

    @Test(arguments: RawSampleFormat.allCases) func randomRoundTripIsExact(_ format: RawSampleFormat) {
        let codec = RawPCMCodec(format: format, channels: 3)
        var bytes = [UInt8](repeating: 0, count: 100 * codec.bytesPerFrame)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in bytes.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        if format == .f32le {
            // Keep floats finite: clear each sample's top exponent bit.
            for i in Swift.stride(from: 3, to: bytes.count, by: 4) { bytes[i] &= 0x3F }
        } else if format == .s32le {
            // A Float holds 24 significant bits: clear the low byte so every code is representable.
            for i in Swift.stride(from: 0, to: bytes.count, by: 4) { bytes[i] = 0 }
        }
        var planar = [Float](repeating: 0, count: 300)
        bytes.withUnsafeBytes { raw in
            planar.withUnsafeMutableBufferPointer { codec.decode(raw.baseAddress!, frames: 100, into: $0.baseAddress!, stride: 100) }
        }
        var back = [UInt8](repeating: 0, count: bytes.count)
        let clipped = planar.withUnsafeBufferPointer { p in
            back.withUnsafeMutableBytes { codec.encode(p.baseAddress!, stride: 100, frames: 100, into: $0.baseAddress!) }
        }
        #expect(back == bytes)
        #expect(clipped == 0)
    }
}
