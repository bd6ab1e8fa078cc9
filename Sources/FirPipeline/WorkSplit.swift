/// How a ``MixingBank``'s workers share the blocks.
public enum WorkSplit: Sendable, Equatable {
    /// Worker w transforms channels c ≡ w (mod workers) of every block. No extra work, but no more
    /// workers than channels, and uneven when the channels do not divide among the workers.
    case channels
    /// Worker w filters every channel of the stretches s ≡ w (mod workers) of `blocks` blocks each.
    /// Before each stretch it primes a fresh convolver state with the `partitions` blocks that precede
    /// it (one sets the history, the rest are transformed into the delay line), which leaves exactly
    /// the state a continuous run would have: the output is bit-identical, at the cost of
    /// `partitions − 1` forward transforms per stretch.
    case stretches(blocks: Int)

    /// Channels when they divide evenly among the threads (stretches measured 5% slower for stereo on
    /// two cores: the priming costs more than it balances). Otherwise stretches of 8·(partitions − 1)
    /// blocks (at least 8), so the priming adds at most an eighth of the forward transforms, shortened
    /// so the blocks in flight stay within `budgetBytes` of `blockBytes` each; channels again when that
    /// would leave stretches shorter than twice the priming.
    ///
    /// A single partition primes with one block and no transform, only a copy of its end: stretches of
    /// one block then balance the workers best. Its blocks are long (up to 2 MiB of frames for a
    /// single-partition plan), and 8 of them a stretch would leave a two-minute file a handful of
    /// stretches, shared unevenly.
    public static func choose(
        channels: Int, threads: Int, partitions: Int, blockBytes: Int, budgetBytes: Int = 32 << 20
    ) -> WorkSplit {
        guard threads > 1, channels % threads != 0 else { return .channels }
        let wanted = partitions == 1 ? 1 : Swift.max(8, 8 * (partitions - 1))
        let affordable = (budgetBytes / Swift.max(blockBytes, 1) - partitions - 2) / threads
        let blocks = Swift.min(wanted, affordable)
        guard blocks >= (partitions == 1 ? 1 : 2 * (partitions - 1)) else { return .channels }
        return .stretches(blocks: blocks)
    }
}
