import FirCore

/// The structural keys of a config file: what to filter, with what, and the daemon's section. Every
/// other top-level key is a job option of ``JobOptionSchema``.
enum ConfigKey: String, CaseIterable {
    case input, output, kernel, channels, serve
    case filters, mixers, pipeline
}

/// The keys allowed in one entry of `channels`.
enum ChannelKey: String, CaseIterable {
    case kernel, channel
    case gainDB = "gain_db"
}

/// A config file's values, each `nil` when the file does not give it.
///
/// Paths are as written until `ConfigFile` resolves them against the file's directory.
struct ConfigValues: Sendable {
    var input: String?
    var output: String?
    var kernels: KernelSpec?
    /// The job options the file gives (``JobOptionSchema``).
    var settings = JobSettings()
    /// The `serve` section, for `firpipe serve`; other commands ignore it.
    var serve: ServeSettings?

    /// The largest gain, either way, that a config may ask for; beyond it a value is surely a typo
    /// (200 dB is a factor of 10^10 in amplitude, past the range of 32-bit float samples).
    static let gainLimitDB = 200.0

    /// The same values with every relative path made absolute under `directory`.
    func resolvingPaths(against directory: String) -> ConfigValues {
        var resolved = self
        resolved.input = input.map { FilePaths.absolute($0, under: directory) }
        resolved.output = output.map { FilePaths.absolute($0, under: directory) }
        switch kernels {
        case .shared(let path):
            resolved.kernels = .shared(path: FilePaths.absolute(path, under: directory))
        case .perChannel(let assignments):
            resolved.kernels = .perChannel(assignments.map { assignment in
                var assignment = assignment
                assignment.path = FilePaths.absolute(assignment.path, under: directory)
                return assignment
            })
        case .graph(var graph):
            for (name, filter) in graph.filters {
                guard case .convolution(var conv) = filter else { continue }
                conv.path = FilePaths.absolute(conv.path, under: directory)
                graph.filters[name] = .convolution(conv)
            }
            resolved.kernels = .graph(graph)
        case nil:
            break
        }
        resolved.serve = serve.map { $0.resolvingPaths(against: directory) }
        return resolved
    }
}

/// Where each key and value of a config file is, by dotted key path (`"channels.1.kernel"`).
struct KeyPositions: Sendable {
    var keys: [String: SourceLocation] = [:]
    var values: [String: SourceLocation] = [:]
}
