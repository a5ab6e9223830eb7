import ArgumentParser
import CLISupport
import CouponAPI
import CouponClient
import CouponMessages
import Foundation

/// `couponctl outbox deliver|status`: the signed states of phone-balance coupons, going back to
/// their phones (the patent's first embodiment).
public struct OutboxCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Deliver phone-balance coupons' new states to their phones as MMS and SMS files, or count them.",
        subcommands: [Deliver.self, Status.self])
    public init() {}

    struct Deliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write each waiting message as files (0600) for an MMS/SMS gateway, then mark it delivered.",
            discussion: """
                Each message is a coupon's new balance, signed, with its QR (the code and the state after '#'): \
                COUPON.SEQUENCE.png, .mms.eml and .sms.txt in --out. A message is marked delivered only after its \
                files are written; one whose deliverer died is handed out again when its lease ends, so running \
                this twice at once, or again after a crash, delivers each message at least once and marks it once.

                Example:
                  couponctl outbox deliver --out outgoing/
                """)
        @OptionGroup var server: ServerOptions
        @Option(help: "Output folder for the files.") var out: String
        @Option(help: "Files per message: png, svg, mms, sms (comma separated).") var format = "png,mms,sms"
        @Option(help: "Messages per claim (1 to 500).") var batch = 100
        @Option(help: "Seconds a claim keeps messages from other deliverers (1 to 3600).") var lease = 300
        @Option(help: "Language of the messages: en or zh (default: by phone number and campaign).")
        var language: MessageLanguage?
        @Flag(help: "One JSON line per message delivered, and a summary line.") var json = false

        func run() async throws {
            let formats = Set(format.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            guard !formats.isEmpty, formats.isSubset(of: IssueCommand.formats) else {
                throw IssuerError.badInput("--format takes png, svg, mms and sms, not '\(format)'")
            }
            guard (1...500).contains(batch), (1...3600).contains(lease) else {
                throw IssuerError.badInput("--batch is 1 to 500 and --lease 1 to 3600 seconds")
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let (out, batch, lease, language, json) = (self.out, self.batch, self.lease, self.language, self.json)
            let delivered = try await server.withAdmin { admin in
                var delivered = 0
                while true {
                    let claimed = try await admin.claimOutbox(limit: batch, leaseSeconds: lease).messages
                    if claimed.isEmpty { break }
                    for message in claimed {
                        let files = try Self.write(message, out: out, formats: formats, language: language)
                        if json { say(jsonLine(DeliveredLine(message, files: files))) }
                    }
                    delivered += try await admin.markDelivered(ids: claimed.map(\.id)).delivered
                }
                return delivered
            }
            if json {
                say(jsonLine(["delivered": delivered]))
            } else {
                say("\(delivered) message\(delivered == 1 ? "" : "s") delivered to \(out)")
            }
        }

        static func write(
            _ message: OutboxMessageBody, out: String, formats: Set<String>, language: MessageLanguage?
        ) throws -> [String] {
            let state = message.phoneState
            let text = CouponMessage(
                id: message.couponID, amount: major(state.balance), currency: state.balance.currency,
                expires: message.expiresAt.map { String($0.prefix(10)) }, link: message.qrPayload,
                phone: message.phone,
                language: MessageLanguage.choose(language, phone: message.phone, campaign: message.campaign),
                update: true)
            let base = (out as NSString).appendingPathComponent("\(message.couponID).\(state.sequence)")
            return try MessageFiles.write(text, payload: message.qrPayload, base: base, formats: formats).files
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "How many messages wait for delivery.")
        @OptionGroup var server: ServerOptions

        func run() async throws {
            let status = try await server.withAdmin { try await $0.outboxStatus() }
            say("\(status.pending) pending")
        }
    }
}

/// What `outbox deliver --json` prints per message: never the code (it is in the files only).
struct DeliveredLine: Encodable {
    var id: String
    var couponID: String
    var sequence: Int
    var balance: Amount
    var files: [String]

    init(_ message: OutboxMessageBody, files: [String]) {
        id = message.id
        couponID = message.couponID
        sequence = message.phoneState.sequence
        balance = message.phoneState.balance
        self.files = files
    }

    enum CodingKeys: String, CodingKey {
        case id, sequence, balance, files
        case couponID = "coupon_id"
    }
}
