// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "firpipe",
    products: [
        .executable(name: "firpipe", targets: ["firpipe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C libraries, found by pkg-config; the Makefile installs the Debian packages when missing.
        .systemLibrary(
            name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(
            name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(
            name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),

        // Linux calls Swift's Glibc module hides (thread names, fallocate, O_TMPFILE, …), wrapped once.
        .target(name: "CSystem"),
        // Libraries only some commands use, loaded at their first use (dlopen) instead of at every start:
        // libsoxr (kernel resampling, Debian libsoxr-dev), alsa-lib and libjack (serve's sound-card
        // backends, libasound2-dev and libjack-jackd2-dev); only their headers at build time.
        .target(name: "CSoxr", dependencies: ["CSystem"]),
        .target(name: "CALSA", dependencies: ["CSystem"]),
        .target(name: "CJack", dependencies: ["CSystem"]),
        // The git commit of the build, from a header the Makefile writes (BuildInfo.c says why in C).
        .target(name: "CBuildInfo"),

        // The convolution core: pure math, no I/O.
        .target(name: "FirCore", dependencies: ["CFFTW", "CSystem"]),
        // Audio files and kernels over libsndfile; kernels resampled with libsoxr; sound cards over alsa-lib.
        .target(name: "FirAudio", dependencies: ["CSndFile", "CSoxr", "CALSA", "CSystem"]),
        // Stages, jobs and the YAML config (parsed by libyaml); the stream daemon's JACK backend.
        .target(
            name: "FirPipeline",
            dependencies: [
                "FirCore", "FirAudio", "CJack", "CLibYAML",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The command-line program and the daemon shell (graceful shutdown and signals through
        // ServiceLifecycle; the audio itself stays on the pipeline's threads).
        .executableTarget(
            name: "firpipe",
            dependencies: [
                "CBuildInfo", "FirCore", "FirAudio", "FirPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]),

        // Signal generators, tolerance helpers and file fixtures shared by the test targets.
        .target(name: "FirTestSupport", dependencies: ["FirCore", "FirAudio"], path: "Tests/FirTestSupport"),
        .testTarget(name: "FirCoreTests", dependencies: ["FirCore", "FirTestSupport"],
                    resources: [.copy("Golden")]),
        .testTarget(name: "FirAudioTests", dependencies: ["FirAudio", "FirTestSupport"],
                    resources: [.copy("Golden")]),
        .testTarget(
            name: "FirPipelineTests",
            dependencies: [
                "FirPipeline", "FirAudio", "FirCore", "FirTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // FirPipeline's YAML reader for the Kubernetes manifest of deploy/ (DeployFilesTests); the service test
        // kit for the in-process graceful-shutdown tests.
        .testTarget(
            name: "FirpipeTests",
            dependencies: [
                "firpipe", "FirCore", "FirAudio", "FirPipeline", "FirTestSupport",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
