import FirCore

extension FilterBank {
    /// Blocks the job must keep in flight so every worker can be inside its own stretch at once (the
    /// reader hands blocks out in order): 0 for `.channels`.
    public var blocksInFlight: Int {
        guard case .stretches(let blocks) = split else { return 0 }
        return workers * blocks + partitions + 2
    }

    /// The `.stretches` share of `block` for `worker`: filter it if it lies in one of the worker's
    /// stretches, prime the worker's convolvers with it if it lies in the `partitions` blocks before
    /// the worker's next stretch, and otherwise leave it alone.
    func processStretch(_ block: AudioBlock, worker: Int, stretchBlocks: Int) {
        let k = block.position / blockSize, stretch = k / stretchBlocks
        let set = convolverSets[worker], n = set.count
        if stretch % workers == worker {
            for c in 0..<n { filter(block, channel: c, with: set[c]) }
            return
        }
        let next = stretch + (worker - stretch % workers + workers) % workers
        let start = next * stretchBlocks, first = Swift.max(0, start - partitions)
        guard k >= first && k < start else { return }
        // The first block of the warm-up only sets the history, unless the input starts inside it.
        let transform = k > start - partitions
        for c in 0..<n {
            if k == first { set[c].reset() }
            // With stretches the interleaved frames keep the input until the writer joins the block
            // (workers write the planar runs), so prime from them.
            set[c].prime(gathering: block.interleaved + c, stride: n, count: block.frames, transform: transform)
        }
    }
}
