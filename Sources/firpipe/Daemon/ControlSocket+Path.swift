import FirAudio
import Glibc

/// Preparing the control socket's path: its directory, and whatever an earlier daemon left there.
extension ControlSocket {
    /// Creates `directory` and any missing parents with mode 0700 (less the umask), like `mkdir -p -m 0700`
    /// for the parts that are new; existing directories keep their modes.
    ///
    /// - Throws: `.cannotCreate` when a part exists but is not a directory, or mkdir fails.
    static func makeDirectory(_ directory: String) throws(DaemonError) {
        guard let failure = makeDirectories(directory, mode: 0o700) else { return }
        let code = failure.code
        guard code != ENOTDIR else {
            throw DaemonError(.cannotCreate, "\(failure.path) is not a directory; choose another control_socket path")
        }
        throw DaemonError(
            code == EACCES || code == EPERM || code == EROFS ? .permission : .cannotCreate,
            "cannot create directory \(failure.path) for the control socket (\(errnoDescription(code))); "
                + "create it or choose another control_socket path",
            errno: code)
    }

    /// Removes a socket file at `address` that nobody answers on: the leftover of a daemon that died
    /// without ``stop()``. Leaves anything else alone and says so.
    ///
    /// - Throws: `.unavailable` when a daemon answers there; `.cannotCreate` when the path is not a
    ///   socket; `.permission` when it cannot be examined or removed.
    static func removeStaleSocket(at address: UnixSocketAddress) throws(DaemonError) {
        let path = address.description
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return }
            throw DaemonError(.permission, "cannot examine \(path) (\(errnoDescription(code)))", errno: code)
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw DaemonError(
                .cannotCreate,
                "\(path) exists and is not a socket; remove it or choose another control_socket path")
        }
        do throws(DaemonError) {
            try UnixSocket(type: Int32(SOCK_STREAM.rawValue)).connect(to: address)
            throw DaemonError(
                .unavailable,
                "another firpipe daemon is listening on \(path); "
                    + "stop it first, or give this one another control_socket")
        } catch where error.errno == ECONNREFUSED {
            try posixCall(DaemonError.failing(.permission, "cannot remove the stale socket \(path)")) { unlink(path) }
        }
    }
}
