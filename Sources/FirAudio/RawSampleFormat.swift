/// Raw interleaved PCM sample encodings a stream can carry, as the config's `serve.stream.format` names them.
public enum RawSampleFormat: String, Sendable, CaseIterable, Codable {
    case s16le, s24le, s32le, f32le

    /// Bytes per sample of one channel.
    public var bytesPerSample: Int {
        switch self {
        case .s16le: 2
        case .s24le: 3
        case .s32le, .f32le: 4
        }
    }
}
