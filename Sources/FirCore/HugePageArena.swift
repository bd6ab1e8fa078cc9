import Synchronization
#if canImport(Glibc)
internal import Glibc
#endif

/// Where buffers from ``AlignedFloats/populatedBytes`` up to the huge-page size come from: carved one
/// after another out of 2 MiB-aligned mappings with transparent huge pages requested, and made resident
/// as they are carved. A short job's buffers (a 1 s stereo file's frames, spectra and blocks: 3.9 MiB
/// in 13 buffers of 240–960 KiB) then cost two or three 2 MiB pages, each zeroed in one go, instead of
/// a thousand 4 KiB ones: 4 MiB took 1.3 ms in small pages and 0.1 ms in huge ones here.
///
/// Nothing carved is handed out twice: a chunk is unmapped when the arena has moved on from it and the
/// last buffer carved from it is freed. A buffer that does not fit the rest of the current chunk starts
/// a new one, so at most one chunk's tail is left unused each time; with every buffer of a set-up freed
/// together, as a job's or a reloaded kernel's are, the memory held stays within a chunk of what is live.
/// Without huge pages (disabled, or none free) the chunks work with small pages, made resident the same.
final class HugePageArena: Sendable {
    /// The process's arena.
    static let shared = HugePageArena()

    /// One mapping, unmapped when the arena and every buffer carved from it have let go.
    final class Chunk: @unchecked Sendable {
        /// Start of the mapping, on a 2 MiB boundary; immutable.
        let base: UnsafeMutableRawPointer
        /// Bytes mapped.
        let bytes: Int

        init(base: UnsafeMutableRawPointer, bytes: Int) {
            self.base = base
            self.bytes = bytes
        }

        deinit { munmap(base, bytes) }
    }

    /// The chunk being carved and how many of its bytes are handed out.
    private let current = Mutex<(chunk: Chunk?, used: Int)>((nil, 0))

    /// `bytes` rounded up to whole pages, page-aligned, zeroed, every page resident; and the chunk the
    /// caller keeps for as long as it uses them. nil when the system refuses the mapping or its pages
    /// (a memory limit). Any thread; set-up only.
    func allocate(bytes: Int) -> (pointer: UnsafeMutableRawPointer, chunk: Chunk)? {
        let size = AlignedFloats.pageRounded(bytes)
        guard size <= AlignedFloats.hugePageBytes else { return nil }
        let carved: (UnsafeMutableRawPointer, Chunk)? = current.withLock { state in
            if state.chunk == nil || state.used + size > state.chunk!.bytes {
                guard let fresh = Self.mapChunk() else { return nil }
                state = (fresh, 0)
            }
            let chunk = state.chunk!
            defer { state.used += size }
            return (chunk.base + state.used, chunk)
        }
        guard let (pointer, chunk) = carved else { return nil }
        // Outside the lock: threads setting up side by side fault their own pages in parallel.
        guard Self.makeResident(pointer, bytes: size) else { return nil }
        return (pointer, chunk)
    }

    /// A 2 MiB mapping at a 2 MiB boundary with huge pages requested (the one a large buffer gets);
    /// nil when refused.
    private static func mapChunk() -> Chunk? {
        guard let mapped = AlignedFloats.mapHugePages(bytes: AlignedFloats.hugePageBytes) else { return nil }
        return Chunk(base: UnsafeMutableRawPointer(mapped.pointer), bytes: mapped.bytes)
    }

    /// Faults in every page of the range for writing, so the audio path never takes a first-touch
    /// fault: one call (`MADV_POPULATE_WRITE`, Linux 5.14), or a write to each page on older kernels.
    /// False when the pages are refused (a memory limit).
    private static func makeResident(_ pointer: UnsafeMutableRawPointer, bytes: Int) -> Bool {
        if madvise(pointer, bytes, MADV_POPULATE_WRITE) == 0 { return true }
        guard errno == EINVAL else { return false }
        // Zero already (fresh anonymous memory): writing a zero only makes the page.
        for offset in stride(from: 0, to: bytes, by: AlignedFloats.pageBytes) {
            pointer.storeBytes(of: 0, toByteOffset: offset, as: UInt8.self)
        }
        return true
    }
}
