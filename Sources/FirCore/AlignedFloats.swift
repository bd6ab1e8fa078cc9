internal import CFFTW

/// A zero-initialised float array allocated by FFTW, so every buffer has the SIMD alignment that
/// FFTW's plans were made for; the new-array execute calls require that.
///
/// Owned by exactly one value; freed in `deinit`. Not thread-safe by itself: each buffer belongs to one
/// convolver state, or is immutable after set-up (kernel spectra).
public struct AlignedFloats: ~Copyable {
    /// Base address; valid for `count` floats while `self` lives.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of floats.
    public let count: Int

    /// Allocates `count` floats (at least one), zeroed.
    public init(count: Int) {
        precondition(count >= 0, "negative buffer size")
        let n = Swift.max(count, 1)
        guard let raw = fftwf_alloc_real(n) else {
            fatalError("out of memory allocating \(n) floats")
        }
        raw.initialize(repeating: 0, count: n)
        self.pointer = raw
        self.count = count
    }

    deinit {
        fftwf_free(pointer)
    }

    /// Sets every element to zero.
    public func zero() {
        pointer.update(repeating: 0, count: count)
    }

    /// The buffer as a read-only buffer pointer.
    public var buffer: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: pointer, count: count)
    }
}

extension AlignedFloats {
    /// Has every buffer of 256 KiB or more mapped on its own and returned to the system when freed.
    /// For long-running processes that replace large buffers (a daemon reloading kernels): without it,
    /// glibc's adaptive threshold keeps freed spectra in a fragmented heap and RSS creeps up. Call once,
    /// early, from any thread.
    public static func returnLargeBuffersToSystem() {
        firpipe_fixed_mmap_threshold(256 * 1024)
    }
}
