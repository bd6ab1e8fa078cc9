import ArgumentParser
import FirAudio
import FirPipeline
import Glibc

/// The exit codes of sysexits(3) that firpipe uses.
enum SysExits {
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let noInput: Int32 = 66
    /// No daemon listens on the control socket.
    static let unavailable: Int32 = 69
    static let software: Int32 = 70
    /// The system refused a resource: memory, a thread or file descriptors.
    static let osError: Int32 = 71
    static let cannotCreate: Int32 = 73
    static let ioError: Int32 = 74
    /// The daemon did not answer in time; trying again may work.
    static let tempFail: Int32 = 75
    /// The daemon's reply was not what the protocol says.
    static let protocolError: Int32 = 76
    /// The control socket is not ours to use.
    static let noPermission: Int32 = 77
    static let config: Int32 = 78
    /// 128 + SIGINT, as shells report an interrupted command.
    static let interrupted: Int32 = 130

    static func code(for kind: JobError.Kind) -> Int32 {
        switch kind {
        case .usage: usage
        case .badData: dataError
        case .missingInput: noInput
        case .cannotCreate: cannotCreate
        case .ioError: ioError
        case .osError: osError
        case .config: config
        case .interrupted: interrupted
        default: software
        }
    }
}

/// Writes one line to stderr, with control characters and bytes of non-UTF-8 file names escaped
/// (``PlatformPath/displayed(_:)``). Any thread.
func printError(_ line: String) {
    writeToStandardError(PlatformPath.displayed(line) + "\n")
}

/// Writes `text` to stderr as it is (progress lines draw with `\r`), retrying short writes; a failing
/// stderr drops the rest, as there is nowhere left to say so.
func writeToStandardError(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if written > 0 {
            bytes = bytes.dropFirst(written)
        } else if written < 0 && errno == EINTR {
            continue
        } else {
            return
        }
    }
}

/// Reports `message` as firpipe's one stderr line and exits with `code`.
func fail(_ message: String, code: Int32) -> ExitCode {
    printError("firpipe: " + message)
    return ExitCode(code)
}
