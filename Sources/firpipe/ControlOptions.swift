import ArgumentParser
import FirPipeline
import FoundationEssentials

/// Options of the commands that talk to a running daemon (`status`, `reload`): which daemon.
struct ControlOptions: ParsableArguments {
    @Option(help: "The daemon's config file; its control socket is found from it (serve.control_socket, or NAME.sock).")
    var config: String?

    @Option(help: "The daemon's control socket (wins over --config).")
    var socket: String?

    @Option(help: "Seconds to wait for the daemon's answer.")
    var timeout: Double = 60

    func validate() throws {
        guard timeout.isFinite, timeout > 0, timeout <= 3600 else {
            throw ValidationError("--timeout \(timeout): give seconds from a fraction to 3600")
        }
    }

    /// The control socket to use: `--socket`, else the config's `serve.control_socket`, else the
    /// default beside the config's name. The key is read leniently, so a config broken by the edit
    /// being reloaded still leads to its daemon, whose reply then names the error.
    var socketPath: String {
        let configured = socket == nil ? config.flatMap { ConfigFile.controlSocketLeniently(path: $0) } : nil
        return ControlPaths.socket(
            configPath: config, explicit: socket, configured: configured,
            environment: ProcessInfo.processInfo.environment)
    }

    /// Sends `command` to the daemon and returns its reply, or throws the exit for a failure after
    /// printing firpipe's one stderr line.
    func exchange(_ command: String) throws -> String {
        do throws(DaemonError) {
            return try ControlClient.send(command, to: socketPath, timeout: .milliseconds(Int64(timeout * 1000)))
        } catch {
            throw fail(error.message, code: Self.exitCode(for: error.code))
        }
    }

    static func exitCode(for code: DaemonError.Code) -> Int32 {
        switch code {
        case .unavailable: SysExits.unavailable
        case .permission: SysExits.noPermission
        case .timeout: SysExits.tempFail
        case .badReply: SysExits.protocolError
        case .badAddress: SysExits.usage
        default: SysExits.ioError
        }
    }
}
