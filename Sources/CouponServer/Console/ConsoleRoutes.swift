import CouponAPI
import CouponCore
import CouponStore
import Foundation
import HTTPTypes
import Hummingbird

/// `/console`: the issuer's console in a browser. Server-rendered pages (``ConsoleView``) over the
/// same store calls and idempotency as the API; signed in by a console user's password (or an
/// admin key, for set-up) for a session kept hashed in the store.
struct ConsoleRoutes<Store: CouponStore>: Sendable {
    let store: Store
    let configuration: ServerConfiguration
    let failures: FailureLimiter
    let keys: KeyCache
    let view = ConsoleView()
    let chart = LiabilityChart()
    let audits = AuditRunner()
    let campaigns = CampaignFigures()

    /// A session ends after this long unused, and after `absolute` whatever happens.
    static var idle: Int64 { 30 * 60 }
    static var absolute: Int64 { 12 * 3600 }
    static var cookie: String { "coupon_console" }
    /// Rows per page of every list.
    static var pageSize: Int { 25 }
    /// The largest form (a CSV upload).
    static var maxForm: Int { 2 * 1024 * 1024 }

    func register(on router: Router<AppRequestContext>) {
        let console = router.group("console")
        console.get("assets/console.css") { _, _ in ConsoleView.asset(ConsoleAssets.style, type: "text/css; charset=utf-8") }
        console.get("assets/console.js") { _, _ in
            ConsoleView.asset(ConsoleAssets.script, type: "text/javascript; charset=utf-8")
        }
        console.get("login", use: loginPage)
        console.post("login", use: login)
        console.post("logout") { request, context in try await self.signedIn(request, context) { _, _ in
            // signedIn has checked the CSRF token of this form already.
            if let id = request.cookies[Self.cookie]?.value {
                try await store.endSession(idHash: ConsoleToken.hash(id), now: configuration.clock())
            }
            return ConsoleView.redirect("/console/login", headers: [.setCookie: clearCookie])
        } }
        console.get { request, context in try await self.signedIn(request, context, render: home) }
        registerCoupons(on: console)
        registerIssue(on: console)
        registerCatalogue(on: console)
        registerStations(on: console)
        registerReports(on: console)
    }

    // MARK: Sessions

    /// Runs `body` for a signed-in session (checking a form's CSRF token on POST, and the admin
    /// role where asked); without one, the sign-in page. A refusal or an API error becomes a page.
    func signedIn(
        _ request: Request, _ context: AppRequestContext, admin: Bool = false,
        render body: @escaping @Sendable (Request, ConsolePage) async throws -> Response
    ) async throws -> Response {
        guard let session = try await currentSession(request) else { return ConsoleView.redirect("/console/login") }
        let page = PageSession(actor: session.actor, isAdmin: session.role == .admin, csrf: session.csrf)
        do {
            var form: ConsoleForm? = nil
            if request.method == .post {
                let read = try await ConsoleForm.read(request, limit: Self.maxForm)
                guard let token = read.fields["csrf"], ConsoleToken.same(Array(token.utf8), Array(session.csrf.utf8)) else {
                    throw ConsoleRefusal.csrf
                }
                form = read
            }
            if admin, session.role != .admin { throw ConsoleRefusal.viewer }
            return try await body(request, ConsolePage(session: page, form: form ?? ConsoleForm(fields: [:]), request: request))
        } catch let refusal as ConsoleRefusal {
            return view.message(refusal.title, refusal.text, status: refusal.status, session: page, back: refusal.back ?? "/console")
        } catch {
            guard let api = APIError.from(error) else { throw error }
            return view.message("Not done", api.body.error.message, status: api.status, session: page)
        }
    }

    /// The session the request's cookie names, if it is alive; an expired one is ended.
    func currentSession(_ request: Request) async throws -> ConsoleSession? {
        guard let id = request.cookies[Self.cookie]?.value, id.count < 100 else { return nil }
        let hash = ConsoleToken.hash(id)
        guard let session = try await store.session(idHash: hash) else { return nil }
        let now = configuration.clock().secondsSince1970
        if now - session.lastSeen.secondsSince1970 > Self.idle || now - session.createdAt.secondsSince1970 > Self.absolute {
            try await store.endSession(idHash: hash, now: configuration.clock())
            return nil
        }
        // The idle clock moves in steps of a minute: one write a minute per session, not one per page.
        if now - session.lastSeen.secondsSince1970 >= 60 {
            try await store.touchSession(idHash: hash, now: configuration.clock())
        }
        return session
    }

    /// Whether the browser reached this server over TLS (directly, or through a trusted proxy that says so).
    func overTLS(_ request: Request, _ context: AppRequestContext) -> Bool {
        if configuration.tls != nil { return true }
        guard let peer = context.remoteAddress?.ipAddress, configuration.trustedProxies.contains(peer) else { return false }
        return request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    func sessionCookie(_ id: String, secure: Bool) -> String {
        "\(Self.cookie)=\(id); Path=/console; HttpOnly; SameSite=Strict; Max-Age=\(Self.absolute)"
            + (secure ? "; Secure" : "")
    }

    var clearCookie: String { "\(Self.cookie)=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0" }

    // MARK: Sign in and out

    @Sendable func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if try await currentSession(request) != nil { return ConsoleView.redirect("/console") }
        return view.page("login", ["title": "Sign in"])
    }

    /// A console user's name and password, or an admin key; a station key is refused. Each failure
    /// counts toward the address's limit of failed lookups (429 past it).
    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let address = context.clientAddress(request, trustedProxies: configuration.trustedProxies)
        do {
            try failures.check(keyID: nil, address: address)
        } catch let error as APIError {
            return view.page(
                "login", ["title": "Sign in", "error": "Too many failed sign-ins from this address. Wait a minute and try again."],
                status: error.status, headers: error.headers)
        }
        let form: ConsoleForm
        do { form = try await ConsoleForm.read(request, limit: 16 * 1024) } catch let refusal as ConsoleRefusal {
            return view.page("login", ["title": "Sign in", "error": refusal.text], status: refusal.status)
        }
        var who: (actor: String, role: ConsoleUser.Role)? = nil
        if let key = form["key"] {
            if let principal = try await store.principal(forKey: key), principal.role == .admin {
                who = (principal.actor, .admin)
            }
        } else if let name = form["name"], let password = form.fields["password"], !password.isEmpty, name.count <= 64 {
            let user = try await store.consoleUser(name: name)
            if PasswordHash.verify(password, against: user?.passwordHash ?? PasswordHash.decoy), let user {
                who = (user.actor, user.role)
            }
        }
        guard let who else {
            failures.failed(keyID: nil, address: address)
            return view.page(
                "login", ["title": "Sign in", "error": "That name and password, or that admin key, is not right."],
                status: .unauthorized)
        }
        let id = ConsoleToken.make()
        let now = configuration.clock()
        try await store.startSession(
            ConsoleSession(
                idHash: ConsoleToken.hash(id), actor: who.actor, role: who.role, csrf: ConsoleToken.make(),
                createdAt: now, lastSeen: now))
        try await store.logConsole(ConsoleEvent(at: now, actor: who.actor, action: "sign-in", target: address))
        return ConsoleView.redirect("/console", headers: [.setCookie: sessionCookie(id, secure: overTLS(request, context))])
    }

    // MARK: Home

    @Sendable func home(_ request: Request, page: ConsolePage) async throws -> Response {
        var values = page.session.values
        values["title"] = "Console"
        // Outstanding balances are on Reports (its chart): a sum over every coupon is not run per home page.
        values["holds"] = try await store.openHoldCount()
        return view.page("home", values)
    }
}

/// A signed-in request's page: its session and (for a POST) its form, CSRF token checked.
struct ConsolePage: Sendable {
    var session: PageSession
    var form: ConsoleForm
    var request: Request

    /// The idempotency key of a form (a random one written into it when it was shown), scoped to
    /// the console user. - Throws: ``ConsoleRefusal`` when the form has none.
    func idempotency(path: String) throws -> IdempotencyKey {
        guard let key = form["idem"], (1...255).contains(key.count) else {
            throw ConsoleRefusal.bad("The form came without its one-time key; reload the page and try again.")
        }
        return IdempotencyKey(scope: "console:" + session.actor, key: key, requestHash: form.hash(path: path))
    }

    var query: [String: String] {
        var values: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { values[String(name)] = String(value) }
        return values
    }
}

/// How the console writes amounts and times.
enum ConsoleFormat {
    static func amount(_ minorUnits: Int128, currency: String) -> String {
        let exponent = (try? Currency(code: currency))?.exponent ?? 2
        return Money.format(minorUnits: minorUnits, exponent: exponent) + " " + currency
    }

    static func time(_ instant: Instant) -> String {
        String(instant.iso8601.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    /// Values every form carries: the session's CSRF token and a fresh idempotency key.
    static func formKeys(_ session: PageSession) -> [String: Any] {
        ["csrf": session.csrf, "idem": ConsoleToken.make()]
    }
}
