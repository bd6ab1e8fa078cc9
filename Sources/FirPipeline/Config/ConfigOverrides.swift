import FirCore

/// Values given on the command line, which win over the config file's in `ConfigFile.resolve(_:)`.
///
/// Paths here are used as given (relative to the working directory, not to the config file), and
/// values are not range-checked again: the command line checks its own options.
public struct ConfigOverrides: Sendable {
    /// Replaces `input`.
    public var input: String?
    /// Replaces `output`.
    public var output: String?
    /// Replaces the file's `kernel` or `channels` with one kernel file for every channel.
    public var kernel: String?
    /// Replace the file's job options of the same keys (``JobOptionSchema``).
    public var settings = JobSettings()

    /// Overrides for the given paths; options are set with `settings.set(_:_:)`.
    public init(input: String? = nil, output: String? = nil, kernel: String? = nil) {
        self.input = input
        self.output = output
        self.kernel = kernel
    }
}
