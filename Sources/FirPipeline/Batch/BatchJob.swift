import FirAudio
import Synchronization

/// One file of a batch: its spec, or the error that stopped its spec from being made (a manifest row
/// whose config file is wrong), which the batch reports in its place while the other jobs run.
public struct BatchJob: Sendable {
    /// The input as the directory scan or the manifest gave it.
    public var input: String
    /// The output as the mirror or the manifest gave it.
    public var output: String
    /// The job to run, when it could be made.
    public var spec: JobSpec?
    /// Why it could not be made.
    public var setupError: JobError?
    /// Whether kernel problems are config errors (the job came from a config file).
    public var fromConfig: Bool
    /// Where the job came from, for messages: `manifest.csv:12`, or nil for a directory scan.
    public var origin: String?

    public init(spec: JobSpec, fromConfig: Bool, origin: String? = nil) {
        input = spec.input
        output = spec.output
        self.spec = spec
        self.fromConfig = fromConfig
        self.origin = origin
    }

    public init(input: String, output: String, failed error: JobError, origin: String?) {
        self.input = input
        self.output = output
        setupError = error
        fromConfig = false
        self.origin = origin
    }

    /// A stable text naming everything the output depends on besides the input's and kernels' bytes:
    /// the spec as merged. The journal keeps a digest of it with the input's and kernels' sizes and
    /// modification times, so a change to any of them redoes the job.
    var settingsText: String {
        guard var spec else { return "" }
        let files = " input: \(spec.input), output: \(spec.output)"
        spec.input = ""
        spec.output = ""
        return SpecDescriptions.shared.text(of: spec) + files
    }
}

/// ``CanonicalDescription`` of recent specs without their files. It walks the spec by reflection, which
/// was 3.6% of a batch of 2 s clips done twice a job (the job list, then the run); the jobs of a batch
/// differ mostly in their files, so the rest is described once. Any thread.
final class SpecDescriptions: Sendable {
    static let shared = SpecDescriptions()
    /// Enough for a manifest that mixes a few kernels or configs; one past it is described again.
    private static let capacity = 8
    private let recent = Mutex<[(spec: JobSpec, text: String)]>([])

    func text(of spec: JobSpec) -> String {
        if let text = recent.withLock({ $0.first { $0.spec == spec }?.text }) { return text }
        let text = CanonicalDescription.of(spec)
        recent.withLock { list in
            if list.count == Self.capacity { list.removeFirst() }
            list.append((spec, text))
        }
        return text
    }
}
