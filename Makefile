# firpipe: the two commands a newcomer needs are `make run` and `make test`.
SWIFT ?= swift
CONFIG ?= Config/example.yaml
# Tests run an optimised build with testing enabled: the numeric suites stay quick. FIRPIPE_CRASH_POINTS
# gives the test build the named crash points the crash tests stop it at (Sources/FirAudio/CrashPoint.swift);
# `make build`, the binary for users, has none.
TEST_FLAGS ?= -c release -Xswiftc -enable-testing -Xswiftc -DFIRPIPE_CRASH_POINTS
# `make build` has a build directory of its own: sharing .build/release with the tests' build, whose
# flags differ (-enable-testing), made each switch between them rebuild everything (about 2 minutes).
# Its first run resolves the packages into .build/static again.
BIN = .build/static/release/firpipe

.PHONY: deps build run test crash fuzz bench golden units plot clean

# Installs the C libraries when pkg-config cannot find them (JACK's with its server and test client), systemd when systemd-analyze is missing
# (the unit-file tests run it) and Chromium when it is missing (the plot test renders an SVG in it;
# Debian's package, about a minute to install); needs root, as on CI.
DEB_LIBS = libfftw3-dev libsndfile1-dev libsoxr-dev libasound2-dev libyaml-dev pkg-config
# The jack backend's library, and the dummy-driver server and Python client its tests (ServeJackTests) run.
DEB_JACK = jackd2 libjack-jackd2-dev python3-jack-client
deps:
	@pkg-config --exists fftw3f sndfile soxr alsa yaml-0.1 2>/dev/null || { \
	  echo "installing $(DEB_LIBS)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_LIBS); }
	@command -v systemd-analyze >/dev/null 2>&1 || { \
	  echo "installing systemd (for systemd-analyze)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd; }
	@command -v lintian >/dev/null 2>&1 && command -v dpkg-shlibdeps >/dev/null 2>&1 \
	  && command -v man >/dev/null 2>&1 || { \
	  echo "installing lintian dpkg-dev man-db (for make deb and its test)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lintian dpkg-dev man-db; }
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (for the plot's render test)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@{ pkg-config --exists jack && command -v jackd >/dev/null 2>&1 && /usr/bin/python3 -c 'import jack' 2>/dev/null; } || { \
	  echo "installing $(DEB_JACK)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_JACK); }

# The Swift runtime and FoundationEssentials are linked statically: loading and binding them dynamically took about
# 10 ms of every run, a tenth of a short job. So is libstdc++, the Swift runtime's alone (GCC's runtime library
# exception allows it): loading the shared one and binding its 4,303 symbol relocations was 13-15% of
# `firpipe --version`. The static runtime's link arguments say -lstdc++; $(STATIC_CXX) is a linker script by that
# name, found first, that names the archive (its symbols stay hidden, as the runtime's are, so a C++ library
# loaded later, libjack, binds to the shared libstdc++ it needs).
#
# Linked by the toolchain's lld with packed relative relocations (DT_RELR, glibc 2.36): the binary's 47,802
# relative relocations were a 1.1 MB table the loader read and applied at every start with gold, Swift's default
# here (1.9M cycles in `LD_DEBUG=statistics`); packed they take 9 KB and 0.4M cycles, and `firpipe --version`
# starts 12% sooner. Hardening unchanged (PIE, RELRO, no executable stack). For a system with an older glibc,
# `make build LINK_FLAGS=` links with gold as before.
STATIC_CXX = .build/link/libstdc++.so
LINK_FLAGS = -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs
build: deps commit $(STATIC_CXX)
	$(SWIFT) build -c release --static-swift-stdlib --product firpipe --scratch-path .build/static \
	  -Xlinker -L$(CURDIR)/$(dir $(STATIC_CXX)) $(LINK_FLAGS)

# Asked of the Swift toolchain's own clang, which picks the GCC installation the link uses; rewritten only
# when the answer changes (a GCC upgrade), so an unchanged one relinks nothing.
SWIFT_CLANG = $(dir $(realpath $(shell command -v $(SWIFT))))clang
.PHONY: FORCE
$(STATIC_CXX): FORCE
	@mkdir -p $(dir $@); a=$$($(SWIFT_CLANG) -print-file-name=libstdc++.a 2>/dev/null); \
	  [ -f "$$a" ] || { echo "libstdc++.a not found by $(SWIFT_CLANG); install it (Debian: libstdc++-12-dev)" >&2; exit 1; }; \
	  echo "INPUT($$a)" > $@.new; \
	  if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

# Writes the commit `firpipe --version` names into .build/generated/BuildCommit.h (read by
# Sources/CBuildInfo), "-dirty" when tracked files differ from it; rewritten only when it changes, so an
# unchanged commit rebuilds nothing. Without git (a tarball) the binary says "unknown".
COMMIT_HEADER = .build/generated/BuildCommit.h
.PHONY: commit
commit:
	@mkdir -p $(dir $(COMMIT_HEADER)); \
	c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	if [ "$$c" != unknown ] && ! git diff --quiet HEAD -- 2>/dev/null; then c="$$c-dirty"; fi; \
	echo "#define FIRPIPE_BUILD_COMMIT \"$$c\"" > $(COMMIT_HEADER).new; \
	if cmp -s $(COMMIT_HEADER).new $(COMMIT_HEADER); then rm $(COMMIT_HEADER).new; \
	else mv $(COMMIT_HEADER).new $(COMMIT_HEADER); fi

run: build
	@mkdir -p out
	$(BIN) process --config $(CONFIG)

# The EBADF that once made the suite serial was libsndfile 1.2.0 closing a refused file's descriptor
# that SndFile closed again (fixed in issue 14); tests spawn processes only through
# Tests/FirTestSupport/ChildProcess.swift. The last two parallel failures were a file size limit a test
# set in the runner (now it runs alone) and measured FFTW plans changing between two runs of one test
# (children on the shared cache now plan with FIRPIPE_FFT_PLANNING=estimate). TEST_PARALLEL=--no-parallel
# runs the suite serially.
TEST_PARALLEL ?= --parallel
test: deps commit
	$(SWIFT) build $(TEST_FLAGS) --product firpipe
	$(SWIFT) test $(TEST_FLAGS) $(TEST_PARALLEL)
	$(MAKE) test-slurm
	$(MAKE) test-deb

# `firpipe batch` sharded over a real single-node Slurm (installed and started by the test, stopped at its
# end; skipped with a message when not root): Tests/Slurm/array-test.sh.
.PHONY: test-slurm
test-slurm:
	Tests/Slurm/array-test.sh .build/release/firpipe

# `make deb`: firpipe_VERSION_ARCH.deb under .build/deb from `make build`'s binary, with man pages and
# completions generated from the commands' own help (deploy/debian/build-deb.sh). The man pages come from
# swift-argument-parser's GenerateManual plugin's tool, built once in a scratch path of its own (asking
# the plugin for --help builds the tool and nothing else; running the plugin itself would rebuild the
# package without the static runtime).
DEB_WORK = .build/deb
MANUAL_TOOL_BUILD = .build/manual-tool
.PHONY: deb
deb: build
	@$(SWIFT) package --scratch-path $(MANUAL_TOOL_BUILD) plugin generate-manual --help > /dev/null
	@deploy/debian/build-deb.sh $(BIN) \
	  "$$(find $(MANUAL_TOOL_BUILD) -name generate-manual-tool -type f -perm -u+x | head -1)" $(DEB_WORK)

# Builds the package and checks it: lintian, an install into a scratch root, the man pages, the bash
# completion, the units, and a purge that leaves nothing (Tests/Debian/package-test.sh).
.PHONY: test-deb
test-deb:
	@if command -v dpkg-deb >/dev/null 2>&1; then \
	  $(MAKE) deb && Tests/Debian/package-test.sh $(DEB_WORK)/firpipe_*.deb; \
	else echo "package test skipped: dpkg-deb is missing (not a Debian system)"; fi

# kill -9 at CRASH_RUNS seeded random moments of `process` runs (the suite does 20), each followed by a
# normal run, plus the named crash points: Tests/FirpipeTests/CrashTests.swift.
# BATCH_CRASH_RUNS kills of `firpipe batch` runs (the suite does 3), each followed by a re-run:
# Tests/FirpipeTests/BatchCrashTests.swift.
CRASH_RUNS ?= 200
BATCH_CRASH_RUNS ?= 50
crash: deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	CRASH_RUNS=$(CRASH_RUNS) BATCH_CRASH_RUNS=$(BATCH_CRASH_RUNS) \
	  $(SWIFT) test $(TEST_FLAGS) --skip-build --parallel --filter CrashTests

# The fuzz suites of `make test`, for as long as asked (seconds, shared by the suites) and with any seed;
# each kind of failing input is kept under FUZZ_KEEP with a note of how to replay it.
FUZZ_SECONDS ?= 600
FUZZ_SEED ?= $(shell date +%s)
FUZZ_KEEP ?= $(CURDIR)/.build/fuzz-failures
fuzz: deps
	$(SWIFT) build $(TEST_FLAGS) --product firpipe
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(FUZZ_SEED) FUZZ_KEEP=$(FUZZ_KEEP) \
	  $(SWIFT) test $(TEST_FLAGS) --parallel --filter 'FirpipeTests\.(ConfigFuzzTests|AudioHeaderFuzzTests)'

# Makes systemd/firpipe.service and the sound-card variant firpipe-device@.service from the template
# firpipe@.service, so a sandbox change is made once; SystemdUnitSourceTests fails when they disagree.
units:
	sed -f systemd/plain.sed systemd/firpipe@.service > systemd/firpipe.service
	sed -f systemd/device.sed systemd/firpipe@.service > systemd/firpipe-device@.service

# Regenerates the scipy golden files under Tests/FirCoreTests/Golden (the convolution core; kernel
# analysis, minimum phase and design) and Tests/FirAudioTests/Golden (KernelResampler); needs python3
# with scipy.
golden:
	python3 Tests/FirCoreTests/Golden/make_golden.py
	python3 Tests/FirCoreTests/Golden/make_kernel_golden.py
	python3 Tests/FirAudioTests/Golden/make_resample_golden.py

# Regenerates the plot of the example crossover kernels that the README shows.
plot: build
	@mkdir -p Config/plots
	$(BIN) inspect Config/kernels/crossover-2way.wav --plot Config/plots/crossover-2way.svg --smooth 0 \
	  --phase-minus-delay

clean:
	rm -rf .build

# Benchmarks firpipe against ffmpeg, SoX, BruteFIR and scipy on long kernels (Benchmarks/README.md); not
# part of `make test`. Options go in BENCH_ARGS, e.g. make bench BENCH_ARGS="--quick" or "--memory".
BENCH_ARGS ?=

bench: build bench-deps
	python3 Benchmarks/bench.py $(BENCH_ARGS)

# firpipe serve (backend: jack) beside jconvolver on one JACK dummy server: CPU share of one core at
# 2 ch x 262,144 taps, period 256, and xruns (Benchmarks/jack.py). JACK_BENCH_SECONDS=600 for the long run.
JACK_BENCH_SECONDS ?= 120
.PHONY: bench-jack
bench-jack: build bench-deps
	@command -v jconvolver >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jconvolver; }
	python3 Benchmarks/jack.py --seconds $(JACK_BENCH_SECONDS) $(BENCH_ARGS)

# Installs the peers (Debian packages named as their commands) and numpy/scipy when missing (needs root).
.PHONY: bench-deps
bench-deps:
	@missing=""; for p in ffmpeg sox brutefir; do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	@python3 -c 'import numpy, scipy' 2>/dev/null || { \
	  echo "installing numpy scipy"; python3 -m pip install -q numpy scipy; }
