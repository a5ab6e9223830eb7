import ArgumentParser
import CLISupport
import CouponAPI
import CouponClient
import CouponCore
import CouponMessages
import Foundation
import QRRender

/// `couponctl issue`: coupons from a script, each written once as QR files and one output line.
public struct IssueCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue coupons and write each one's QR as PNG, SVG, an MMS-style message or an SMS text.",
        discussion: """
            The code of a coupon is shown only now: it is written once, in the files and in one JSON line (or CSV \
            row with --csv) per coupon on standard output, and kept nowhere else.
            --from reads recipients from a CSV file: phone,amount,currency,expiry (a header row is allowed; \
            expiry is a date, a period like 3y, or empty).

            Examples:
              couponctl issue --amount 300.00 --currency CNY --count 100 --valid-for 3y --out coupons/
              couponctl issue --from recipients.csv --campaign spring --out mms/ --format png,mms,sms
            """)

    @OptionGroup var server: ServerOptions
    @Option(help: "The balance of each coupon, such as 300.00.") var amount: String?
    @Option(help: "ISO 4217 currency.") var currency = "CNY"
    @Option(help: "How many coupons alike.") var count = 1
    @Option(help: "Last day of validity, YYYY-MM-DD (the end of that day in the server's time zone).")
    var expires: String?
    @Option(name: .customLong("valid-for"), help: "Validity from today: 90d, 26w, 6m, 3y.") var validFor: String?
    @Option(help: "Recipient's phone number, +8613800000000 (one coupon).") var phone: String?
    @Option(help: "Campaign name for reports.") var campaign: String?
    @Option(
        help:
            "Language of the MMS and SMS: en or zh (default: zh for a +86 number or a campaign named in Chinese, else en)."
    )
    var language: MessageLanguage?
    @Option(name: .customLong("from"), help: "Recipients CSV: phone,amount,currency,expiry.") var from: String?
    @Option(help: "Output folder for the files.") var out: String
    @Option(help: "Files per coupon: png, svg, mms, sms (comma separated).") var format = "png"
    @Flag(help: "CSV instead of JSON lines on standard output.") var csv = false
    @Flag(
        help:
            "Keep the balance on the phone too (the patent's first embodiment): the QR carries a state signed by the provider, and after every change the provider sends the phone its next one (couponctl outbox deliver)."
    )
    var balanceOnPhone = false

    public init() {}

    static let formats: Set<String> = ["png", "svg", "mms", "sms"]

    public func run() async throws {
        let formats = Set(format.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        guard !formats.isEmpty, formats.isSubset(of: Self.formats) else {
            throw IssuerError.badInput("--format takes png, svg, mms and sms, not '\(format)'")
        }
        let entries = try requests()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        if csv { say("id,code,qr_payload,amount,currency,expires_at,phone,files") }
        let campaign = self.campaign
        try await server.withAdmin { admin in
            var progress = ProgressBar(total: entries.count, minimum: 200)
            var done = 0
            for start in stride(from: 0, to: entries.count, by: 1000) {
                let chunk = Array(entries[start..<min(start + 1000, entries.count)])
                // Under an idempotency key (a fresh one per batch), a retry after a lost answer
                // gets the same coupons back.
                let answer = try await admin.issue(
                    batch: BatchBody(campaign: campaign, coupons: chunk, balanceOnPhone: balanceOnPhone ? true : nil))
                guard answer.coupons.count == chunk.count else {
                    throw IssuerError.server("the batch answer does not list the coupons issued")
                }
                for (index, coupon) in answer.coupons.enumerated() {
                    try write(coupon, phone: chunk[index].phone, formats: formats)
                    done += 1
                    progress.update(done)
                }
            }
            progress.finish()
        }
    }

    /// The issue bodies, one per coupon.
    func requests() throws -> [IssueBody] {
        if let from {
            guard amount == nil, phone == nil, count == 1 else {
                throw IssuerError.badInput(
                    "--from takes amounts and phones from the file; drop --amount, --phone, --count")
            }
            return try RecipientsCSV.read(from).map { row in
                IssueBody(
                    initial: Amount(
                        amount: try parseAmount(row.amount, currency: row.currency), currency: row.currency),
                    expiry: try ExpiryText.body(date: row.expiry, period: nil), phone: row.phone)
            }
        }
        guard let amount else { throw IssuerError.badInput("give --amount (and --currency), or --from FILE") }
        guard (1...1_000_000).contains(count) else { throw IssuerError.badInput("--count is 1 to 1,000,000") }
        guard phone == nil || count == 1 else {
            throw IssuerError.badInput("--phone names one recipient: use --count 1")
        }
        guard expires == nil || validFor == nil else {
            throw IssuerError.badInput("give --expires or --valid-for, not both")
        }
        let body = IssueBody(
            initial: Amount(amount: try parseAmount(amount, currency: currency), currency: currency.uppercased()),
            expiry: try ExpiryText.body(date: expires, period: validFor), phone: phone)
        return Array(repeating: body, count: count)
    }

    func write(_ coupon: Coupon, phone: String?, formats: Set<String>) throws {
        guard let code = coupon.code, let payload = coupon.qrPayload else {
            throw IssuerError.server("an issued coupon lacks its code or payload")
        }
        let (id, balance) = (coupon.id, coupon.balance)
        var record = IssuedRecord(
            id: id, code: code, qrPayload: payload, amount: balance.amount, currency: balance.currency,
            expiresAt: coupon.expiresAt, phone: phone)
        let message = CouponMessage(
            id: id, amount: major(balance), currency: balance.currency,
            expires: coupon.expiresAt.map { String($0.prefix(10)) }, link: payload, phone: phone,
            language: MessageLanguage.choose(language, phone: phone, campaign: campaign))
        let written = try MessageFiles.write(
            message, payload: payload, base: (out as NSString).appendingPathComponent(id), formats: formats)
        record.files = written.files
        record.smsSegments = written.sms?.segments
        record.smsEncoding = written.sms?.encoding
        if csv {
            let cells: [String] = [
                id, code, payload, major(balance), balance.currency, coupon.expiresAt ?? "", phone ?? "",
                written.files.joined(separator: " "),
            ]
            say(cells.map(CSVCell.escape).joined(separator: ","))
        } else {
            say(jsonLine(record))
        }
    }
}

/// What `issue` prints for each coupon: one JSON line with its code, shown this once.
struct IssuedRecord: Encodable {
    var id: String
    var code: String
    var qrPayload: String
    var amount: Int64
    var currency: String
    var expiresAt: String?
    var phone: String?
    var smsSegments: Int?
    var smsEncoding: String?
    var files: [String] = []

    enum CodingKeys: String, CodingKey {
        case id, code, amount, currency, phone, files
        case qrPayload = "qr_payload"
        case expiresAt = "expires_at"
        case smsSegments = "sms_segments"
        case smsEncoding = "sms_encoding"
    }
}

/// Expiry as the API takes it: `{"date": "2027-12-31"}`, or a period from today turned into days.
enum ExpiryText {
    static func body(date: String?, period: String?) throws(IssuerError) -> Expiry? {
        if let date, !date.isEmpty {
            if let days = try? days(in: date) { return Expiry(days: days) }
            guard CalendarDay(date) != nil else {
                throw .badInput("write an expiry as a real day, YYYY-MM-DD, or a period like 3y, not '\(date)'")
            }
            return Expiry(date: date)
        }
        if let period { return Expiry(days: try days(in: period)) }
        return nil
    }

    /// Days in `90d`, `26w`, `6m` (months of the calendar from today), `3y`.
    static func days(in period: String) throws(IssuerError) -> Int {
        guard let unit = period.last, let number = Int(period.dropLast()), number > 0, number <= 100 * 366 else {
            throw .badInput("write a period as 90d, 26w, 6m or 3y, not '\(period)'")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let now = Date()
        let component: Calendar.Component
        switch unit {
        case "d": return number
        case "w": return number * 7
        case "m": component = .month
        case "y": component = .year
        default: throw .badInput("write a period as 90d, 26w, 6m or 3y, not '\(period)'")
        }
        guard let end = calendar.date(byAdding: component, value: number, to: now) else {
            throw .badInput("the period \(period) is too long")
        }
        return calendar.dateComponents([.day], from: now, to: end).day ?? number
    }
}

/// Recipients for a campaign: phone,amount,currency,expiry.
enum RecipientsCSV {
    struct Row {
        var phone: String?
        var amount: String
        var currency: String
        var expiry: String?
    }

    static func read(_ path: String) throws(IssuerError) -> [Row] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .badInput("cannot read \(path) as UTF-8 text")
        }
        var rows: [Row] = []
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if fields.allSatisfy(\.isEmpty) { continue }
            if index == 0, fields.first?.lowercased() == "phone" { continue }
            guard fields.count >= 3, fields.count <= 4 else {
                throw .badInput("\(path) line \(index + 1): expected phone,amount,currency,expiry")
            }
            rows.append(
                Row(
                    phone: fields[0].isEmpty ? nil : fields[0], amount: fields[1], currency: fields[2].uppercased(),
                    expiry: fields.count == 4 && !fields[3].isEmpty ? fields[3] : nil))
        }
        guard !rows.isEmpty else { throw .badInput("\(path) lists no recipients") }
        return rows
    }
}

/// CSV cells that a spreadsheet will not run: quoted when needed, formulas neutralised.
enum CSVCell {
    static func escape(_ text: String) -> String {
        var cell = text
        if let first = cell.first, "=+-@\t\r".contains(first) { cell = "'" + cell }
        if cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            cell = "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return cell
    }
}

extension MessageLanguage: ExpressibleByArgument {}
