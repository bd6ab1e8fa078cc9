import FirAudio
import FirCore
import FirTestSupport
import Foundation
import Testing

/// Audio files for the end-to-end tests, written with FirAudio in a temporary directory.
struct Fixtures {
    let dir: TemporaryDirectory

    init() throws { dir = try TemporaryDirectory(prefix: "firpipe-e2e") }

    /// Writes planar `channels` as an audio file and returns its path.
    @discardableResult
    func audio(
        _ name: String, _ channels: [[Float]], rate: Int = 48000, format: AudioFormat = .init(container: .wav, sampleFormat: .float)
    ) throws -> String {
        try AudioFixture.write(channels, to: dir.path(name), rate: rate, format: format)
    }

    /// Writes a text kernel.
    @discardableResult
    func text(_ name: String, _ contents: String) throws -> String {
        let path = dir.path(name)
        try contents.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// Reads a whole audio file back, per channel.
    func read(_ path: String) throws -> (info: AudioFileInfo, channels: [[Float]]) {
        let reader = try AudioFileReader(path: path)
        defer { reader.close() }
        return (reader.info, try reader.readAllChannels())
    }

    /// Names in the directory that look like firpipe's temporary outputs.
    func leftovers() -> [String] {
        dir.listing().filter { $0.contains(".firpipe-") }
    }
}

/// Runs firpipe and returns the result, recording stderr in the test log when it fails.
func firpipe(_ args: String..., in dir: TemporaryDirectory? = nil) throws -> FirpipeBinary.Result {
    try FirpipeBinary.run(args, in: dir?.url)
}
