import Foundation
import Testing

@Suite("couponctl against the real coupon-server", .serialized)
struct CouponctlTests {
    /// couponctl with the server's URL and admin key.
    static func ctl(_ server: LiveServer, _ arguments: [String], key: String? = nil) async throws -> ProcessResult {
        try await runDetached(
            "couponctl", arguments,
            environment: ["COUPON_SERVER": server.url, "COUPON_API_KEY": key ?? server.adminKey])
    }

    static func json(_ result: ProcessResult) -> [[String: Any]] {
        result.text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test("issue writes PNG, SVG, MMS and SMS per coupon and one JSON line each; the QR decodes to the payload")
    func issue() async throws {
        let server = try await LiveServer()
        let out = server.folder.appendingPathComponent("out")
        let result = try await Self.ctl(
            server,
            [
                "issue", "--amount", "300.00", "--currency", "CNY", "--count", "3", "--valid-for", "3y", "--campaign",
                "spring", "--out", out.path, "--format", "png,svg,mms,sms",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = Self.json(result)
        #expect(lines.count == 3)
        for line in lines {
            let id = try #require(line["id"] as? String)
            let payload = try #require(line["qr_payload"] as? String)
            let code = try #require(line["code"] as? String)
            #expect(payload == "https://cpn.example/c#" + code)
            #expect(line["amount"] as? Int == 30000)
            #expect((line["files"] as? [String])?.count == 4)
            let png = out.appendingPathComponent("\(id).png").path
            #expect(try await runDetached("coupon-station", ["scan", "--raw", "-q", png]).text == payload + "\n")
            let svg = try String(contentsOf: out.appendingPathComponent("\(id).svg"), encoding: .utf8)
            #expect(svg.hasPrefix("<?xml") || svg.hasPrefix("<svg"))
            let sms = try String(contentsOf: out.appendingPathComponent("\(id).sms.txt"), encoding: .utf8)
            #expect(sms.contains(payload) && sms.contains("300.00 CNY"))
            // One segment: the longest text that fits (the full text is 160+ characters).
            #expect(line["sms_segments"] as? Int == 1)
            #expect(sms.count <= 160)
            #expect(line["sms_encoding"] as? String == "GSM-7")
            // Files holding codes are for the issuer alone.
            for name in ["\(id).png", "\(id).svg", "\(id).mms.eml", "\(id).sms.txt"] {
                let mode =
                    try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent(name).path)[
                        .posixPermissions] as? Int
                #expect(mode == 0o600, "\(name): \(String(mode ?? 0, radix: 8))")
            }
        }
        // The MMS-style message parses with Python's email package; its PNG decodes back to the payload.
        let first = try #require(lines.first?["id"] as? String)
        let eml = out.appendingPathComponent("\(first).mms.eml").path
        let extracted = server.folder.appendingPathComponent("from-mms.png").path
        let script = """
            import email, sys
            from email import policy
            m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)
            assert m.get_content_type() == 'multipart/related', m.get_content_type()
            assert m.get_param('type') == 'application/smil' and m.get_param('start') == '<smil>'
            assert m['MIME-Version'] == '1.0' and m['Subject'].startswith('Your coupon: 300.00 CNY')
            parts = list(m.iter_parts())
            print(' '.join(p.get_content_type() for p in parts))
            smil = parts[0].get_payload(decode=True).decode()
            assert 'cid:qr' in smil and 'cid:text' in smil
            assert '300.00 CNY' in parts[1].get_payload(decode=True).decode('utf-8')
            open(sys.argv[2], 'wb').write(parts[2].get_payload(decode=True))
            """
        let parsed = try await runDetached("/usr/bin/python3", ["-c", script, eml, extracted])
        #expect(parsed.status == 0, "\(parsed.stderr)")
        #expect(parsed.text == "application/smil text/plain image/png\n")
        #expect(
            try await runDetached("coupon-station", ["scan", "--raw", "-q", extracted]).text
                == (lines.first?["qr_payload"] as? String ?? "") + "\n")

        let report = try await Self.ctl(server, ["report", "campaign", "spring"])
        #expect(report.status == 0)
        #expect(
            report.text
                == "spring CNY: 3 coupons, issued 900.00, loaded 0.00, adjusted 0.00, redeemed 0.00, expired 0.00, outstanding 900.00\n"
        )
        let csv = try await Self.ctl(server, ["issue", "--amount", "5", "--out", out.path, "--csv"])
        #expect(csv.text.hasPrefix("id,code,qr_payload,amount,currency,expires_at,phone,files\ncpn_"))
    }

    @Test("--from a recipients file: amounts and phones per row")
    func recipients() async throws {
        let server = try await LiveServer()
        let file = server.folder.appendingPathComponent("recipients.csv")
        try "phone,amount,currency,expiry\n+8613800000000,300.00,CNY,2030-12-31\n+8613900000000,50,CNY,\n".write(
            to: file, atomically: true, encoding: .utf8)
        let result = try await Self.ctl(
            server,
            [
                "issue", "--from", file.path, "--out", server.folder.appendingPathComponent("o").path, "--format",
                "png,mms,sms",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = Self.json(result)
        // A +86 number gets its messages in Chinese: one UCS-2 segment, the MMS tagged zh-CN, its
        // subject in Chinese, and the SMIL image region the PNG's own size.
        for line in lines {
            let files = line["files"] as? [String] ?? []
            let sms = try String(
                contentsOfFile: try #require(files.first { $0.hasSuffix(".sms.txt") }), encoding: .utf8)
            #expect(sms.contains("储值券") && sms.contains(line["qr_payload"] as? String ?? "?"), "\(sms)")
            #expect(line["sms_segments"] as? Int == 1 && line["sms_encoding"] as? String == "UCS-2")
            let mms = try String(
                contentsOfFile: try #require(files.first { $0.hasSuffix(".mms.eml") }), encoding: .utf8)
            #expect(mms.contains("Content-Language: zh-CN"))
            #expect(mms.contains("Subject: =?UTF-8?B?" + Data("您的储值券".utf8).base64EncodedString().prefix(12)))
            let png = try [UInt8](
                Data(contentsOf: URL(fileURLWithPath: try #require(files.first { $0.hasSuffix(".png") }))))
            let side = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
            let smilStart = try #require(
                mms.range(of: "Content-Location: coupon.smil\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
            let smilEnd = try #require(mms.range(of: "\r\n--", range: smilStart.upperBound..<mms.endIndex))
            let base64 = mms[smilStart.upperBound..<smilEnd.lowerBound].replacingOccurrences(of: "\r\n", with: "")
            let smil = String(decoding: try #require(Data(base64Encoded: base64)), as: UTF8.self)
            #expect(
                smil.contains(#"<region id="Image" top="0" left="0" width="\#(side)" height="\#(side)""#), "\(smil)")
        }
        #expect(lines.map { $0["amount"] as? Int } == [30000, 5000])
        #expect(lines.map { $0["phone"] as? String } == ["+8613800000000", "+8613900000000"])
        #expect((lines[0]["expires_at"] as? String)?.hasPrefix("2030-12-31") == true)
        let eml = try String(
            contentsOfFile: (lines[0]["files"] as? [String])?.first { $0.hasSuffix(".mms.eml") } ?? "", encoding: .utf8)
        #expect(eml.contains("To: +8613800000000/TYPE=PLMN"))
    }

    @Test("every other command: stdout and exit status, against the server's state")
    func commands() async throws {
        let server = try await LiveServer()
        let coupon = try await server.issue(30000)
        let id = coupon.id
        let lastFour = String(coupon.code.replacingOccurrences(of: "-", with: "").suffix(4))
        var r = try await Self.ctl(server, ["balance", coupon.code])
        #expect(r.status == 0)
        #expect(r.text.hasPrefix("\(id) …\(lastFour)  balance 300.00 CNY  available 300.00  active"))
        r = try await Self.ctl(server, ["load", id, "--amount", "50.00", "--reference", "INV-1"])
        #expect(r.status == 0)
        #expect(r.text.contains("balance 350.00 CNY"))
        r = try await Self.ctl(server, ["adjust", id, "--amount", "-10.00", "--reason", "till error"])
        #expect(r.text.contains("balance 340.00 CNY"))
        r = try await Self.ctl(server, ["block", id])
        #expect(r.text.contains("  blocked"))
        r = try await Self.ctl(server, ["block", id])
        #expect(r.status == 4)
        #expect(r.stderr == "couponctl: refused (409 wrong_state): the coupon is already blocked\n")
        r = try await Self.ctl(server, ["unblock", id])
        #expect(r.text.contains("  active"))
        r = try await Self.ctl(server, ["history", id])
        #expect(
            r.text.split(separator: "\n").map { $0.split(separator: " ").dropFirst().first.map(String.init) } == [
                "unblock", "block", "adjust", "load", "issue",
            ])

        // A sale, then a refund of it.
        let journal = server.folder.appendingPathComponent("journal.sqlite")
        let sale = try await runDetached(
            "coupon-station",
            ["settle", "--coupon-code", coupon.code, "--item-code", "8480000823274x3", "--yes", "--json"]
                + server.stationArguments(journal: journal))
        let settlement = try #require(Self.json(sale).first?["settlement_id"] as? String)
        r = try await Self.ctl(server, ["refund", settlement, "--line", "8480000823274x2"])
        #expect(r.text == "\(settlement) partially_refunded  refunded 12.00 CNY\n")
        r = try await Self.ctl(server, ["refund", settlement, "--line", "8480000823274x2"])
        #expect(r.status == 4)
        #expect(r.stderr.contains("only 1 of 08480000823274 are left to refund"))

        let out = server.folder.appendingPathComponent("re")
        r = try await Self.ctl(server, ["reissue", id, "--out", out.path])
        let newCode = try #require(Self.json(r).first?["code"] as? String)
        #expect(try await Self.ctl(server, ["balance", coupon.code]).status == 3)
        #expect(try await Self.ctl(server, ["balance", newCode]).text.contains("balance 334.00 CNY"))

        r = try await Self.ctl(server, ["products", "set", "4006381333931", "--name", "Pen", "--price", "3.50"])
        #expect(r.text == "04006381333931  3.50 CNY  Pen\n")
        r = try await Self.ctl(server, ["products", "list"])
        #expect(r.text.split(separator: "\n").count == 5)
        r = try await Self.ctl(
            server, ["products", "import", packageRoot.appendingPathComponent("samples/catalog.csv").path])
        #expect(r.text == "imported 4 products\n")
        r = try await Self.ctl(server, ["stations", "add", "till-2"])
        let stationKey = try #require(Self.json(r).first?["key"] as? String)
        let keyID = try #require(Self.json(r).first?["key_id"] as? String)
        r = try await Self.ctl(server, ["stations", "list"])
        #expect(r.text.split(separator: "\n").count == 2)
        #expect(!r.text.contains(stationKey))
        r = try await Self.ctl(server, ["keys", "revoke", keyID])
        #expect(r.text.contains("revoked"))
        r = try await Self.ctl(server, ["products", "list"], key: stationKey)
        #expect(r.status == 6)

        r = try await Self.ctl(server, ["report", "liability"])
        #expect(r.text.hasSuffix("  CNY 334.00\n"))
        let today = String(
            ISO8601DateFormatter.string(
                from: Date(), timeZone: TimeZone(identifier: "Asia/Shanghai")!, formatOptions: [.withFullDate]))
        r = try await Self.ctl(server, ["report", "daily", "--date", today])
        #expect(
            r.text == "\(today) till-1: 1 settlements, captured 18.00 CNY, refunded 12.00, voided 0, expired holds 0\n")
        r = try await Self.ctl(server, ["audit"])
        #expect(r.status == 0)
        #expect(r.text.hasPrefix("audit ok"))
        r = try await Self.ctl(server, ["export", "--since", "2020-01-01", "--csv"])
        let rows = r.text.split(separator: "\n")
        #expect(rows.first == "seq,at,coupon_id,kind,amount,currency,balance_before,balance_after,actor,settlement_id")
        #expect(rows.contains { $0.contains(",adjust,'-10.00,CNY,") })  // the minus neutralised for spreadsheets
        let backup = server.folder.appendingPathComponent("backup.sqlite")
        r = try await Self.ctl(server, ["backup", backup.path])
        #expect(r.status == 0)
        #expect(try Data(contentsOf: backup).starts(with: Array("SQLite format 3".utf8)))
    }

    @Test("bad input: unknown code, bad amount, wrong key, unreachable server, each one line and its status")
    func badInput() async throws {
        let server = try await LiveServer()
        let coupon = try await server.issue(30000)
        let cases: [([String], Int32, String)] = [
            (["balance", "K7QF-2M9X-ABCD-EFGH-JKMN-PQR0"], 2, "couponctl: not a coupon code"),
            (["history", "cpn_nothing"], 3, "couponctl: no such coupon\n"),
            (["load", coupon.id, "--amount", "12.345", "--reference", "x"], 2, "couponctl: bad amount '12.345'"),
            (["load", coupon.id, "--amount", "-5", "--reference", "x"], 2, "couponctl: bad amount '-5'"),
            (["issue", "--amount", "abc", "--out", server.folder.path], 2, "couponctl: bad amount 'abc'"),
            (["issue", "--amount", "1", "--currency", "XYZ", "--out", server.folder.path], 2, "unknown currency"),
            (["issue", "--amount", "1", "--format", "gif", "--out", server.folder.path], 2, "--format takes"),
            (["issue", "--amount", "1", "--expires", "2020-01-01", "--out", server.folder.path], 2, "in the past"),
            (["report", "daily", "--date", "tomorrow"], 2, "YYYY-MM-DD"),
            (["refund", "stl_nothing", "--line", "8480000823274"], 3, "no such settlement"),
        ]
        for (arguments, status, message) in cases {
            let result = try await Self.ctl(server, arguments)
            #expect(result.status == status, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        let wrongKey = try await Self.ctl(server, ["audit"], key: "ck_wrong")
        #expect(wrongKey.status == 6)
        #expect(wrongKey.stderr.contains("401"))
        let stationKey = try await Self.ctl(server, ["audit"], key: server.stationKey)
        #expect(stationKey.status == 6)
        #expect(stationKey.stderr.contains("403"))
        let unreachable = try await runDetached(
            "couponctl", ["audit"], environment: ["COUPON_SERVER": "http://127.0.0.1:9", "COUPON_API_KEY": "x"])
        #expect(unreachable.status == 5)
        #expect(unreachable.stderr.contains("unreachable"))
        let noServer = try await runDetached(
            "couponctl", ["audit"], environment: ["COUPON_SERVER": "", "COUPON_API_KEY": "x"])
        #expect(noServer.status == 2)
        let help = try await runDetached("couponctl", ["issue", "--help"])
        #expect(help.status == 0)
        #expect(help.text.contains("Example"))
    }
}

@Suite("couponctl reports totals past 64 bits exactly")
struct WideReportTests {
    @Test("10,000 coupons at the highest balance limit: couponctl report liability prints the exact total")
    func liabilityPastInt64() async throws {
        let server = try await LiveServer(environment: ["COUPON_MAX_BALANCE": "1000000000000000"])
        let api = APICalls(url: server.url)
        let batch = try await api.call(
            "POST", "/v1/coupons/batch", key: server.adminKey,
            body: #"{"count": 10000, "initial": {"amount": 1000000000000000, "currency": "CNY"}, "campaign": "max"}"#)
        #expect(batch.status == 201)
        let liability = try await CouponctlTests.ctl(server, ["report", "liability"])
        #expect(liability.status == 0, "\(liability.stderr)")
        #expect(liability.text.contains("CNY 100000000000000000.00"), "\(liability.text)")
        let campaign = try await CouponctlTests.ctl(server, ["report", "campaign", "max"])
        #expect(campaign.text.contains("issued 100000000000000000.00"), "\(campaign.text)")
    }
}
