import FirAudio
internal import Glibc

extension FileFilterJob {
    /// Refuses an output that is the job's input or one of its kernels: the same file by device and
    /// inode, so a second name for it (a hard link, a symlink, `./a.wav` for `a.wav`) is caught too.
    /// Committing would replace that file with the filtered one and lose it. Runs before anything is
    /// opened or computed. An output that does not exist yet cannot be an input. Caller's thread.
    ///
    /// - Throws: `.usage` naming both paths.
    func refuseOutputThatIsAnInput() throws(JobError) {
        var output = stat()
        guard stat(spec.output, &output) == 0 else { return }
        let inputs = [("input", spec.input)] + spec.kernels.files.map { ("kernel", $0) }
        for (role, path) in inputs {
            var other = stat()
            guard stat(path, &other) == 0, other.st_dev == output.st_dev, other.st_ino == output.st_ino else { continue }
            let sameName = path == spec.output ? "" : " (the same file under another name)"
            throw JobError(
                .usage,
                "\(spec.output): the output would replace the \(role) \(path)\(sameName); "
                    + "choose another output path")
        }
    }
}

extension KernelSpec {
    /// Every kernel file the job reads, in the order given.
    var files: [String] {
        switch self {
        case .shared(let path): return [path]
        case .perChannel(let assignments): return assignments.map(\.path)
        case .graph(let graph):
            return graph.filters.keys.sorted().compactMap { name in
                if case .convolution(let filter) = graph.filters[name] { return filter.path }
                return nil
            }
        }
    }
}
