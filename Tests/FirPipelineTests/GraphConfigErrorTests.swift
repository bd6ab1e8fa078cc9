import FirPipeline
import Testing

/// Graph sections (`filters`, `mixers`, `pipeline`) that `ConfigFile.parse` must reject, each at its
/// exact line and column. Channel counts against the input are checked later (``GraphCompileErrorTests``).
@Suite struct GraphConfigErrorTests {
    static let filters = "filters:\n  room: {type: convolution, kernel: room.wav}\n  flip: {type: gain, invert: true}\n"
    static let mixer = "mixers:\n  up:\n    channels: {in: 1, out: 2}\n    mapping:\n      - {dest: 0, sources: [{channel: 0}]}\n"

    static let cases: [BadConfig] = [
        BadConfig("unknown filter name", filters + "pipeline:\n  - {type: filter, names: [rooom]}\n", 5, 28,
                  .invalidValue, "pipeline.0.names.0: no filter named 'rooom' (did you mean 'room'?)",
                  "defined: flip, room"),
        BadConfig("unknown mixer name", filters + mixer + "pipeline:\n  - {type: mixer, name: upp}\n", 10, 25,
                  .invalidValue, "no mixer named 'upp' (did you mean 'up'?)"),
        BadConfig("no mixers at all", "pipeline:\n  - {type: mixer, name: up}\n", 2, 25,
                  .invalidValue, "no mixer named 'up'; none is defined; add it under 'mixers'"),
        BadConfig("filter without type", "filters:\n  a: {kernel: room.wav}\npipeline: []\n", 2, 6,
                  .missingValue, "filters.a has no type"),
        BadConfig("unknown filter type", "filters:\n  a: {type: convolve, kernel: k.wav}\npipeline: []\n", 2, 13,
                  .invalidValue, "filters.a.type must be one of convolution, gain, delay", "found 'convolve'"),
        BadConfig("key of another filter type", "filters:\n  a: {type: gain, kernel: k.wav}\npipeline: []\n", 2, 19,
                  .unknownKey, "'kernel' does not apply to a gain filter (filters.a)", "gain_db, invert, mute"),
        BadConfig("convolution without kernel", "filters:\n  a: {type: convolution}\npipeline: []\n", 2, 6,
                  .missingValue, "filters.a has no kernel"),
        BadConfig("delay without amount", "filters:\n  a: {type: delay, unit: ms}\npipeline: []\n", 2, 6,
                  .missingValue, "filters.a has no delay"),
        BadConfig("negative delay", "filters:\n  a: {type: delay, delay: -1}\npipeline: []\n", 2, 27,
                  .invalidValue, "filters.a.delay must be between 0 and"),
        BadConfig("bad normalize", "filters:\n  a: {type: convolution, kernel: k.wav, normalize: max}\npipeline: []\n",
                  2, 52, .invalidValue, "normalize must be one of none, peak, energy, dc"),
        BadConfig("yes is not a boolean", "filters:\n  a: {type: gain, invert: yes}\npipeline: []\n", 2, 27,
                  .wrongType, "filters.a.invert must be true or false"),
        BadConfig("bad name", "filters:\n  a.b: {type: gain}\npipeline: []\n", 2, 3,
                  .invalidValue, "'a.b' in filters is not a valid name"),
        BadConfig("mixer dest out of range", "mixers:\n  m:\n    channels: {in: 2, out: 2}\n    mapping:\n"
                  + "      - {dest: 2, sources: [{channel: 0}]}\npipeline: []\n", 5, 16,
                  .invalidValue, "mixers.m.mapping.0.dest is 2 but the mixer has 2 output channels"),
        BadConfig("mixer source out of range", "mixers:\n  m:\n    channels: {in: 2, out: 2}\n    mapping:\n"
                  + "      - {dest: 0, sources: [{channel: 2}]}\npipeline: []\n", 5, 39,
                  .invalidValue, "mixers.m.mapping.0.sources.0.channel is 2 but the mixer takes 2 input channels"),
        BadConfig("mixer dest twice", "mixers:\n  m:\n    channels: {in: 1, out: 1}\n    mapping:\n"
                  + "      - {dest: 0, sources: [{channel: 0}]}\n      - {dest: 0, sources: []}\npipeline: []\n", 6, 16,
                  .conflict, "output channel 0 is already mapped by mixers.m.mapping.0"),
        BadConfig("mixer without channels", "mixers:\n  m: {mapping: []}\npipeline: []\n", 2, 6,
                  .missingValue, "mixers.m has no channels"),
        BadConfig("mixer with zero outputs", "mixers:\n  m: {channels: {in: 1, out: 0}}\npipeline: []\n", 2, 30,
                  .invalidValue, "mixers.m.channels.out must be between 1 and 1024"),
        BadConfig("step without type", "pipeline:\n  - {names: [a]}\n", 2, 5,
                  .missingValue, "pipeline.0 has no type"),
        BadConfig("name on a filter step", filters + "pipeline:\n  - {type: filter, name: room}\n", 5, 20,
                  .unknownKey, "'name' does not apply to a filter step"),
        BadConfig("channel listed twice", filters + "pipeline:\n  - {type: filter, channels: [0, 0], names: [room]}\n",
                  5, 34, .conflict, "pipeline.0.channels.1: channel 0 is listed twice"),
        BadConfig("pipeline with kernel", "kernel: k.wav\n" + filters + "pipeline: []\n", 5, 1,
                  .conflict, "'pipeline' cannot be given with 'kernel'"),
        BadConfig("filters without pipeline", filters, 1, 1,
                  .missingValue, "'filters' is used only by a 'pipeline'"),
    ]

    @Test(arguments: cases) func rejectsBadGraph(_ bad: BadConfig) {
        bad.expectRejected()
    }

    @Test func readsAGraph() throws {
        let yaml = Self.filters + Self.mixer + """
            pipeline:
              - {type: mixer, name: up}
              - {type: filter, channels: [1], names: [room, flip]}
            """
        let file = try ConfigFile.parse(yaml: yaml, path: "/cfg/room.yaml")
        guard case .graph(let graph) = file.kernels else {
            Issue.record("not a graph: \(String(describing: file.kernels))")
            return
        }
        #expect(graph.pipeline == [.mixer("up"), .filters(["room", "flip"], channels: [1])])
        #expect(graph.filters["room"] == .convolution(ConvolutionFilter(path: "/cfg/room.wav")))
        #expect(graph.filters["flip"] == .gain(GainFilter(invert: true)))
        #expect(graph.mixers["up"] == MixerDefinition(inputs: 1, outputs: 2, sources: [[MixerSource(channel: 0)], []]))
        #expect(file.location(of: "pipeline.1.names.1").line == 11)
    }
}
