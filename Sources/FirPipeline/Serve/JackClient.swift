internal import CJack
import Logging
internal import Glibc
internal import FoundationEssentials

/// One connection to a JACK server: the client, its ports `in_1…` and `out_1…`, and every libjack call
/// of the jack backend. Opened, activated and closed by ``JackDriver``'s thread; JACK calls the
/// callbacks given to ``activate(_:)`` on its own threads with this object as their context.
///
/// `@unchecked Sendable`: the port handles are fixed in `init`; `close()` runs after `jack_deactivate`
/// has stopped the process callback, on the one thread that opened it.
final class JackClient: @unchecked Sendable {
    /// Why a client could not be made.
    enum OpenFailure: Error {
        /// No server answers (not started yet, or gone): retry later.
        case noServer(String)
        /// A client of this name is already there, or a port was refused: retrying will not help.
        case refused(String)
    }

    /// The C callbacks, plain functions that find the driver through the context pointer.
    struct Callbacks {
        var process: JackProcessCallback
        var xrun: JackXRunCallback
        var shutdown: JackShutdownCallback
        var latency: JackLatencyCallback
        var portRegistration: JackPortRegistrationCallback
    }

    private let client: OpaquePointer
    /// `in_1…` and `out_1…`, in channel order.
    let inputs: [OpaquePointer]
    let outputs: [OpaquePointer]
    /// The driver, for the C callbacks; it outlives every client it opens.
    unowned(unsafe) let driver: JackDriver
    let name: String
    private var active = false
    private var closed = false

    /// libjack's own messages ("Cannot connect to server socket", once per try while the server is
    /// away) go to the log at debug level instead of raw stderr: the driver's lines say what happened.
    private static let quietLibrary: Void = {
        jack_set_error_function { JackClient.libraryLogger.debug("libjack: \(String(cString: $0!))") }
        jack_set_info_function { JackClient.libraryLogger.debug("libjack: \(String(cString: $0!))") }
    }()
    private static let libraryLogger = Logger(label: "libjack")

    /// Why libjack cannot be used here (it is loaded at first use, not at start), or nil.
    static var libraryProblem: String? {
        firpipe_jack_library_error().map {
            "libjack cannot be loaded (\(String(cString: $0))); install it (Debian: libjack-jackd2-0), "
                + "run under pw-jack, or use backend: pipe"
        }
    }

    /// Opens client `name` on the default server (`JACK_DEFAULT_SERVER`) and registers its ports.
    init(name: String, inputs: Int, outputs: Int, driver: JackDriver) throws(OpenFailure) {
        if let why = Self.libraryProblem { throw .refused(why) }
        Self.quietLibrary
        var status = jack_status_t(rawValue: 0)
        guard let client = firpipe_jack_open(name, &status) else {
            if status.rawValue & JackNameNotUnique.rawValue != 0 {
                throw .refused(
                    "a JACK client named '\(name)' is already connected; set serve.stream.jack_client to another name")
            }
            let server = ProcessInfo.processInfo.environment["JACK_DEFAULT_SERVER"] ?? "default"
            throw .noServer(
                "no JACK server '\(server)' to connect to (libjack status 0x\(String(status.rawValue, radix: 16)))")
        }
        self.client = client
        self.driver = driver
        self.name = String(cString: jack_get_client_name(client))
        func register(_ prefix: String, _ count: Int, _ flags: JackPortFlags) -> [OpaquePointer]? {
            var ports: [OpaquePointer] = []
            for n in 1...count {
                guard let port = jack_port_register(client, "\(prefix)_\(n)", "32 bit float mono audio",
                                                    UInt(flags.rawValue), 0)
                else { return nil }
                ports.append(port)
            }
            return ports
        }
        guard let ins = register("in", inputs, JackPortIsInput), let outs = register("out", outputs, JackPortIsOutput)
        else {
            jack_client_close(client)
            throw .refused("JACK refused to register \(inputs) input and \(outputs) output ports for '\(name)'")
        }
        self.inputs = ins
        self.outputs = outs
    }

    deinit { close() }

    /// The server's sample rate and period (frames per process call).
    var sampleRate: Int { Int(jack_get_sample_rate(client)) }
    var period: Int { Int(jack_get_buffer_size(client)) }

    /// The real-time priority of JACK's process thread for this client, or nil when JACK does not run
    /// real-time.
    var realTimePriority: Int? {
        let priority = jack_client_real_time_priority(client)
        return priority > 0 ? Int(priority) : nil
    }

    /// Sets the callbacks, with this client as their context, and starts processing.
    /// - Returns: false when the server refused to activate the client.
    func activate(_ callbacks: Callbacks) -> Bool {
        let me = Unmanaged.passUnretained(self).toOpaque()
        jack_set_process_callback(client, callbacks.process, me)
        jack_set_xrun_callback(client, callbacks.xrun, me)
        jack_on_shutdown(client, callbacks.shutdown, me)
        jack_set_latency_callback(client, callbacks.latency, me)
        jack_set_port_registration_callback(client, callbacks.portRegistration, me)
        active = jack_activate(client) == 0
        return active
    }

    /// The client a C callback's context points at.
    static func from(_ context: UnsafeMutableRawPointer?) -> JackClient {
        Unmanaged<JackClient>.fromOpaque(context!).takeUnretainedValue()
    }

    /// A port's samples for this process call. The process callback.
    @inline(__always)
    static func buffer(_ port: OpaquePointer, _ frames: UInt32) -> UnsafeMutablePointer<Float> {
        jack_port_get_buffer(port, frames).assumingMemoryBound(to: Float.self)
    }

    /// Connects `source` to `destination` (full port names); true when they are connected now,
    /// including when they already were.
    func connect(_ source: String, _ destination: String) -> Bool {
        let rc = jack_connect(client, source, destination)
        return rc == 0 || rc == EEXIST
    }

    /// The full name of our port.
    func portName(_ port: OpaquePointer) -> String { String(cString: jack_port_name(port)) }

    /// Reports `added` frames of latency through us, on JACK's notification thread in the latency
    /// callback: our outputs' capture latency is our inputs' plus `added`, our inputs' playback latency
    /// our outputs' plus `added`.
    func reportLatency(playback: Bool, added: Int) {
        let mode = playback ? JackPlaybackLatency : JackCaptureLatency
        let from = playback ? outputs : inputs, to = playback ? inputs : outputs
        var range = jack_latency_range_t(min: 0, max: 0)
        var lowest = UInt32.max, highest: UInt32 = 0
        for port in from {
            jack_port_get_latency_range(port, mode, &range)
            lowest = min(lowest, range.min)
            highest = max(highest, range.max)
        }
        range = jack_latency_range_t(min: lowest + UInt32(added), max: highest + UInt32(added))
        for port in to { jack_port_set_latency_range(port, mode, &range) }
    }

    /// The capture latency range JACK reports at our first output, for the log and tests.
    var outputCaptureLatency: ClosedRange<Int> {
        var range = jack_latency_range_t(min: 0, max: 0)
        jack_port_get_latency_range(outputs[0], JackCaptureLatency, &range)
        return Int(range.min)...Int(range.max)
    }

    /// CPU time of JACK's process thread for this client, in nanoseconds; any thread but that one.
    var processThreadCPU: UInt64 { UInt64(firpipe_jack_thread_cpu(client)) }

    /// Stops processing and leaves the server; after the server went away only the close is left.
    /// Idempotent; the thread that opened the client.
    func close(serverGone: Bool = false) {
        guard !closed else { return }
        closed = true
        if active && !serverGone { jack_deactivate(client) }
        jack_client_close(client)
    }
}
