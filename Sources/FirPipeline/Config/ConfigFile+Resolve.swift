import FirAudio
import FirCore

extension ConfigFile {
    /// Merges the command line over the file into the job to run.
    ///
    /// Command-line values win; a command-line kernel replaces the file's `kernel` or `channels`
    /// entirely. The input and kernel files that come from the config file must exist (they are checked
    /// here, so the error can point at the value in the file); paths from the command line are not
    /// checked, and are left for the caller to report. The output's directory is the writer's to check.
    ///
    /// - Throws: `ConfigError` with code `.missingValue` at line 1 column 1 when input, output or a kernel
    ///   is given neither in the file nor in `overrides`; `.missingFile` at the value's position when a
    ///   file named in the config does not exist; `.invalidValue` when it is a directory.
    public func resolve(_ overrides: ConfigOverrides = ConfigOverrides()) throws(ConfigError) -> JobSpec {
        let input: String
        if let given = overrides.input {
            input = given
        } else if let fromFile = values.input {
            input = try existing(fromFile, role: "input file", keyPath: "input")
        } else {
            throw missing("no input given: add 'input: take.wav' to the config file or pass it on the command line")
        }

        guard let output = overrides.output ?? values.output else {
            throw missing(
                "no output given: add 'output: take-filtered.wav' to the config file or pass it on the command line")
        }
        if overrides.output == nil { try checkLength(output, role: "output file", keyPath: "output") }

        let kernels: KernelSpec
        if let given = overrides.kernel {
            kernels = .shared(path: given)
        } else if let fromFile = values.kernels {
            kernels = try existing(fromFile)
        } else {
            throw missing(
                "no kernel given: add 'kernel: room.wav' or a 'channels' list to the config file, "
                    + "or pass a kernel on the command line")
        }

        let spec = JobSpec(input: input, output: output, kernels: kernels)
        return values.settings.overridden(by: overrides.settings).applied(to: spec)
    }

    /// `kernels` unchanged, after checking that each of its files exists.
    private func existing(_ kernels: KernelSpec) throws(ConfigError) -> KernelSpec {
        switch kernels {
        case .shared(let kernelPath):
            _ = try existing(kernelPath, role: "kernel file", keyPath: "kernel")
        case .perChannel(let assignments):
            for (index, assignment) in assignments.enumerated() {
                _ = try existing(assignment.path, role: "kernel file", keyPath: "channels.\(index).kernel")
            }
        case .graph(let graph):
            for (name, filter) in graph.filters {
                guard case .convolution(let conv) = filter else { continue }
                _ = try existing(conv.path, role: "kernel file", keyPath: "filters.\(name).kernel")
            }
        }
        return kernels
    }

    /// An error at the value of `keyPath` when `path` is longer than the system takes (a name over 255
    /// bytes, a path over 4095), found here before anything is opened or filtered.
    private func checkLength(_ path: String, role: String, keyPath: String) throws(ConfigError) {
        guard let problem = PlatformPath.lengthProblem(path) else { return }
        throw ConfigError(
            .invalidValue, at: valueLocation(of: keyPath), "\(role) \(PlatformPath.abbreviated(path)) \(problem)")
    }

    /// `file` unchanged if it is an existing file; else an error at the value of `keyPath`.
    private func existing(_ file: String, role: String, keyPath: String) throws(ConfigError) -> String {
        try checkLength(file, role: role, keyPath: keyPath)
        switch FilePaths.fileProblem(at: file) {
        case .missing:
            throw ConfigError(.missingFile, at: valueLocation(of: keyPath), "\(role) \(file) does not exist")
        case .directory:
            throw ConfigError(.invalidValue, at: valueLocation(of: keyPath), "\(role) \(file) is a directory")
        case nil:
            return file
        }
    }

    /// A required value given neither in the file nor on the command line: nothing in the file to point
    /// at, so the error is at its start.
    private func missing(_ message: String) -> ConfigError {
        ConfigError(.missingValue, at: .start(of: path), message)
    }
}
