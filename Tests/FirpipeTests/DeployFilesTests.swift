import FirTestSupport
import Foundation
import Testing
import Yams

/// The deployment files of `deploy/`: the Kubernetes Indexed Job has what such a Job needs and agrees
/// with firpipe's `--shards`; the Slurm array script is valid shell and runs `firpipe batch`. (The Slurm
/// script runs on a real cluster in `Tests/Slurm/array-test.sh`; no Kubernetes cluster can run here.)
@Suite struct DeployFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("the Kubernetes manifest is an Indexed Job with completions = parallelism = --shards, on a claim")
    func kubernetesIndexedJob() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("deploy/kubernetes/firpipe-indexed-job.yaml"),
                              encoding: .utf8)
        let documents = try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
        let job = try #require(documents.first { $0["kind"] as? String == "Job" })
        let claim = try #require(documents.first { $0["kind"] as? String == "PersistentVolumeClaim" })
        #expect(job["apiVersion"] as? String == "batch/v1")
        let spec = try #require(job["spec"] as? [String: Any])
        #expect(spec["completionMode"] as? String == "Indexed")
        let completions = try #require(spec["completions"] as? Int)
        #expect(spec["parallelism"] as? Int == completions)
        let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        #expect(["Never", "OnFailure"].contains(pod["restartPolicy"] as? String))
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let args = try #require(container["args"] as? [String])
        #expect(args.first == "batch")
        let shards = try #require(args.firstIndex(of: "--shards"))
        #expect(args[shards + 1] == String(completions), "--shards must equal completions")
        let mounts = try #require(container["volumeMounts"] as? [[String: Any]])
        let volumes = try #require(pod["volumes"] as? [[String: Any]])
        let volume = try #require(volumes.first { $0["name"] as? String == mounts.first?["name"] as? String })
        let claimName = (volume["persistentVolumeClaim"] as? [String: Any])?["claimName"] as? String
        #expect(claimName == (claim["metadata"] as? [String: Any])?["name"] as? String)
        let modes = (claim["spec"] as? [String: Any])?["accessModes"] as? [String]
        #expect(modes == ["ReadWriteMany"], "every pod mounts the data")
    }

    @Test("the Slurm array script is valid bash and runs firpipe batch")
    func slurmScript() throws {
        let path = Self.root.appendingPathComponent("deploy/slurm/firpipe-array.sbatch").path
        let check = try FirpipeBinary.run(["-n", path], executable: "/bin/bash")
        #expect(check.status == 0, "\(check.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("#SBATCH") && text.contains(" batch \"$IN_DIR\" \"$OUT_DIR\""))
        let usage = try FirpipeBinary.run([path], executable: "/bin/bash")
        #expect(usage.status == 64 && usage.stderr.contains("usage"))
    }
}
