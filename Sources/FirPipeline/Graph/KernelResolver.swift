import FirAudio
import FirCore

/// Turns a job's filter choice into a ``FilterMatrix`` for the input's channel count and rate: the
/// kernel forms (`kernel`, `channels`, `--kernel`) directly, a graph through ``GraphCompiler``. Each
/// kernel file is loaded once (``KernelCache``).
enum KernelResolver {
    /// - Parameters:
    ///   - spec: the filter choice.
    ///   - inputPath: the input, for messages.
    ///   - channels: the input's channel count.
    ///   - sampleRate: the input's rate; kernels with another rate are refused unless resampled.
    ///   - gainDB: gain for every channel, on top of per-channel gains (every output, for a graph).
    ///   - mode: `.correlate` applies to one kernel per channel; a graph is refused with it.
    ///   - resampleKernels: resample kernels of another rate (`--resample-kernels`) instead of refusing them.
    ///   - fromConfig: errors carry config keys (and become config errors) when true.
    ///   - shared: a batch's kernels, loaded once for all its jobs.
    static func resolve(
        _ spec: KernelSpec, inputPath: String, channels: Int, sampleRate: Int, gainDB: Double,
        mode: ConvolutionMode = .convolve, resampleKernels: Bool = false, fromConfig: Bool,
        shared: SharedKernels? = nil
    ) throws(JobError) -> FilterMatrix {
        var cache = KernelCache(fromConfig: fromConfig, shared: shared)
        var matrix = try resolve(
            spec, inputPath: inputPath, channels: channels, sampleRate: sampleRate, gainDB: gainDB, mode: mode,
            resampleKernels: resampleKernels, fromConfig: fromConfig, cache: &cache)
        matrix.notices = cache.notices
        return matrix
    }

    private static func resolve(
        _ spec: KernelSpec, inputPath: String, channels: Int, sampleRate: Int, gainDB: Double,
        mode: ConvolutionMode, resampleKernels: Bool, fromConfig: Bool, cache: inout KernelCache
    ) throws(JobError) -> FilterMatrix {
        switch spec {
        case .shared(let path):
            let kernel = try cache.load(
                path, key: "kernel", inputPath: inputPath, sampleRate: sampleRate, resample: resampleKernels)
            let k = kernel.channels.count
            let gain = linearGain(gainDB)
            func filter(_ kc: Int) -> ChannelFilter {
                ChannelFilter(source: "\(path)#\(kc)", taps: kernel.channels[kc], gain: gain)
            }
            if k == 1 || k == channels {
                return FilterMatrix(diagonal: (0..<channels).map { filter(k == 1 ? 0 : $0) })
            }
            if channels == 1 {
                // Mono through a C-channel kernel: C outputs, the input through each kernel channel (mono
                // speech in a stereo room).
                return FilterMatrix(
                    inputs: 1, outputs: k,
                    entries: (0..<k).map { FilterMatrix.Entry(output: $0, input: 0, filter: filter($0)) })
            }
            throw JobError(
                fromConfig ? .config : .badData,
                "\(path): kernel has \(k) channels but input \(inputPath) has \(channels); use a mono kernel, "
                    + "one with \(channels) channels, or route channels with a pipeline in a config file "
                    + "(filters, mixers, pipeline: see the README)",
                configKey: fromConfig ? "kernel" : nil)

        case .perChannel(let assignments):
            guard assignments.count == channels else {
                throw JobError(
                    fromConfig ? .config : .usage,
                    "\(assignments.count) per-channel kernels given but input \(inputPath) has \(channels) channels; "
                        + "give exactly one per input channel", configKey: fromConfig ? "channels" : nil)
            }
            var filters: [ChannelFilter] = []
            for (c, a) in assignments.enumerated() {
                let key = "channels.\(c)"
                let kernel = try cache.load(
                    a.path, key: key + ".kernel", inputPath: inputPath, sampleRate: sampleRate,
                    resample: resampleKernels)
                let k = kernel.channels.count
                let kc = a.channel ?? (k == 1 ? 0 : c)
                guard kc >= 0 && kc < k else {
                    throw JobError(
                        fromConfig ? .config : .usage,
                        "\(a.path): kernel channel \(kc) requested for input channel \(c), but the kernel has "
                            + "\(k) channel\(k == 1 ? "" : "s") (numbered from 0); pick a channel below \(k)",
                        configKey: fromConfig ? key + (a.channel == nil ? ".kernel" : ".channel") : nil)
                }
                filters.append(ChannelFilter(
                    source: "\(a.path)#\(kc)", taps: kernel.channels[kc], gain: linearGain(gainDB + a.gainDB)))
            }
            return FilterMatrix(diagonal: filters)

        case .graph(var graph):
            guard mode == .convolve else {
                throw JobError(
                    .config,
                    "mode correlate applies to 'kernel' or 'channels', not to a pipeline; for a matched filter in a "
                        + "pipeline, give the template reversed in a convolution filter", configKey: "mode")
            }
            if resampleKernels {
                for (name, filter) in graph.filters {
                    guard case .convolution(var conv) = filter else { continue }
                    conv.resample = true
                    graph.filters[name] = .convolution(conv)
                }
            }
            var compiler = GraphCompiler(
                graph: graph, channels: channels, sampleRate: sampleRate, inputPath: inputPath, kernels: cache)
            let matrix = try compiler.compile()
            cache = compiler.kernels
            guard gainDB != 0 else { return matrix }
            let gain = linearGain(gainDB)
            return FilterMatrix(
                inputs: matrix.inputs, outputs: matrix.outputs,
                entries: matrix.entries.map { e in
                    var f = e.filter
                    f.gain *= gain
                    return FilterMatrix.Entry(output: e.output, input: e.input, filter: f)
                })
        }
    }

    static func linearGain(_ db: Double) -> Float {
        Float(GraphMath.linear(dB: db))
    }
}

extension JobError {
    /// The job-level view of an audio error.
    public init(audio: AudioError, configKey: String? = nil) {
        let kind: Kind
        switch audio.kind {
        case .missing, .unreadable: kind = .missingInput
        case .badData: kind = .badData
        case .unsupported: kind = .usage
        case .cannotCreate: kind = .cannotCreate
        case .outOfResources: kind = .osError
        default: kind = .ioError
        }
        // Not the config's fault when the disk or the system fails: no config location for those.
        let systemFault = kind == .ioError || kind == .osError
        self.init(
            configKey != nil && !systemFault ? .config : kind, audio.description,
            configKey: systemFault ? nil : configKey)
    }
}
