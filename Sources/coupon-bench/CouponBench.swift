import ArgumentParser

@main
struct CouponBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coupon-bench",
        abstract: "Measures decoding and rendering speed against the peer tools, in one run.",
        discussion: """
            Run in release mode:
              swift run -c release coupon-bench scan samples/photos samples/screens
              swift run -c release coupon-bench render
            """,
        subcommands: [
            ScanBench.self, RenderBench.self, InspectCommand.self, SettleBench.self, PhonePhotoCommand.self,
            ClipCommand.self, IssueBench.self, StationBench.self, IDsCommand.self, PhoneSetCommand.self, ConsoleBench.self,
        ]
    )

    static func main() async {
        Interrupts.install()
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
