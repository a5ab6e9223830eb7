import CouponCore
import Foundation

/// The text a customer receives with a coupon, and the MMS-style MIME message and SMS around it.
struct CouponMessage {
    var id: String
    var amount: String
    var currency: String
    var expires: String?
    var link: String
    var phone: String?
    var sender = "coupons@cpn.example"

    /// The message body: amount, expiry, how to use it, the balance link.
    var text: String {
        var text = "Your coupon: \(amount) \(currency)"
        if let expires { text += ", valid until \(expires)" }
        text += ". Show this QR code at the till; spend it bit by bit until the balance is gone."
        text += " Balance: \(link)"
        return text
    }

    /// The SMS: the message text, with its encoding and segment count.
    var sms: (text: String, encoding: String, segments: Int) {
        let text = self.text
        let gsm = text.unicodeScalars.allSatisfy { Self.gsmBasic.contains($0) }
        let units = gsm ? text.unicodeScalars.count : text.utf16.count
        let (single, multi) = gsm ? (160, 153) : (70, 67)
        let segments = units <= single ? 1 : (units + multi - 1) / multi
        return (text, gsm ? "GSM-7" : "UCS-2", segments)
    }

    static let gsmBasic: Set<Unicode.Scalar> = Set(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
            + "abcdefghijklmnopqrstuvwxyzäöñüà").unicodeScalars)

    /// An MMS-style MIME message: `multipart/related` with a SMIL presentation, the text and the QR
    /// PNG, each part base64 in lines of 76; ready for an MMS or email gateway.
    func mime(png: [UInt8], date: Date = Date()) -> String {
        let boundary = "=_coupon_\(id)_\(SecureID.hex(8))"
        let smil = """
            <smil><head><layout><root-layout width="320" height="480"/>\
            <region id="Image" top="0" left="0" width="320" height="320" fit="meet"/>\
            <region id="Text" top="320" left="0" width="320" height="160"/></layout></head>\
            <body><par dur="10s"><img src="cid:qr" region="Image"/><text src="cid:text" region="Text"/></par></body></smil>
            """
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var headers = [
            "From: \(sender)",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(id).\(SecureID.hex())@cpn.example>",
            "Subject: \(Self.encodedWord("Your coupon: \(amount) \(currency)"))",
            "MIME-Version: 1.0",
            "Content-Type: multipart/related; boundary=\"\(boundary)\"; type=\"application/smil\"; start=\"<smil>\"",
        ]
        if let phone { headers.insert("To: \(phone)/TYPE=PLMN", at: 1) }
        var out = headers.joined(separator: "\r\n") + "\r\n\r\nThis is an MMS-style MIME message.\r\n"
        func part(_ type: String, id: String, location: String, _ bytes: [UInt8]) {
            out += "--\(boundary)\r\n"
            out += "Content-Type: \(type)\r\nContent-ID: <\(id)>\r\nContent-Location: \(location)\r\n"
            out += "Content-Transfer-Encoding: base64\r\n\r\n"
            out += Self.base64Lines(bytes) + "\r\n"
        }
        part("application/smil; charset=utf-8", id: "smil", location: "coupon.smil", Array(smil.utf8))
        part("text/plain; charset=utf-8", id: "text", location: "coupon.txt", Array(text.utf8))
        part("image/png", id: "qr", location: "\(id).png", png)
        out += "--\(boundary)--\r\n"
        return out
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
