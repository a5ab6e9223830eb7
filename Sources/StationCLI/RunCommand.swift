import ArgumentParser
import CLISupport
import CouponCore
import Foundation
import Imaging
import Scanning
import Station

#if canImport(Glibc)
    import Glibc
#endif

/// `coupon-station run`: the live checkout loop over a scanner, a video stream or a folder.
public struct RunCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the till: products add to the basket as they are seen, the coupon settles it.",
        discussion: """
            Inputs: --input (a keyboard-wedge or serial scanner's lines, AIM identifiers like ]E0 accepted, and the \
            operator's commands: qty N or *N, undo, cancel, reprint), --frames (a YUV4MPEG2 stream, as \
            ffmpeg -f v4l2 -i /dev/video0 -pix_fmt gray -f yuv4mpegpipe - writes it), --watch (a folder a capture \
            program drops images into), --camera (a V4L2 device). A code in view for many frames counts once until \
            it has been out of view for --gap seconds of stream time; a 1-D code counts when two frames agree.

            Example:
              ffmpeg -f v4l2 -i /dev/video0 -pix_fmt gray -f yuv4mpegpipe - 2>/dev/null | \\
                  coupon-station run --frames - --server http://shop:8080 --key $KEY --escpos /dev/usb/lp0
            """)

    @OptionGroup var options: StationOptions
    @Option(help: "Scanner and command lines: a file, a device, or - for standard input.") var input: String?
    @Option(help: "A YUV4MPEG2 stream: a file, a pipe, or - for standard input.") var frames: String?
    @Option(help: "A folder to watch for new images.") var watch: String?
    @Option(help: "A V4L2 camera device, such as /dev/video0.") var camera: String?
    @Option(help: "Seconds a code must be out of view before it counts again.") var gap = 0.7
    @Option(help: "Append text receipts here (default: standard output).") var receipt: String?
    @Option(help: "Send ESC/POS receipts to this file or printer device.") var escpos: String?
    @Option(help: "Terminal bell: auto (when standard error is a terminal), always, never.") var bell = "auto"
    @Flag(help: "Charge without asking the operator (unattended or scripted tills).") var yes = false

    public init() {}

    public func validate() throws {
        let sources = [input, frames, watch, camera].compactMap { $0 }
        guard !sources.isEmpty else { throw ValidationError("give an input: --input, --frames, --watch or --camera") }
        guard sources.filter({ $0 == "-" }).count <= 1 else {
            throw ValidationError("standard input can feed only one of --input and --frames")
        }
        guard gap > 0, gap <= 60 else { throw ValidationError("--gap is between 0 and 60 seconds") }
        guard ["auto", "always", "never"].contains(bell) else {
            throw ValidationError("--bell is auto, always or never")
        }
    }

    public func run() async throws {
        let resolved = try options.resolve()
        try await resolved.withCheckout(
            printer: resolved.printer(text: receipt, escpos: escpos, qr: nil, append: true)
        ) { checkout in
            try await loop(checkout)
        }
    }

    func loop(_ checkout: Checkout) async throws {
        try await recoverOpenCheckouts(checkout)
        await forwardOfflineSales(checkout, quiet: true)
        let confirmer = try Confirmer(yes: yes)
        let camera = try self.camera.map { try CameraSource.open($0) }
        let (input, frames, watch, gap) = (self.input, self.frames, self.watch, self.gap)
        let events = AsyncStream<TillEvent> { continuation in
            let sources = SourceSet(continuation: continuation)
            if let input { sources.start { try LineSource.read(input, into: continuation) } }
            if let frames { sources.start { try FrameSource.read(frames, gap: gap, into: continuation) } }
            if let watch { sources.start { try WatchSource.read(watch, into: continuation) } }
            if let camera { sources.start { try CameraSource.read(camera, gap: gap, into: continuation) } }
            sources.finishWhenDone()
        }
        let signal = Signal(mode: bell)
        var session = CheckoutSession()
        var settled = 0
        for await event in events {
            let effect: CheckoutSession.Effect
            switch event {
            case .line(let text): effect = session.handle(text)
            case .product(let code): effect = session.add(code)
            case .coupon(let text): effect = session.handle(text)
            case .problem(let message):
                signal.error(message)
                continue
            case .summary(let text):
                Terminal.error(text)
                continue
            }
            switch effect {
            case .added(let line):
                await announce(line, in: &session, checkout: checkout, signal: signal)
            case .removed(let line): signal.good("- removed \(line.quantity) x \(line.code)")
            case .quantity(let n): signal.good("next item counts \(n)")
            case .cancelled: signal.good("basket cancelled")
            case .ignored: break
            case .error(let message): signal.error(message)
            case .reprint:
                reprint(checkout, signal: signal)
            case .settle(let code, let state, let items):
                if await settle(
                    checkout, code: code, state: state, items: items, confirmer: confirmer, signal: signal)
                {
                    settled += 1
                    session.reset()
                }
            }
        }
        if !session.lines.isEmpty {
            Terminal.error("coupon-station: input ended with \(session.lines.count) line(s) not settled")
        }
        Terminal.error("coupon-station: \(settled) settlement(s)")
    }
}

extension RunCommand {
    /// Looks a scanned product up in the catalogue as it is added, as a till shows the name and
    /// price at once: an unknown code is taken back out with an error, so the basket never holds
    /// a line the provider will decline at the end. When the provider cannot be asked, the line
    /// stays (the settlement prices it) and the operator is told it was not checked.
    func announce(_ line: BasketLine, in session: inout CheckoutSession, checkout: Checkout, signal: Signal) async {
        let count = session.lines.count
        do {
            let product = try await checkout.client.product(code: line.code)
            signal.good(
                "+ \(line.quantity) x \(line.code) \(product.name) \(product.price)   (\(count) line(s) in the basket)")
        } catch .api(404, _) {
            _ = session.handle("undo")
            signal.error("unknown product \(line.code): not in the provider's catalogue, not added")
        } catch {
            signal.good("+ \(line.quantity) x \(line.code)   (\(count) line(s) in the basket; not checked: \(error))")
        }
    }

    func reprint(_ checkout: Checkout, signal: Signal) {
        do {
            guard let last = try checkout.journal.entry(nil)?.receipt else {
                signal.error("no receipt to reprint yet")
                return
            }
            try checkout.printer.print(last)
            signal.good("reprinted")
        } catch {
            signal.error("reprint failed: \(error)")
        }
    }

    /// Runs one checkout; true when it ended (paid or not), false when the basket should stay
    /// because the server could not be reached or refused (scanning the coupon again retries).
    func settle(
        _ checkout: Checkout, code: CouponCode, state: String?, items: [BasketLine], confirmer: Confirmer,
        signal: Signal
    ) async -> Bool {
        let outcome: Checkout.Outcome
        do {
            outcome = try await checkout.runOrSellOffline(
                code: code, state: state, items: items,
                offlineNotice: { why in signal.error("provider unreachable (\(why)): selling offline on the phone's balance") }
            ) { held in
                Terminal.error(SettleCommand.summary(held, lastFour: code.lastFour))
                return confirmer.confirm()
            }
        } catch {
            signal.error("\(error)")
            return false
        }
        if outcome.paid, outcome.receipt.offline != true {
            // The provider answers again: the sales made while it could not are sent now.
            await forwardOfflineSales(checkout, quiet: true)
        }
        if outcome.paid {
            signal.good(
                (outcome.receipt.offline == true ? "PAID OFFLINE: " : "PAID: ")
                    + (outcome.receipt.charged?.description ?? ""))
        } else {
            signal.error("NOT PAID: \(outcome.receipt.reason ?? "")")
        }
        if let problem = outcome.printError {
            signal.error("the receipt could not be printed (\(problem)); type reprint")
        }
        return true
    }
}

/// What the till's inputs deliver.
enum TillEvent: Sendable {
    /// A scanner or keyboard line: a code or a command.
    case line(String)
    /// A product barcode the camera counted.
    case product(String)
    /// A QR the camera counted: the coupon.
    case coupon(String)
    case problem(String)
    case summary(String)
}

/// The good-read bell, and a different signal (two bells and "ERROR") for a problem.
struct Signal {
    let ring: Bool

    init(mode: String) {
        ring = mode == "always" || (mode == "auto" && Terminal.stderrIsTerminal)
    }

    func good(_ message: String) {
        Terminal.error((ring ? "\u{07}" : "") + message)
    }

    func error(_ message: String) {
        Terminal.error((ring ? "\u{07}\u{07}" : "") + "ERROR: " + message)
    }
}

/// Asks the operator on the terminal, unless told not to.
struct Confirmer: Sendable {
    let yes: Bool

    init(yes: Bool) throws {
        self.yes = yes
        if !yes, FileManager.default.isReadableFile(atPath: "/dev/tty") == false {
            throw StationError.badInput("no terminal to confirm on: run with --yes")
        }
    }

    func confirm() -> Bool {
        if yes { return true }
        Terminal.error("Press Enter to charge the coupon, or type n and Enter to cancel: ")
        guard let tty = fopen("/dev/tty", "r") else { return false }
        defer { fclose(tty) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, 256, tty) != nil else { return false }
        let answer = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return !answer.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().hasPrefix("n")
    }
}

/// Runs each input in its own task and finishes the stream when all have ended.
final class SourceSet: @unchecked Sendable {  // Guarded by `lock`.
    private let continuation: AsyncStream<TillEvent>.Continuation
    private let lock = NSLock()
    private var running = 0
    private var started = false

    init(continuation: AsyncStream<TillEvent>.Continuation) { self.continuation = continuation }

    /// Runs `body` on its own thread: inputs block on reads, which must not hold up Swift's
    /// cooperative threads.
    func start(_ body: @escaping @Sendable () throws -> Void) {
        lock.withLock { running += 1 }
        let continuation = self.continuation
        Thread.detachNewThread { [self] in
            do { try body() } catch { continuation.yield(.problem("\(error)")) }
            self.ended()
        }
    }

    func finishWhenDone() {
        lock.withLock { started = true }
        checkDone()
    }

    private func ended() {
        lock.withLock { running -= 1 }
        checkDone()
    }

    private func checkDone() {
        let done = lock.withLock { started && running == 0 }
        if done { continuation.finish() }
    }
}
