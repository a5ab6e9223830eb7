import ArgumentParser
import CLISupport
import Synchronization

/// coupon-station's command tree. The executable runs it and chooses the exit statuses.
public struct StationCommands: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "coupon-station",
        abstract: "The settlement station: reads coupon QR codes and product barcodes, settles, prints receipts.",
        discussion: """
            Exit status: 0 paid (or done), 1 scan: unreadable images, 2 bad input or wrong key, 3 declined or \
            cancelled, 4 scan: images without a symbol, 5 server unreachable or failed, 7 the station journal \
            cannot be written (disk full, read-only, corrupt), 64 usage.
            """,
        version: ProgramVersion.text,
        subcommands: [
            ScanCommand.self, SettleCommand.self, RunCommand.self, ReprintCommand.self, RecoverCommand.self,
            SyncCommand.self, ForwardCommand.self, BalanceCommand.self,
        ]
    )

    public init() {}
}

/// What a program embedding these commands may observe: called after each checkout step is
/// journalled (`sending`, `held`, `confirmed`, `captured`). coupon-station sets nothing; the
/// crash tests' harness (Tests/StationCrash) kills itself here.
public enum CheckoutHooks {
    private static let hook = Mutex<@Sendable (String) -> Void>({ _ in })

    public static var afterStep: @Sendable (String) -> Void {
        get { hook.withLock { $0 } }
        set { hook.withLock { $0 = newValue } }
    }
}
