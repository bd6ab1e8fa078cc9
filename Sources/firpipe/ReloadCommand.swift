import ArgumentParser

/// `firpipe reload`: make the running daemon read its config again, like `systemctl reload`, but wait
/// for the outcome and print it.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make a running daemon reload its config, and print the outcome as JSON.",
        discussion: """
            Exit codes: 78 the daemon rejected the new config (it keeps the old one running), 69 no daemon \
            listens, 77 permission denied on the socket, 75 no answer in time, 76 a reply that is not JSON.
            """)

    @OptionGroup var options: ControlOptions

    func run() throws {
        let reply = try options.exchange("reload")
        print(reply)
        guard let answer = ControlReply(json: reply) else {
            throw fail(
                "the daemon's reply to `reload` is not a JSON {\"ok\": …} object", code: SysExits.protocolError)
        }
        if !answer.ok {
            throw fail(answer.error ?? "the daemon rejected the reload", code: SysExits.config)
        }
    }
}
