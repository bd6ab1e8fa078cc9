import FirTestSupport
import Foundation
import Testing

/// Tests/ALSA/clocked_pcm.c, an ALSA PCM with a clock (so a stream that falls behind it gets an xrun),
/// built for a test and named in an ALSA configuration of the test's own.
enum ClockedPCM {
    /// A C compiler on PATH, when there is one: cc, or the clang of a Swift toolchain.
    static let compiler: String? = ["cc", "clang"].lazy.compactMap { name in
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }.first

    /// Whether alsa-lib's plugin headers are installed (libasound2-dev).
    static let hasHeaders = ["/usr/include", "/usr/local/include"].contains {
        FileManager.default.fileExists(atPath: $0 + "/alsa/pcm_external.h")
    }

    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ALSA/clocked_pcm.c").path

    /// Builds the plugin in the test's directory and writes an ALSA configuration there: `fpcapture`
    /// captures `infile` (looped), `fpplayback` plays into out.raw, both at `rate`. Returns the
    /// environment that makes alsa-lib read that configuration alone.
    static func environment(_ f: Fixtures, infile: String, rate: Int = 48000) throws -> [String: String] {
        let library = f.dir.path("libasound_module_pcm_clocked.so")
        // -DPIC: without it the plugin's version symbol refers to snd_dlsym_start, a static alsa-lib's.
        let cc = try FirpipeBinary.run(
            ["-shared", "-fPIC", "-DPIC", "-O2", "-Wall", "-o", library, source, "-lasound"],
            executable: try #require(compiler), timeout: 120)
        guard cc.status == 0 else { throw ClockedPCMBuildFailure(compiler: cc.stderr) }
        let text = """
            pcm_type.clocked { lib "\(library)" }
            pcm.fpcapture { type clocked infile "\(infile)" rate \(rate) }
            pcm.fpplayback { type clocked file "\(f.dir.path("out.raw"))" rate \(rate) }
            """
        return ["ALSA_CONFIG_PATH": try f.text("asoundrc", text + "\n")]
    }
}

struct ClockedPCMBuildFailure: Error, CustomStringConvertible {
    let compiler: String
    var description: String { "Tests/ALSA/clocked_pcm.c did not build: \(compiler)" }
}
