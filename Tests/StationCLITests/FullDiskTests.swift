import Foundation
import Testing

/// `coupon-server` with its database on a small tmpfs, mounted inside its own mount namespace
/// (`unshare -m`, as root): the disk really fills, as `RLIMIT_FSIZE` would not show.
final class FullDiskServer: @unchecked Sendable {  // One test owns it.
    let folder: URL
    let url: String
    let adminKey: String
    private let process = Process()

    init() async throws {
        folder = try temporaryFolder()
        let disk = folder.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        let server = productsFolder.appendingPathComponent("coupon-server").path
        let outside = folder.path
        // Inside the namespace: mount the tmpfs, start the server on it, copy its admin key out,
        // fill the disk when `fill` appears, free it when `free` appears.
        let script = """
            set -e
            mount -t tmpfs -o size=8m tmpfs '\(disk.path)'
            ( while [ ! -s '\(disk.path)/data/admin.key' ]; do sleep 0.05; done
              cp '\(disk.path)/data/admin.key' '\(outside)/admin.key'
              while [ ! -e '\(outside)/fill' ]; do sleep 0.05; done
              dd if=/dev/zero of='\(disk.path)/filler' bs=4k 2>/dev/null || true
              touch '\(outside)/filled'
              while [ ! -e '\(outside)/free' ]; do sleep 0.05; done
              rm -f '\(disk.path)/filler'
              touch '\(outside)/freed' ) &
            exec '\(server)' serve --port 0 --port-file '\(outside)/port' \
                --database '\(disk.path)/data/coupons.sqlite' --public-url https://cpn.example
            """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-m", "/bin/sh", "-c", script]
        process.standardOutput = FileHandle.nullDevice
        let log = folder.appendingPathComponent("server.log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw LiveServerError("cannot create \(log.path)")
        }
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        var port = 0
        for _ in 0..<400 where port == 0 || !FileManager.default.fileExists(atPath: outside + "/admin.key") {
            try await Task.sleep(for: .milliseconds(50))
            port = Int((try? String(contentsOfFile: outside + "/port", encoding: .utf8))?.trimmed ?? "") ?? 0
        }
        guard port != 0 else {
            throw LiveServerError(
                "coupon-server on a tmpfs did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        url = "http://127.0.0.1:\(port)"
        adminKey = try String(contentsOfFile: outside + "/admin.key", encoding: .utf8).trimmed
    }

    /// Creates `name` in the test folder and waits for the script's answer `reply`.
    func signal(_ name: String, awaiting reply: String) async throws {
        guard FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: nil) else {
            throw LiveServerError("cannot create the signal file \(name)")
        }
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: folder.appendingPathComponent(reply).path) {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(reply).path) else {
            throw LiveServerError("the disk script did not answer \(name)")
        }
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

@Suite("A full disk: 503, nothing half-written, and recovery when space returns", .serialized)
struct FullDiskTests {
    static let canMount = (try? run("/usr/bin/unshare", ["-m", "/bin/true"]).status) == 0

    @Test(
        "settlements on a full disk answer 201 or 503, never 500; the ledger holds exactly the 201s",
        .enabled(if: canMount, "needs unshare -m (root)"))
    func fullDisk() async throws {
        let server = try await FullDiskServer()
        let api = APICalls(url: server.url)
        let station = try await api.call("POST", "/v1/stations", key: server.adminKey, body: #"{"name": "till-1"}"#)
        let stationKey = try #require(station.body["key"] as? String)
        _ = try await api.call(
            "PUT", "/v1/products/8413000065504", key: server.adminKey,
            body: #"{"name": "Cake", "price": {"amount": 100, "currency": "CNY"}}"#)
        let coupon = try await api.call(
            "POST", "/v1/coupons", key: server.adminKey, body: #"{"initial": {"amount": 100000, "currency": "CNY"}}"#)
        let code = try #require(coupon.body["code"] as? String)
        let id = try #require(coupon.body["id"] as? String)
        let cake = #"{"coupon_code": "\#(code)", "items": [{"product_code": "8413000065504", "quantity": 1}]}"#

        try await server.signal("fill", awaiting: "filled")
        var accepted = 0, unavailable = 0, other: [Int] = []
        for _ in 0..<200 {
            let answer = try await api.call("POST", "/v1/settlements", key: stationKey, body: cake)
            switch answer.status {
            case 201: accepted += 1
            case 503: unavailable += 1
            default: other.append(answer.status)
            }
        }
        let batch = try await api.call(
            "POST", "/v1/coupons/batch", key: server.adminKey,
            body: #"{"count": 2000, "initial": {"amount": 100, "currency": "CNY"}}"#)
        #expect(batch.status == 503)
        #expect(batch.body["error"] != nil)
        #expect(other.isEmpty, "answers other than 201 and 503: \(other)")
        #expect(unavailable > 0)

        try await server.signal("free", awaiting: "freed")
        var recovered = false
        for _ in 0..<20 where !recovered {
            let answer = try await api.call("POST", "/v1/settlements", key: stationKey, body: cake)
            if answer.status == 201 {
                accepted += 1; recovered = true
            } else {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        #expect(recovered)
        let after = try await api.call("GET", "/v1/coupons/\(id)", key: server.adminKey)
        #expect((after.body["balance"] as? [String: Any])?["amount"] as? Int == 100000 - 100 * accepted)
        let ledger = try await api.call("GET", "/v1/coupons/\(id)/ledger", key: server.adminKey)
        let captures = (ledger.body["entries"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "capture" }
        #expect(captures.count == accepted)
        let audit = try await api.call("GET", "/v1/audit", key: server.adminKey)
        #expect(audit.body["ok"] as? Bool == true)
    }
}
