import FirPipeline
import Logging
import ServiceLifecycle
import FoundationEssentials

/// The control socket as a service: answers `status` and `reload` on its own thread until shutdown,
/// then removes the socket file.
struct ControlService: Service {
    let socket: ControlSocket

    /// Binds the daemon's control socket, or returns nil (with a warning) when the default path cannot
    /// be used, so `firpipe serve` still runs in a plain shell pipeline without /run/firpipe. A path the
    /// config names must work: that failure is an error.
    static func make(daemon: Daemon, settings: ServeSettings) throws -> ControlService? {
        let path = ControlPaths.socket(
            configPath: daemon.configPath, explicit: nil, configured: settings.controlSocket,
            environment: ProcessInfo.processInfo.environment)
        do throws(DaemonError) {
            let logger = daemon.logger
            let socket = try ControlSocket(path: path, log: { logger.warning("\($0)") }) { [daemon] command in
                daemon.answer(command)
            }
            daemon.logger.info("control socket at \(path)")
            return ControlService(socket: socket)
        } catch {
            if settings.controlSocket != nil {
                throw fail("\(daemon.configPath): serve.control_socket: \(error.message)", code: SysExits.cannotCreate)
            }
            daemon.logger.warning(
                "no control socket (\(error.message)); set serve.control_socket to a writable place for firpipe status")
            return nil
        }
    }

    func run() async throws {
        try? await gracefulShutdown()
        socket.stop()
    }
}
