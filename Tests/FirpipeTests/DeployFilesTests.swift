@testable import FirPipeline
import FirTestSupport
import Foundation
import Testing

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
        let documents = try YAMLDocument.composeAll(text, file: "firpipe-indexed-job.yaml")
        let job = try #require(documents.first { $0["kind"]?.text == "Job" })
        let claim = try #require(documents.first { $0["kind"]?.text == "PersistentVolumeClaim" })
        #expect(job["apiVersion"]?.text == "batch/v1")
        let spec = try #require(job["spec"])
        #expect(spec["completionMode"]?.text == "Indexed")
        let completions = try #require(spec["completions"]?.integer)
        #expect(spec["parallelism"]?.integer == completions)
        let pod = try #require(spec["template"]?["spec"])
        #expect(["Never", "OnFailure"].contains(pod["restartPolicy"]?.text))
        let container = try #require(pod["containers"]?.items.first)
        let args = try #require(container["args"]).items.map { try #require($0.text) }
        #expect(args.first == "batch")
        let shards = try #require(args.firstIndex(of: "--shards"))
        #expect(args[shards + 1] == String(completions), "--shards must equal completions")
        let mount = try #require(container["volumeMounts"]?.items.first)
        let volumes = try #require(pod["volumes"]?.items)
        let volume = try #require(volumes.first { $0["name"]?.text == mount["name"]?.text })
        #expect(volume["persistentVolumeClaim"]?["claimName"]?.text == claim["metadata"]?["name"]?.text)
        let modes = claim["spec"]?["accessModes"]?.items.map(\.text)
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

/// The manifest's values as Kubernetes reads them: a string must be one in YAML (`"4"`, not `4`), an
/// integer an int.
extension YAMLNode {
    /// A mapping's value for `key`; nil when absent or when this is not a mapping.
    fileprivate subscript(key: String) -> YAMLNode? {
        guard case .mapping(let mapping) = self else { return nil }
        return mapping[key]
    }

    fileprivate var text: String? {
        scalar.flatMap { $0.resolvedTag == YAMLTag.str ? $0.string : nil }
    }

    fileprivate var integer: Int? {
        scalar.flatMap { $0.resolvedTag == YAMLTag.int ? Int($0.string) : nil }
    }

    /// A list's items; empty when this is not a list.
    fileprivate var items: [YAMLNode] {
        guard case .sequence(let sequence) = self else { return [] }
        return Array(sequence)
    }
}
