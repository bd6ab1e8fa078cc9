import FirCore
import FirAudio
internal import Glibc
internal import FoundationEssentials

/// Where FFTW's wisdom lives between runs: `$XDG_CACHE_HOME/firpipe/fftw3f.wisdom`, or
/// `~/.cache/firpipe/fftw3f.wisdom`. Loading a missing or unreadable file, or failing to save (a
/// read-only home under a sandboxed service), is never an error: planning just starts cold.
///
/// `FIRPIPE_FFT_PLANNING=estimate` in the environment fixes the plans instead: every transform is
/// planned with FFTW_ESTIMATE and no wisdom or cost model is read or saved. Measured plans are chosen by
/// timing, and two plans of one size may round differently in the last bit; estimated plans are the
/// same from run to run, so the output is the same bytes (reproducible data sets, tests that compare
/// two runs), at the price of the measured plans' speed.
public struct WisdomStore: Sendable {
    /// The wisdom file.
    public let path: String
    /// Plans fixed by `FIRPIPE_FFT_PLANNING=estimate`: nothing read, measured or saved.
    public let fixedPlans: Bool
    /// The environment variable that fixes the plans, and the value that does.
    public static let planningVariable = "FIRPIPE_FFT_PLANNING", fixedPlanning = "estimate"

    /// The store for this user, from the process environment: the three variables it reads, by
    /// `getenv` (Foundation's copy of the whole environment took 0.4 ms of every start).
    public init() {
        func variable(_ name: String) -> String? { getenv(name).map { PlatformPath.string(fromCString: $0) } }
        self.init(cacheHome: variable("XDG_CACHE_HOME"), home: variable("HOME"), planning: variable(Self.planningVariable))
    }

    /// The store that `environment` points at.
    public init(environment: [String: String]) {
        self.init(
            cacheHome: environment["XDG_CACHE_HOME"], home: environment["HOME"],
            planning: environment[Self.planningVariable])
    }

    private init(cacheHome: String?, home: String?, planning: String?) {
        let base: String
        if let cacheHome, cacheHome.hasPrefix("/") {
            base = cacheHome
        } else {
            base = (home ?? Self.homeDirectory()) + "/.cache"
        }
        path = base + "/firpipe/fftw3f.wisdom"
        fixedPlans = planning == Self.fixedPlanning
    }

    /// A store at an explicit path (tests, `firpipe wisdom --file`).
    public init(path: String) {
        self.path = path
        fixedPlans = false
    }

    /// Sets the planner's policy for this run: `policy`, or estimates only when the plans are fixed.
    /// Before the first plan.
    public func usePolicy(_ policy: FFTPlanner.Policy) {
        FFTPlanner.shared.setPolicy(fixedPlans ? .estimateOnly : policy)
    }

    /// Gives FFTW the saved wisdom, if any. Returns whether a file was read.
    @discardableResult
    public func load() -> Bool {
        !fixedPlans && exists && FFTPlanner.shared.importWisdom(fromFile: path)
    }

    /// Starts giving FFTW the saved wisdom, if any, on another thread; planning waits for it. Returns
    /// whether there is a file to read.
    @discardableResult
    public func loadInBackground() -> Bool {
        guard !fixedPlans, exists else { return false }
        FFTPlanner.shared.importWisdomInBackground(fromFile: path)
        return true
    }

    /// Saves FFTW's wisdom if this process measured anything new: written beside the file and renamed
    /// over it, so a concurrent reader never sees half a file. Returns whether it saved.
    @discardableResult
    public func saveIfChanged() -> Bool {
        guard !fixedPlans, FFTPlanner.shared.hasNewWisdom else { return false }
        // A measure that hit FFTW's time limit leaves records the next run cannot plan from alone, so
        // that run measures the size again (in milliseconds, from those records) and learns nothing new:
        // the file is compared, not rewritten and flushed on every run.
        if let saved = try? String(contentsOfFile: path, encoding: .utf8),
           Set(saved.split(separator: "\n")) == FFTPlanner.shared.wisdomLines() {
            return false
        }
        return save()
    }

    /// Saves FFTW's wisdom unconditionally.
    @discardableResult
    public func save() -> Bool {
        DurableFile.replace(path) { FFTPlanner.shared.exportWisdom(toFile: $0) }
    }

    /// Whether the wisdom file is there (`access`, not FileManager, whose first use costs a start
    /// 0.05 ms).
    private var exists: Bool {
        PlatformPath.withCString(path) { access($0, F_OK) == 0 }
    }

    /// The user's home from the password database, for a process started without HOME (a bare unit).
    private static func homeDirectory() -> String {
        guard let entry = getpwuid(getuid()), let home = entry.pointee.pw_dir else { return "/" }
        return String(cString: home)
    }
}
