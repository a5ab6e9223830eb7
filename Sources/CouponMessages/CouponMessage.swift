import CouponCore
import Foundation
import QRRender

/// The language of a coupon's messages.
public enum MessageLanguage: String, Sendable, CaseIterable {
    case en
    case zh

    /// `--language` when given; else Chinese for a Chinese number (+86) or a campaign named in
    /// Chinese characters; else English.
    public static func choose(_ explicit: MessageLanguage?, phone: String?, campaign: String?) -> MessageLanguage {
        if let explicit { return explicit }
        if let phone, phone.hasPrefix("+86") || phone.hasPrefix("0086") { return .zh }
        if let campaign, campaign.unicodeScalars.contains(where: { (0x4E00...0x9FFF).contains($0.value) }) {
            return .zh
        }
        return .en
    }

    /// The MIME `Content-Language`.
    public var tag: String { self == .zh ? "zh-CN" : "en" }
}

/// The text a customer receives with a coupon, and the MMS-style MIME message and SMS around it:
/// what `couponctl issue` and `outbox deliver` write, and what the server's outbox webhook sends.
public struct CouponMessage: Sendable {
    public var id: String
    public var amount: String
    public var currency: String
    public var expires: String?
    public var link: String
    public var phone: String?
    public var language: MessageLanguage = .en
    public var sender = "coupons@cpn.example"
    /// A phone-balance coupon's new state after a change (not its issue): the message says the
    /// balance is new and the QR replaces the one before.
    public var update = false

    public init(
        id: String, amount: String, currency: String, expires: String?, link: String, phone: String?,
        language: MessageLanguage = .en, update: Bool = false
    ) {
        self.id = id
        self.amount = amount
        self.currency = currency
        self.expires = expires
        self.link = link
        self.phone = phone
        self.language = language
        self.update = update
    }

    /// The message body: amount, expiry, how to use it, the balance link.
    public var text: String {
        switch language {
        case .en:
            var text = update ? "Your coupon's balance is now \(amount) \(currency)" : "Your coupon: \(amount) \(currency)"
            if let expires { text += ", valid until \(expires)" }
            text +=
                update
                ? ". Show this new QR code at the till from now on; it carries the new balance."
                : ". Show this QR code at the till; spend it bit by bit until the balance is gone."
            return text + " Balance: \(link)"
        case .zh:
            var text = update ? "您的储值券余额现为：\(amount) \(currency)" : "您的储值券：\(amount) \(currency)"
            if let expires { text += "，有效期至 \(expires)" }
            text += update ? "。今后结账请出示此新二维码，它载有新余额。" : "。结账时出示此二维码，可分多次使用，直至余额用完。"
            return text + "余额：\(link)"
        }
    }

    /// The subject of the MMS.
    public var subject: String {
        switch (language, update) {
        case (.zh, false): "您的储值券：\(amount) \(currency)"
        case (.zh, true): "储值券新余额：\(amount) \(currency)"
        case (.en, false): "Your coupon: \(amount) \(currency)"
        case (.en, true): "Your coupon's new balance: \(amount) \(currency)"
        }
    }

    /// Shorter texts for an SMS, most informative first; each still carries the link.
    var smsCandidates: [String] {
        switch language {
        case .en:
            var short = "Coupon \(amount) \(currency)"
            if let expires { short += ", valid until \(expires)" }
            return [text, short + ". Show the QR at the till: \(link)", "Coupon \(amount) \(currency): \(link)"]
        case .zh:
            var short = "储值券\(amount)\(currency)"
            if let expires { short += "，至\(expires)" }
            return [text, short + "，结账出示：\(link)", "储值券\(amount)\(currency)：\(link)"]
        }
    }

    /// The SMS: the most informative text that fits one segment (the shortest when none does),
    /// with its encoding and segment count.
    public var sms: (text: String, encoding: String, segments: Int) {
        let measured = smsCandidates.map { text in (text: text, size: Self.segments(text)) }
        let chosen = measured.first { $0.size.segments == 1 } ?? measured.min { $0.size.segments < $1.size.segments }!
        return (chosen.text, chosen.size.encoding, chosen.size.segments)
    }

    /// GSM-7 (160 per segment, 153 when split) or UCS-2 (70, 67).
    static func segments(_ text: String) -> (encoding: String, segments: Int) {
        let gsm = text.unicodeScalars.allSatisfy { Self.gsmBasic.contains($0) }
        let units = gsm ? text.unicodeScalars.count : text.utf16.count
        let (single, multi) = gsm ? (160, 153) : (70, 67)
        return (gsm ? "GSM-7" : "UCS-2", units <= single ? 1 : (units + multi - 1) / multi)
    }

    static let gsmBasic: Set<Unicode.Scalar> = Set(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
            + "abcdefghijklmnopqrstuvwxyzäöñüà").unicodeScalars)

    /// An MMS-style MIME message: `multipart/related` with a SMIL presentation, the text and the QR
    /// PNG, each part base64 in lines of 76; ready for an MMS or email gateway.
    public func mime(png: [UInt8], date: Date = Date()) -> String {
        let boundary = "=_coupon_\(id)_\(SecureID.hex(8))"
        // The image region is the PNG's own size (read from its IHDR), so the QR is not scaled.
        let side = Self.pngWidth(png) ?? 320
        let width = max(side, 320)
        let smil = """
            <smil><head><layout><root-layout width="\(width)" height="\(side + 160)"/>\
            <region id="Image" top="0" left="0" width="\(side)" height="\(side)" fit="meet"/>\
            <region id="Text" top="\(side)" left="0" width="\(width)" height="160"/></layout></head>\
            <body><par dur="10s"><img src="cid:qr" region="Image"/><text src="cid:text" region="Text"/></par></body></smil>
            """
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var headers = [
            "From: \(sender)",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(id).\(SecureID.hex())@cpn.example>",
            "Subject: \(Self.encodedWord(subject))",
            "MIME-Version: 1.0",
            "Content-Type: multipart/related; boundary=\"\(boundary)\"; type=\"application/smil\"; start=\"<smil>\"",
        ]
        if let phone { headers.insert("To: \(phone)/TYPE=PLMN", at: 1) }
        var out = headers.joined(separator: "\r\n") + "\r\n\r\nThis is an MMS-style MIME message.\r\n"
        func part(_ type: String, id: String, location: String, language: String? = nil, _ bytes: [UInt8]) {
            out += "--\(boundary)\r\n"
            out += "Content-Type: \(type)\r\nContent-ID: <\(id)>\r\nContent-Location: \(location)\r\n"
            if let language { out += "Content-Language: \(language)\r\n" }
            out += "Content-Transfer-Encoding: base64\r\n\r\n"
            out += Self.base64Lines(bytes) + "\r\n"
        }
        part("application/smil; charset=utf-8", id: "smil", location: "coupon.smil", Array(smil.utf8))
        part(
            "text/plain; charset=utf-8", id: "text", location: "coupon.txt", language: language.tag, Array(text.utf8))
        part("image/png", id: "qr", location: "\(id).png", png)
        out += "--\(boundary)--\r\n"
        return out
    }

    /// The width of a PNG from its IHDR chunk, or nil when `png` is not one.
    static func pngWidth(_ png: [UInt8]) -> Int? {
        guard png.count >= 24, png.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
        return png[16..<20].reduce(0) { $0 << 8 | Int($1) }
    }

    /// RFC 2047 for a non-ASCII header value.
    static func encodedWord(_ text: String) -> String {
        text.allSatisfy(\.isASCII) ? text : "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Data(bytes).base64EncodedString()
        var lines: [Substring] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[index..<end])
            index = end
        }
        return lines.joined(separator: "\r\n")
    }
}

/// A coupon's QR and messages as files: `BASE.png`, `.svg`, `.mms.eml`, `.sms.txt` (each 0600:
/// they hold the code), for `issue` and for `outbox deliver`.
public enum MessageFiles {
    public static func write(_ message: CouponMessage, payload: String, base: String, formats: Set<String>) throws
        -> (files: [String], sms: (text: String, encoding: String, segments: Int)?)
    {
        let matrix = try QREncoder.encode(text: payload, level: .medium)
        let png = try QRRenderer.png(matrix)
        var files: [String] = []
        func put(_ bytes: [UInt8], _ suffix: String) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: base + suffix))
            files.append(base + suffix)
        }
        if formats.contains("png") { try put(png, ".png") }
        if formats.contains("svg") { try put(Array(QRRenderer.svg(matrix).utf8), ".svg") }
        if formats.contains("mms") { try put(Array(message.mime(png: png).utf8), ".mms.eml") }
        var sms: (text: String, encoding: String, segments: Int)? = nil
        if formats.contains("sms") {
            let chosen = message.sms
            try put(Array(chosen.text.utf8), ".sms.txt")
            sms = chosen
        }
        return (files, sms)
    }
}
