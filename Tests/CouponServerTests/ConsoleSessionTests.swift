import CouponCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// The console's sessions over the real socket, on a clock the test moves: idle and absolute
/// expiry, the viewer role, the Secure flag, an ended session, a form sent twice.
@Suite("Console sessions: expiry, roles, cookie flags")
struct ConsoleSessionTests {
    /// A clock the test moves by hand.
    final class TestClock: Sendable {
        private let seconds = Mutex<Int64>(1_800_000_000)
        var now: Instant { Instant(secondsSince1970: seconds.withLock { $0 }) }
        func advance(minutes: Int64) { seconds.withLock { $0 += minutes * 60 } }
    }

    struct Page {
        var status: Int
        var headers: HTTPFields
        var body: String
        var location: String? { headers[.location] }
    }

    static func send(
        _ client: TestServer.Client, _ method: HTTPRequest.Method, _ path: String, cookie: String? = nil,
        form: [String: String]? = nil, headers extra: HTTPFields = [:]
    ) async throws -> Page {
        var headers = extra
        if let cookie { headers[.cookie] = "coupon_console=\(cookie)" }
        var body: ByteBuffer? = nil
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-_.")
            body = ByteBuffer(
                string: form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
                    .joined(separator: "&"))
        }
        let response = try await client.client.execute(uri: path, method: method, headers: headers, body: body)
        return Page(status: Int(response.status.code), headers: response.headers, body: String(buffer: response.body))
    }

    /// Signs in and returns the session id from the cookie, with the whole Set-Cookie line.
    static func signIn(_ client: TestServer.Client, form: [String: String], headers: HTTPFields = [:]) async throws
        -> (id: String, setCookie: String)
    {
        let answer = try await send(client, .post, "/console/login", form: form, headers: headers)
        #expect(answer.status == 303 && answer.location == "/console")
        let line = try #require(answer.headers[.setCookie])
        let value = try #require(line.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last)
        return (String(value), line)
    }

    static func csrf(in page: String) throws -> String {
        let marker = #"name="csrf" value=""#
        let start = try #require(page.range(of: marker)).upperBound
        return String(page[start...].prefix { $0 != "\"" })
    }

    @Test("a session ends after 30 minutes unused and after 12 hours in all; sign out ends it on the server")
    func expiry() async throws {
        var server = try await TestServer()
        let clock = TestClock()
        server.configuration.clock = { clock.now }
        let adminKey = server.adminKey
        try await server.run { client in
            let session = try await Self.signIn(client, form: ["key": adminKey])
            #expect(session.setCookie.contains("HttpOnly") && session.setCookie.contains("SameSite=Strict"))
            #expect(session.setCookie.contains("Path=/console") && !session.setCookie.contains("Secure"))
            #expect(try await Self.send(client, .get, "/console", cookie: session.id).status == 200)
            clock.advance(minutes: 29)
            #expect(try await Self.send(client, .get, "/console", cookie: session.id).status == 200)
            clock.advance(minutes: 29)  // 29 minutes after the last use: still alive
            #expect(try await Self.send(client, .get, "/console", cookie: session.id).status == 200)
            clock.advance(minutes: 31)  // idle past 30 minutes
            let idle = try await Self.send(client, .get, "/console", cookie: session.id)
            #expect(idle.status == 303 && idle.location == "/console/login")
            clock.advance(minutes: -31)  // the clock going back does not revive it: it was ended
            #expect(try await Self.send(client, .get, "/console", cookie: session.id).status == 303)

            let busy = try await Self.signIn(client, form: ["key": adminKey])
            for _ in 0..<35 {  // used every 20 minutes: 11 h 40 min alive
                clock.advance(minutes: 20)
                #expect(try await Self.send(client, .get, "/console", cookie: busy.id).status == 200)
            }
            clock.advance(minutes: 21)  // past 12 hours since sign-in
            #expect(try await Self.send(client, .get, "/console", cookie: busy.id).status == 303)

            let ended = try await Self.signIn(client, form: ["key": adminKey])
            let home = try await Self.send(client, .get, "/console", cookie: ended.id)
            let out = try await Self.send(
                client, .post, "/console/logout", cookie: ended.id, form: ["csrf": try Self.csrf(in: home.body)])
            #expect(out.status == 303 && out.location == "/console/login")
            #expect(try await Self.send(client, .get, "/console", cookie: ended.id).status == 303)
            #expect(try await Self.send(client, .get, "/console", cookie: "made-up").status == 303)
        }
    }

    @Test("a viewer looks but cannot change; a form without the session's token is refused")
    func viewer() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let issued = try await client.issue(30000, adminKey: server.adminKey)
            let id = try #require(issued["id"] as? String)
            let added = try await client.call(
                .post, "/v1/users", key: server.adminKey,
                json: #"{"name": "li", "role": "viewer", "password": "a viewer's long password"}"#)
            #expect(added.status == 201)
            #expect(try await client.call(.post, "/v1/users", key: server.adminKey,
                json: #"{"name": "li", "role": "viewer", "password": "another long password"}"#).body.errorCode() == "user_exists")
            #expect(try await client.call(.post, "/v1/users", key: server.adminKey,
                json: #"{"name": "wu", "role": "owner", "password": "another long password"}"#).body.errorCode() == "bad_role")
            #expect(try await client.call(.post, "/v1/users", key: server.adminKey,
                json: #"{"name": "wu", "role": "admin", "password": "short"}"#).body.errorCode() == "bad_password")
            #expect(try await client.call(.post, "/v1/users", key: server.stationKey,
                json: #"{"name": "wu", "role": "admin", "password": "long enough password"}"#).status == 403)

            let wrong = try await Self.send(client, .post, "/console/login", form: ["name": "li", "password": "not it at all"])
            #expect(wrong.status == 401 && wrong.headers[.setCookie] == nil)
            let session = try await Self.signIn(client, form: ["name": "li", "password": "a viewer's long password"])
            let page = try await Self.send(client, .get, "/console/coupons/\(id)", cookie: session.id)
            #expect(page.status == 200 && page.body.contains(id) && !page.body.contains("/block\""))
            #expect(try await Self.send(client, .get, "/console/issue", cookie: session.id).status == 403)
            let token = try Self.csrf(in: page.body)
            let blocked = try await Self.send(
                client, .post, "/console/coupons/\(id)/block", cookie: session.id, form: ["csrf": token, "idem": "k1"])
            #expect(blocked.status == 403 && blocked.body.contains("viewer"))
            let forged = try await Self.send(
                client, .post, "/console/coupons/\(id)/block", cookie: session.id, form: ["csrf": "forged", "idem": "k2"])
            #expect(forged.status == 403 && forged.body.contains("CSRF"))
            #expect(try await client.call(.get, "/v1/coupons/\(id)", key: server.adminKey).body["state"] as? String == "active")
        }
    }

    @Test("the cookie is Secure behind a trusted proxy that says https, and not when an untrusted one says so")
    func secureCookie() async throws {
        var server = try await TestServer()
        let https: HTTPFields = [HTTPField.Name("X-Forwarded-Proto")!: "https"]
        let adminKey = server.adminKey
        try await server.run { client in
            let untrusted = try await Self.signIn(client, form: ["key": adminKey], headers: https)
            #expect(!untrusted.setCookie.contains("Secure"))
        }
        server.configuration.trustedProxies = ["127.0.0.1", "::1"]
        try await server.run { client in
            let trusted = try await Self.signIn(client, form: ["key": adminKey], headers: https)
            #expect(trusted.setCookie.contains("; Secure"))
        }
    }

    @Test("an admin's block from the console is one ledger line by the user, even when the form is sent twice")
    func blockOnce() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let issued = try await client.issue(30000, adminKey: server.adminKey)
            let id = try #require(issued["id"] as? String)
            _ = try await client.call(
                .post, "/v1/users", key: server.adminKey,
                json: #"{"name": "mei", "role": "admin", "password": "an admin's long password"}"#)
            let session = try await Self.signIn(client, form: ["name": "mei", "password": "an admin's long password"])
            let page = try await Self.send(client, .get, "/console/coupons/\(id)", cookie: session.id)
            let form = ["csrf": try Self.csrf(in: page.body), "idem": "block-once"]
            for _ in 0..<2 {
                let answer = try await Self.send(client, .post, "/console/coupons/\(id)/block", cookie: session.id, form: form)
                #expect(answer.status == 303)
            }
            let ledger = try await client.call(.get, "/v1/coupons/\(id)/ledger", key: server.adminKey)
            let entries = try #require(ledger.body["entries"] as? [[String: Any]])
            let blocks = entries.filter { $0["kind"] as? String == "block" }
            #expect(blocks.count == 1 && blocks.first?["actor"] as? String == "user:mei")
            let again = try await Self.send(
                client, .post, "/console/coupons/\(id)/block", cookie: session.id,
                form: ["csrf": form["csrf"]!, "idem": "block-once", "note": "another form"])
            #expect(again.status == 422)
        }
    }

    @Test("a campaign name with markup is shown as text in the coupon list, the coupon's page and the search box")
    func escaping() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let name = #"<i>spring</i> & "co" 'x'"#
            let issued = try await client.call(
                .post, "/v1/coupons", key: server.adminKey,
                json: #"{"initial": {"amount": 30000, "currency": "CNY"}, "campaign": "<i>spring</i> & \"co\" 'x'"}"#)
            #expect(issued.status == 201)
            let id = try #require(issued.body["id"] as? String)
            let session = try await Self.signIn(client, form: ["key": server.adminKey])
            let query = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let escaped = "&lt;i&gt;spring&lt;/i&gt; &amp; &quot;co&quot; &#39;x&#39;"
            for path in ["/console/coupons?by=campaign&q=\(query)", "/console/coupons", "/console/coupons/\(id)"] {
                let page = try await Self.send(client, .get, path, cookie: session.id)
                #expect(page.status == 200 && page.body.contains(id), "\(path)")
                #expect(!page.body.contains("<i>spring"), "\(path)")
                #expect(page.body.contains(escaped), "\(path)")
            }
        }
    }
}
