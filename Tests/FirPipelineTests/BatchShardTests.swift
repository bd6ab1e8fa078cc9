import FirPipeline
import FirTestSupport
import Testing

/// The shard split: every job in exactly one shard, the same split whatever the order the jobs are
/// listed in, balanced by audio length rather than count; and the shard the job engines' variables name.
@Suite struct BatchShardTests {
    @Test("every job in exactly one shard, balanced by length within the longest job")
    func splitIsAPartition() {
        var rng = SeededGenerator(seed: 5)
        for shards in [1, 2, 3, 4, 7] {
            let lengths = (0..<60).map { _ in Double(Int.random(in: 1...600, using: &rng)) }
            let names = lengths.indices.map { "f\($0).wav" }
            let shardOf = BatchShard.assign(lengths: lengths, names: names, shards: shards)
            #expect(shardOf.allSatisfy { (0..<shards).contains($0) })
            var load = Array(repeating: 0.0, count: shards)
            for (job, shard) in shardOf.enumerated() { load[shard] += lengths[job] }
            #expect(load.max()! - load.min()! <= lengths.max()!, "\(shards) shards: \(load)")
            // Listed in another order, each job still lands in the same shard.
            let reversed = BatchShard.assign(lengths: lengths.reversed(), names: names.reversed(), shards: shards)
            #expect(Array(reversed.reversed()) == shardOf)
        }
    }

    @Test("by length, not count: one long file alone in a shard, the short ones in the other")
    func lengthNotCount() {
        let shardOf = BatchShard.assign(lengths: [1200, 2, 2, 2, 2], names: ["a", "b", "c", "d", "e"], shards: 2)
        #expect(shardOf == [0, 1, 1, 1, 1])
    }

    @Test("Slurm array and Kubernetes Indexed Job variables, and their mistakes")
    func environment() throws {
        let slurm = BatchShard.fromEnvironment(
            ["SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "4"], shards: nil)
        #expect(try slurm?.get() == BatchShard(index: 2, count: 4))
        let k8s = BatchShard.fromEnvironment(["JOB_COMPLETION_INDEX": "3"], shards: 5)
        #expect(try k8s?.get() == BatchShard(index: 3, count: 5))
        #expect(BatchShard.fromEnvironment([:], shards: 5) == nil)
        for bad in [["JOB_COMPLETION_INDEX": "3"], ["JOB_COMPLETION_INDEX": "9"], ["SLURM_ARRAY_TASK_ID": "9",
                     "SLURM_ARRAY_TASK_COUNT": "4"], ["SLURM_ARRAY_TASK_ID": "1"]] {
            let result = BatchShard.fromEnvironment(bad, shards: bad["JOB_COMPLETION_INDEX"] == "9" ? 4 : nil)
            #expect(throws: BatchShard.Failure.self, "\(bad)") { try result?.get() }
        }
        #expect(BatchShard(parsing: "1/4") == BatchShard(index: 1, count: 4))
        #expect(BatchShard(parsing: "4/4") == nil && BatchShard(parsing: "x") == nil)
    }
}
