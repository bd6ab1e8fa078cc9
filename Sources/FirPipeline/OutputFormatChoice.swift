import FirAudio

/// Picks the output container and sample format from the job and the input, as a user expects:
/// the container from the output's extension, the sample format of the input (float stays float).
struct OutputFormatChoice {
    /// The chosen format.
    var format: AudioFormat
    /// Notes worth one stderr line each (an automatic change the user did not ask for).
    var notices: [String] = []

    /// WAV's 32-bit sizes stop at 4 GiB; past this many data bytes we write RF64 instead.
    static let wavLimit = Int64(UInt32.max) - (1 << 20)

    /// Refuses at once, before the kernels are loaded, an output container that cannot hold the input's
    /// rate (FLAC above 655,350 Hz) or that the output's name does not tell.
    static func checkEarly(spec: JobSpec, input: AudioFileInfo) throws(JobError) {
        let format = AudioFormat(container: try container(spec), sampleFormat: .pcm24)
        guard format.isSupported(channels: 1, sampleRate: input.sampleRate) else {
            throw JobError(.usage, "\(spec.output): " + format.limitMessage(channels: nil, sampleRate: input.sampleRate))
        }
    }

    /// The container from `--format` or the output's extension.
    private static func container(_ spec: JobSpec) throws(JobError) -> AudioContainer {
        if let name = spec.container {
            return AudioContainer(rawValue: name.rawValue)!  // the two enums share raw values
        } else if let fromExtension = AudioContainer.fromExtension(ofPath: spec.output) {
            return fromExtension
        }
        throw JobError(
            .usage,
            "\(spec.output): cannot tell the output format from the file name; use an extension "
                + "(.wav .flac .aiff .w64 .rf64 .caf) or pass --format")
    }

    init(spec: JobSpec, input: AudioFileInfo, outputFrames: Int, channels: Int) throws(JobError) {
        let container = try Self.container(spec)

        var sample: SampleFormat
        if let name = spec.sampleFormat {
            sample = SampleFormat(rawValue: name.rawValue)!  // shared raw values
            guard AudioFormat(container: container, sampleFormat: sample).isSupported else {
                throw JobError(
                    .usage,
                    "\(spec.output): \(container.rawValue) cannot hold \(sample.rawValue) samples; pick another "
                        + "--subtype or --format")
            }
        } else {
            sample = input.sampleFormat ?? .float
            if !AudioFormat(container: container, sampleFormat: sample).isSupported {
                // FLAC holds integers up to 24 bits only.
                let fallback: SampleFormat = .pcm24
                notices.append(
                    "note: \(container.rawValue) cannot hold \(sample.rawValue) samples; writing \(fallback.rawValue)")
                sample = fallback
            }
        }

        var chosen = container
        let bytes = Int64(outputFrames) * Int64(channels) * Int64(sample.bytesPerSample)
        if (container == .wav || container == .wavex) && bytes > Self.wavLimit && spec.container == nil {
            notices.append("note: \(spec.output): output exceeds WAV's 4 GiB limit; writing RF64")
            chosen = .rf64
        } else if (container == .wav || container == .wavex || container == .aiff) && bytes > Self.wavLimit {
            throw JobError(
                .usage,
                "\(spec.output): output of \(bytes) bytes exceeds \(container.rawValue)'s 4 GiB limit; "
                    + "use --format rf64, w64 or caf")
        }
        format = AudioFormat(container: chosen, sampleFormat: sample)
        guard format.isSupported(channels: channels, sampleRate: input.sampleRate) else {
            throw JobError(
                .usage, "\(spec.output): " + format.limitMessage(channels: channels, sampleRate: input.sampleRate))
        }
    }
}
