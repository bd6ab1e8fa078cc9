import ArgumentParser

/// `firpipe status`: the running daemon's state and counters as JSON.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print a running daemon's status as JSON.",
        discussion: """
            Exit codes: 69 no daemon listens, 77 permission denied on the socket (run as root), \
            75 no answer in time.
            """)

    @OptionGroup var options: ControlOptions

    func run() throws {
        let reply = try options.exchange("status")
        print(reply)
        if let answer = ControlReply(json: reply), !answer.ok {
            throw fail(answer.error ?? "the daemon refused `status`", code: SysExits.software)
        }
    }
}
