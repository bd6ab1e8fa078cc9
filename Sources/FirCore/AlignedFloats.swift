internal import CSystem
internal import CFFTW
#if canImport(Glibc)
internal import Glibc
#endif

/// A zero-initialised float array with the SIMD alignment FFTW's plans were made for (the new-array
/// execute calls require it): from FFTW's allocator below ``populatedBytes``, carved page-aligned and
/// resident from the ``HugePageArena`` from there.
///
/// Buffers of ``hugePageBytes`` or more (kernel spectra, delay lines and blocks of long kernels) are
/// mapped on their own instead, 2 MiB-aligned and with transparent huge pages requested: their pages
/// then come zeroed from the kernel as they are first touched, on whichever thread touches them, at
/// one fault per 2 MiB instead of 512, and a 1M-tap kernel's spectra, which stream through the cache
/// every block, cost 8 TLB entries instead of 4,096.
///
/// Owned by exactly one value; freed in `deinit`. Not thread-safe by itself: each buffer belongs to one
/// convolver state, or is immutable after set-up (kernel spectra).
public struct AlignedFloats: ~Copyable {
    /// Base address; valid for `count` floats while `self` lives.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of floats.
    public let count: Int
    /// Where the memory came from, and so how it is given back.
    private let storage: Storage

    private enum Storage {
        /// FFTW's allocator: `fftwf_free`.
        case fftw
        /// A mapping of its own, of this many bytes: `munmap`.
        case mapped(bytes: Int)
        /// Carved from a ``HugePageArena`` chunk, which is unmapped when its last buffer lets go.
        case arena(HugePageArena.Chunk)
    }

    /// Size from which a buffer gets a mapping of its own.
    public static let hugePageBytes = 2 << 20

    /// Allocates `count` floats (at least one), zeroed. Set-up only, never per block, so the check
    /// costs the audio path nothing.
    ///
    /// - Throws: ``ResourceError`` `.memory` when the system refuses the memory (a memory limit, a
    ///   kernel too long for the machine): an error the user can act on, not a crash.
    public init(count: Int) throws(ResourceError) {
        try self.init(count: count, scratch: false)
    }

    /// Allocates `count` floats (at least one) whose contents are unspecified: FFTW's planning arrays,
    /// which a measuring planner writes before it reads, and which a plan from wisdom or an estimate
    /// never touches. From ``populatedBytes`` the mapping is made without its pages, so such a plan
    /// costs no page at all (a 65,536-point pair's two arrays were 512 KiB zeroed before each plan and
    /// each check for wisdom).
    ///
    /// - Throws: ``ResourceError`` `.memory` when the system refuses the memory.
    public init(scratchCount count: Int) throws(ResourceError) {
        try self.init(count: count, scratch: true)
    }

    /// Both of the above: `scratch` buffers are neither zeroed nor made resident, and take no huge page.
    private init(count: Int, scratch: Bool) throws(ResourceError) {
        precondition(count >= 0, "negative buffer size")
        let n = Swift.max(count, 1)
        self.count = count
        let (bytes, overflow) = n.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        if overflow { throw ResourceError(.memory(bytes: .max)) }
        if scratch, bytes >= Self.populatedBytes, let mapped = Self.mapUntouched(bytes: bytes) {
            pointer = mapped.pointer
            storage = .mapped(bytes: mapped.bytes)
            return
        }
        if !scratch, bytes >= Self.hugePageBytes, let mapped = Self.mapHugePages(bytes: bytes) {
            pointer = mapped.pointer
            storage = .mapped(bytes: mapped.bytes)
            return
        }
        if !scratch, bytes >= Self.populatedBytes, let carved = HugePageArena.shared.allocate(bytes: bytes) {
            pointer = carved.pointer.assumingMemoryBound(to: Float.self)
            storage = .arena(carved.chunk)
            return
        }
        guard let raw = fftwf_alloc_real(n) else {
            throw ResourceError(.memory(bytes: bytes))
        }
        if !scratch { raw.initialize(repeating: 0, count: n) }
        pointer = raw
        storage = .fftw
    }

    deinit {
        switch storage {
        case .fftw: fftwf_free(pointer)
        case .mapped(let bytes): munmap(UnsafeMutableRawPointer(pointer), bytes)
        case .arena: break  // the chunk goes when its last buffer does
        }
    }

    /// Maps `bytes` rounded up to whole 2 MiB pages at a 2 MiB boundary and asks for huge pages (a hint:
    /// without them the mapping works with small pages). nil when the system refuses the mapping. Also
    /// the ``HugePageArena``'s chunks.
    static func mapHugePages(bytes: Int) -> (pointer: UnsafeMutablePointer<Float>, bytes: Int)? {
        let huge = hugePageBytes
        let size = (bytes + huge - 1) / huge * huge
        // Over-map by one huge page, then trim both ends so the mapping starts on a 2 MiB boundary.
        guard let raw = mmap(nil, size + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED
        else { return nil }
        let address = UInt(bitPattern: raw)
        let aligned = (address + UInt(huge) - 1) / UInt(huge) * UInt(huge)
        let head = Int(aligned - address)
        if head > 0 { munmap(raw, head) }
        let tail = huge - head
        if tail > 0 { munmap(raw + head + size, tail) }
        let start = raw + head
        _ = madvise(start, size, MADV_HUGEPAGE)
        return (start.assumingMemoryBound(to: Float.self), size)
    }

    /// Size from which a buffer smaller than ``hugePageBytes`` is carved from the ``HugePageArena``
    /// with its pages made at once (planning scratch: mapped on its own, untouched).
    public static let populatedBytes = 64 << 10

    /// The system's page size.
    static let pageBytes = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// `bytes` rounded up to whole pages.
    static func pageRounded(_ bytes: Int) -> Int {
        (bytes + pageBytes - 1) / pageBytes * pageBytes
    }

    /// Maps `bytes` rounded up to whole pages, none of them made until touched.
    private static func mapUntouched(bytes: Int) -> (pointer: UnsafeMutablePointer<Float>, bytes: Int)? {
        let size = pageRounded(bytes)
        guard let raw = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED
        else { return nil }
        return (raw.assumingMemoryBound(to: Float.self), size)
    }

    /// Whether `bytes` more could be mapped now: mapped and unmapped again at once, never touched. For
    /// libraries that abort when their own allocation fails (FFTW): asked before calling them, so a
    /// memory limit is an error, not an abort. Any thread; a moment's answer, as any such check.
    public static func hasRoom(bytes: Int) -> Bool {
        guard let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED
        else { return false }
        munmap(raw, bytes)
        return true
    }

    /// Sets every element to zero.
    public func zero() {
        pointer.update(repeating: 0, count: count)
    }

    /// Whether `pointer` has the SIMD alignment FFTW's plans assume (that of its own allocator), so the
    /// new-array execute calls may be given it.
    public static func hasFFTWAlignment(_ pointer: UnsafeMutablePointer<Float>) -> Bool {
        fftwf_alignment_of(pointer) == 0
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
