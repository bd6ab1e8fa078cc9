import Glibc

/// An AF_UNIX socket address: a file-system path, or an abstract name (Linux only), which systemd's
/// `NOTIFY_SOCKET` writes with a leading "@" and the kernel takes with a leading NUL byte.
struct UnixSocketAddress: Sendable, Equatable, CustomStringConvertible {
    /// The bytes of `sun_path` that count: a path without its terminating NUL, or NUL + an abstract name.
    let pathBytes: [UInt8]
    /// The address as it was written: the path, or "@name".
    let description: String

    var isAbstract: Bool { pathBytes.first == 0 }

    /// Bytes in `sun_path`: 108 on Linux.
    static let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    /// A file-system path. The kernel needs room for the terminating NUL, so 107 bytes at most.
    ///
    /// - Throws: `.badAddress` for an empty or too long path, or one holding a NUL byte.
    init(path: String) throws(DaemonError) {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, !bytes.contains(0) else {
            throw DaemonError(.badAddress, "socket path \"\(path)\" is empty or holds a NUL byte; give a file path")
        }
        guard bytes.count < Self.capacity else {
            throw DaemonError(
                .badAddress,
                "socket path \(path) is \(bytes.count) bytes long; unix sockets take at most \(Self.capacity - 1), "
                    + "so choose a shorter path")
        }
        self.init(pathBytes: bytes, description: path)
    }

    /// An address as systemd writes it in `NOTIFY_SOCKET`: "@name" for an abstract name, else a path.
    ///
    /// - Throws: `.badAddress` as ``init(path:)`` does, or for an abstract name over 107 bytes.
    init(systemdNotation text: String) throws(DaemonError) {
        guard text.hasPrefix("@") else {
            try self.init(path: text)
            return
        }
        let name = Array(text.utf8.dropFirst())
        guard name.count < Self.capacity else {
            throw DaemonError(.badAddress, "abstract socket name \(text) is longer than \(Self.capacity - 1) bytes")
        }
        self.init(pathBytes: [0] + name, description: text)
    }

    private init(pathBytes: [UInt8], description: String) {
        self.pathBytes = pathBytes
        self.description = description
    }

    /// Calls `body` with this address as a `sockaddr` and its length. Any thread.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        // sun_path follows the family field. A path's length counts its NUL (the rest of sun_path is
        // zero); an abstract name's does not, since every byte given is part of the name.
        let length = MemoryLayout<sa_family_t>.size + pathBytes.count + (isAbstract ? 0 : 1)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(length)) }
        }
    }
}
