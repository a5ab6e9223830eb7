import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird

/// Running the provider (admin keys): stations and keys, the ledger audit, backups, reports and
/// the ledger export for bookkeeping.
struct OperationsRoutes<Store: CouponStore> {
    let store: Store
    let configuration: ServerConfiguration
    let keys: KeyCache
    let gate: IdempotencyGate

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("stations", use: stations)
        group.get("keys", use: keys)
        group.post("keys", use: createAdminKey)
        group.post("keys/:id/revoke", use: revoke)
        group.get("audit", use: audit)
        group.post("backup", use: backup)
        group.get("reports/liability", use: liability)
        group.get("reports/campaign/:name", use: campaign)
        group.get("reports/daily", use: daily)
        group.get("export", use: export)
    }

    @Sendable func stations(_ request: Request, context: AppRequestContext) async throws -> KeyList {
        _ = try context.require(.admin)
        return KeyList(keys: try await store.keys().filter { $0.role == .station }.map(KeySummary.init))
    }

    @Sendable func keys(_ request: Request, context: AppRequestContext) async throws -> KeyList {
        _ = try context.require(.admin)
        return KeyList(keys: try await store.keys().map(KeySummary.init))
    }

    /// `POST /v1/keys {"name": "alice"}`: a named admin key, shown once; the ledger names its
    /// holder as `admin:alice`. With a named key in hand the first-start key can be revoked.
    @Sendable func createAdminKey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.require(.admin)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBody)
        let body = try JSONDecoder().decode(AdminKeyBody.self, from: raw)
        let name = try PlainText.check(body.name, field: "name", maxLength: 64)
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw APIError(.badRequest, .badName, "a key's name has letters, digits, '-', '_' or '.'")
        }
        let render: @Sendable (String, Principal) throws -> StoredResponse = { key, principal in
            try .json(201, AdminKey(name: name, keyID: principal.keyID, key: key))
        }
        let idempotency = try gate.key(for: request, body: raw, principal: admin)
        return try await gate.respond(idempotency) { [store, configuration] in
            try await store.createKey(
                role: .admin, station: nil, name: name, now: configuration.clock(), idempotency: idempotency,
                render: render)
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> KeyList {
        let principal = try context.require(.admin)
        let id = try context.parameters.require("id")
        guard id != principal.keyID else {
            throw APIError(.conflict, .wrongState, "a key cannot revoke itself; use another admin key")
        }
        let revoked = try await store.revokeKey(id: id, now: configuration.clock())
        keys.clear()
        guard revoked else {
            throw APIError(.notFound, .notFound, "no such key, or it was revoked already")
        }
        return KeyList(keys: try await store.keys().filter { $0.id == id }.map(KeySummary.init))
    }

    @Sendable func audit(_ request: Request, context: AppRequestContext) async throws -> Audit {
        _ = try context.require(.admin)
        let findings = try await store.audit()
        let shortfalls = try await store.offlineShortfalls()
        return Audit(
            ok: findings.isEmpty,
            findings: findings.map {
                .init(
                    couponID: $0.couponID, stored: $0.stored, fromLedger: $0.fromLedger, held: $0.held,
                    openHolds: $0.openHolds)
            },
            shortfalls: shortfalls.map {
                Shortfall(
                    couponID: $0.couponID, settlementID: $0.settlementID, station: $0.station, amount: Amount($0.amount),
                    state: $0.couponState, at: $0.at.iso8601)
            })
    }

    /// `POST /v1/backup`: an online copy of the database, checked, sent as the response body.
    @Sendable func backup(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("coupon-backup-\(SecureID.hex())")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await store.backup(to: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APIError(.internalServerError, .internalError, "the backup file could not be read back")
        }
        // A SQLite file, or on PostgreSQL a pg_dump archive (custom format, for pg_restore).
        let sqlite = data.starts(with: Array("SQLite format 3\0".utf8))
        return Response(
            status: .ok, headers: [.contentType: sqlite ? "application/vnd.sqlite3" : "application/octet-stream"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `GET /v1/reports/liability?as_of=2026-12-31`: outstanding balances at the end of that day.
    @Sendable func liability(_ request: Request, context: AppRequestContext) async throws -> Liability {
        _ = try context.require(.admin)
        let asOf = try request.uri.queryParameters.get("as_of").map {
            try configuration.endOfDay($0, errorCode: .badDate)
        }
        let totals = try await store.liability(asOf: asOf.map { Instant(secondsSince1970: $0.secondsSince1970 - 1) })
        return Liability(
            asOf: (asOf ?? configuration.clock()).iso8601,
            outstanding: totals.sorted { $0.key < $1.key }.map { Total(amount: $0.value, currency: $0.key) })
    }

    @Sendable func campaign(_ request: Request, context: AppRequestContext) async throws -> Campaign {
        _ = try context.require(.admin)
        let name = try context.parameters.require("name")
        let reports = try await store.campaign(name)
        guard !reports.isEmpty else { throw APIError(.notFound, .notFound, "no coupons in campaign '\(name)'") }
        return Campaign(
            campaign: name,
            totals: reports.map {
                .init(
                    currency: $0.currency, coupons: $0.coupons, issued: $0.issued, loaded: $0.loaded,
                    adjusted: $0.adjusted, redeemed: $0.redeemed, expired: $0.expired, outstanding: $0.outstanding)
            })
    }

    /// `GET /v1/reports/daily?date=2026-11-25&station=till-1`: the day in the configured zone.
    @Sendable func daily(_ request: Request, context: AppRequestContext) async throws -> Daily {
        _ = try context.require(.admin)
        guard let date = request.uri.queryParameters.get("date") else {
            throw APIError(.badRequest, .missingField, "give the date, YYYY-MM-DD")
        }
        let end = try configuration.endOfDay(date, errorCode: .badDate)
        let start = Instant(secondsSince1970: end.secondsSince1970 - 86400)
        let station: String? = request.uri.queryParameters.get("station").map { String($0) }
        let reports = try await store.daily(from: start, to: end, station: station)
        return Daily(
            date: date,
            stations: reports.map {
                DailyStation(
                    station: $0.station, currency: $0.currency, settlements: $0.settlements, captured: $0.captured,
                    refunded: $0.refunded, voided: $0.voided, expiredHolds: $0.expiredHolds, offline: $0.offline,
                    shortfall: $0.shortfall)
            })
    }

    /// `GET /v1/export?since=2026-11-01&after=SEQ&limit=N`: the ledger from the start of that day.
    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> Export {
        _ = try context.require(.admin)
        guard let since = request.uri.queryParameters.get("since") else {
            throw APIError(.badRequest, .missingField, "give since, YYYY-MM-DD")
        }
        let start = Instant(
            secondsSince1970: try configuration.endOfDay(since, errorCode: .badDate).secondsSince1970 - 86400)
        let limit = try request.uri.queryParameters.limit(default: 1000, max: 10_000)
        var after: Int64 = 0
        if let cursor = request.uri.queryParameters.get("after") {
            guard let seq = Int64(cursor), seq >= 0 else {
                throw APIError(.badRequest, .badLimit, "after is the next of a previous page, not '\(cursor)'")
            }
            after = seq
        }
        // One more than asked says whether another page exists: `next` only when it does.
        let fetched = try await store.export(since: start, after: after, limit: limit + 1)
        let rows = fetched.prefix(limit)
        return Export(
            entries: rows.map {
                .init(
                    seq: $0.seq, at: $0.at.iso8601, couponID: $0.couponID, kind: $0.kind,
                    amount: Amount(amount: $0.amount, currency: $0.currency),
                    balanceBefore: Amount(amount: $0.balanceBefore, currency: $0.currency),
                    balanceAfter: Amount(amount: $0.balanceAfter, currency: $0.currency), actor: $0.actor,
                    settlementID: $0.settlementID)
            }, next: fetched.count > limit ? rows.last.map { "\($0.seq)" } : nil)
    }
}
