/// One shard of a batch split over several processes or machines: `--shard I/N` (I from 0), or the
/// index and count a job engine gives its tasks (Slurm job arrays, Kubernetes Indexed Jobs).
///
/// The split is deterministic and balanced by audio length, not file count: jobs are taken longest
/// first (ties by input path) and each goes to the shard with the least audio so far (ties to the
/// lower index). Every shard computes the same split from the same job list, so the union of all shards
/// is exactly the whole batch, each job in exactly one shard.
///
/// Value type; any thread.
public struct BatchShard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, (0..<count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// `I/N` with 0 ≤ I < N.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: i, count: n)
    }

    /// The shard the environment names: a Slurm array task (`SLURM_ARRAY_TASK_ID` less
    /// `SLURM_ARRAY_TASK_MIN`, of `SLURM_ARRAY_TASK_COUNT`), or a Kubernetes Indexed Job's
    /// `JOB_COMPLETION_INDEX` of `shards` (the Job's completions, which Kubernetes does not pass).
    ///
    /// - Returns: nil when the environment names none; a failure line when it names one badly.
    public static func fromEnvironment(_ env: [String: String], shards: Int?) -> Result<BatchShard, Failure>? {
        if let id = env["SLURM_ARRAY_TASK_ID"] {
            guard let task = Int(id), let count = env["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init) else {
                return .failure(Failure("SLURM_ARRAY_TASK_ID \(id) without a numeric SLURM_ARRAY_TASK_COUNT; "
                    + "submit the script as an array (sbatch --array=0-3)"))
            }
            let first = env["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
            guard let shard = BatchShard(index: task - first, count: count) else {
                return .failure(Failure("Slurm array task \(task) (first \(first)) of \(count) tasks is not a shard; "
                    + "use a contiguous array such as --array=0-\(count - 1)"))
            }
            return .success(shard)
        }
        if let text = env["JOB_COMPLETION_INDEX"] {
            guard let index = Int(text), let shards else {
                return .failure(Failure("JOB_COMPLETION_INDEX \(text) needs --shards N (the Job's completions)"))
            }
            guard let shard = BatchShard(index: index, count: shards) else {
                return .failure(Failure("JOB_COMPLETION_INDEX \(index) is not below --shards \(shards); "
                    + "make completions equal to --shards"))
            }
            return .success(shard)
        }
        return nil
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Which jobs fall to each shard: for every job index, its shard.
    ///
    /// - Parameters:
    ///   - lengths: each job's audio seconds (0 when its header cannot be read).
    ///   - names: each job's input, to break ties the same way in every shard.
    public static func assign(lengths: [Double], names: [String], shards: Int) -> [Int] {
        precondition(lengths.count == names.count && shards >= 1)
        let order = lengths.indices.sorted { a, b in
            lengths[a] != lengths[b] ? lengths[a] > lengths[b] : names[a] < names[b]
        }
        var load = Array(repeating: 0.0, count: shards)
        var shardOf = Array(repeating: 0, count: lengths.count)
        for job in order {
            var best = 0
            for s in 1..<shards where load[s] < load[best] { best = s }
            shardOf[job] = best
            // Each job weighs at least a little, so files of unknown length spread too.
            load[best] += Swift.max(lengths[job], 1e-3)
        }
        return shardOf
    }
}
