import FirAudio

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
        guard let spec else { return "" }
        return String(describing: spec)
    }
}
