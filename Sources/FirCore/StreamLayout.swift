/// How ``StreamConvolver`` cuts a kernel into levels of growing partition size (non-uniform partitioned
/// convolution).
///
/// Level 0 uses partitions of the block size B and runs on the audio thread. Level k ≥ 1 uses partitions
/// of `P = B·ratio^k` and starts at kernel offset `2P − B`: its worker gets input block j (samples
/// `[jP, (j+1)P)`) once the audio thread has received sample `(j+1)P − 1`, and the first output sample
/// that needs the result, `jP + 2P − B`, lies in the audio block that ends at `(j+2)P`, so the worker
/// has one whole period P of slack. Each level holds just enough partitions to reach the next level's
/// offset, so the levels tile the kernel without gaps or overlap; the last level holds as many as the
/// kernel needs.
///
/// A pure value, computed on any thread.
struct StreamLayout: Equatable {
    /// One level: `partitionCount` partitions of `partitionSize` taps starting at kernel tap `offset`.
    struct Level: Equatable {
        let partitionSize: Int
        let offset: Int
        let partitionCount: Int

        /// One past the last kernel tap this level's partitions reach (may pass the kernel's end).
        var end: Int { offset + partitionSize * partitionCount }
    }

    /// Growth of the partition size from one level to the next. With 8, level 0 holds 15 partitions
    /// and every level between it and the last 14. A background level's cost is mostly reading its
    /// spectra and delay line from memory, once a job (16 bytes a tap a channel, whatever the partition
    /// size), so fewer, longer levels cost less than more, shorter ones, and each level drops a worker's
    /// wake-ups: in a JACK run at 2 × 262,144 taps and B = 256, the level workers took 0.58–0.60% of a
    /// core with 8 (two levels) against 0.75% with 4 (three), and the audio thread's 8 more cached
    /// multiply-adds a block did not show. With 2 a level would hold 2 partitions, doubling the
    /// worker threads and transforms again.
    static let ratio = 8
    /// A level becomes the last once the rest of the kernel fits in this many of its partitions: one
    /// more level would spend two larger transforms per period to save multiply-adds, which pays only
    /// when it saves many. It also lets kernels up to this many blocks run inline with no worker.
    static let maxLastPartitions = 16

    /// Level 0 first; levels after it are run by worker threads.
    let levels: [Level]

    /// The layout for a kernel of `taps` taps (at least 1) streamed in blocks of `blockSize`.
    init(taps: Int, blockSize b: Int) {
        precondition(taps >= 1 && b >= 1, "a kernel needs a tap and a positive block size")
        var levels: [Level] = []
        var offset = 0, size = b
        while true {
            let remaining = taps - offset
            let nextOffset = 2 * size * Self.ratio - b
            if remaining <= Self.maxLastPartitions * size {
                levels.append(Level(partitionSize: size, offset: offset, partitionCount: (remaining + size - 1) / size))
                break
            }
            levels.append(Level(partitionSize: size, offset: offset, partitionCount: (nextOffset - offset) / size))
            offset = nextOffset
            size *= Self.ratio
        }
        self.levels = levels
    }
}
