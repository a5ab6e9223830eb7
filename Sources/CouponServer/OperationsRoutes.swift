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

    struct KeyDTO: Encodable {
        var id: String
        var role: String
        var station: String?
        var name: String?
        var createdAt: String
        var revokedAt: String?

        enum CodingKeys: String, CodingKey {
            case id, role, station, name
            case createdAt = "created_at"
            case revokedAt = "revoked_at"
        }

        init(_ key: KeyInfo) {
            id = key.id
            role = key.role.rawValue
            station = key.station
            name = key.name
            createdAt = key.createdAt.iso8601
            revokedAt = key.revokedAt?.iso8601
        }
    }

    struct KeysDTO: ResponseEncodable { var keys: [KeyDTO] }

    @Sendable func stations(_ request: Request, context: AppRequestContext) async throws -> KeysDTO {
        _ = try context.require(.admin)
        return KeysDTO(keys: try await store.keys().filter { $0.role == .station }.map(KeyDTO.init))
    }

    @Sendable func keys(_ request: Request, context: AppRequestContext) async throws -> KeysDTO {
        _ = try context.require(.admin)
        return KeysDTO(keys: try await store.keys().map(KeyDTO.init))
    }

    struct AdminKeyBody: Decodable {
        var name: String
    }

    struct AdminKeyDTO: Encodable {
        var name: String
        var keyID: String
        var key: String

        enum CodingKeys: String, CodingKey {
            case name, key
            case keyID = "key_id"
        }
    }

    /// `POST /v1/keys {"name": "alice"}`: a named admin key, shown once; the ledger names its
    /// holder as `admin:alice`. With a named key in hand the first-start key can be revoked.
    @Sendable func createAdminKey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.require(.admin)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBody)
        let body = try JSONDecoder().decode(AdminKeyBody.self, from: raw)
        let name = try PlainText.check(body.name, field: "name", maxLength: 64)
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw APIError(.badRequest, "bad_name", "a key's name has letters, digits, '-', '_' or '.'")
        }
        let render: @Sendable (String, Principal) throws -> StoredResponse = { key, principal in
            try .json(201, AdminKeyDTO(name: name, keyID: principal.keyID, key: key))
        }
        let idempotency = try gate.key(for: request, body: raw, principal: admin)
        return try await gate.respond(idempotency) { [store, configuration] in
            try await store.createKey(
                role: .admin, station: nil, name: name, now: configuration.clock(), idempotency: idempotency,
                render: render)
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> KeysDTO {
        let principal = try context.require(.admin)
        let id = try context.parameters.require("id")
        guard id != principal.keyID else {
            throw APIError(.conflict, "wrong_state", "a key cannot revoke itself; use another admin key")
        }
        let revoked = try await store.revokeKey(id: id, now: configuration.clock())
        keys.clear()
        guard revoked else {
            throw APIError(.notFound, "not_found", "no such key, or it was revoked already")
        }
        return KeysDTO(keys: try await store.keys().filter { $0.id == id }.map(KeyDTO.init))
    }

    struct AuditDTO: ResponseEncodable {
        struct Finding: Encodable {
            var coupon_id: String
            var stored: Int64
            var from_ledger: Int128
            var held: Int64
            var open_holds: Int128
        }

        var ok: Bool
        var findings: [Finding]
    }

    @Sendable func audit(_ request: Request, context: AppRequestContext) async throws -> AuditDTO {
        _ = try context.require(.admin)
        let findings = try await store.audit()
        return AuditDTO(
            ok: findings.isEmpty,
            findings: findings.map {
                .init(
                    coupon_id: $0.couponID, stored: $0.stored, from_ledger: $0.fromLedger, held: $0.held,
                    open_holds: $0.openHolds)
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
            throw APIError(.internalServerError, "internal", "the backup file could not be read back")
        }
        return Response(
            status: .ok, headers: [.contentType: "application/vnd.sqlite3"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct LiabilityDTO: ResponseEncodable {
        var asOf: String
        var outstanding: [TotalDTO]

        enum CodingKeys: String, CodingKey {
            case outstanding
            case asOf = "as_of"
        }
    }

    /// `GET /v1/reports/liability?as_of=2026-12-31`: outstanding balances at the end of that day.
    @Sendable func liability(_ request: Request, context: AppRequestContext) async throws -> LiabilityDTO {
        _ = try context.require(.admin)
        let asOf = try request.uri.queryParameters.get("as_of").map {
            try configuration.endOfDay($0, errorCode: "bad_date")
        }
        let totals = try await store.liability(asOf: asOf.map { Instant(secondsSince1970: $0.secondsSince1970 - 1) })
        return LiabilityDTO(
            asOf: (asOf ?? configuration.clock()).iso8601,
            outstanding: totals.sorted { $0.key < $1.key }.map { TotalDTO(amount: $0.value, currency: $0.key) })
    }

    struct CampaignDTO: ResponseEncodable {
        struct Totals: Encodable {
            var currency: String
            var coupons: Int
            var issued, loaded, adjusted, redeemed, expired, outstanding: Int128
        }

        var campaign: String
        var totals: [Totals]
    }

    @Sendable func campaign(_ request: Request, context: AppRequestContext) async throws -> CampaignDTO {
        _ = try context.require(.admin)
        let name = try context.parameters.require("name")
        let reports = try await store.campaign(name)
        guard !reports.isEmpty else { throw APIError(.notFound, "not_found", "no coupons in campaign '\(name)'") }
        return CampaignDTO(
            campaign: name,
            totals: reports.map {
                .init(
                    currency: $0.currency, coupons: $0.coupons, issued: $0.issued, loaded: $0.loaded,
                    adjusted: $0.adjusted, redeemed: $0.redeemed, expired: $0.expired, outstanding: $0.outstanding)
            })
    }

    struct DailyDTO: ResponseEncodable {
        struct Station: Encodable {
            var station: String
            var currency: String
            var settlements: Int
            var captured: Int128
            var refunded: Int128
            var voided: Int
            var expired_holds: Int
        }

        var date: String
        var stations: [Station]
    }

    /// `GET /v1/reports/daily?date=2026-11-25&station=till-1`: the day in the configured zone.
    @Sendable func daily(_ request: Request, context: AppRequestContext) async throws -> DailyDTO {
        _ = try context.require(.admin)
        guard let date = request.uri.queryParameters.get("date") else {
            throw APIError(.badRequest, "missing_field", "give the date, YYYY-MM-DD")
        }
        let end = try configuration.endOfDay(date, errorCode: "bad_date")
        let start = Instant(secondsSince1970: end.secondsSince1970 - 86400)
        let station: String? = request.uri.queryParameters.get("station").map { String($0) }
        let reports = try await store.daily(from: start, to: end, station: station)
        return DailyDTO(
            date: date,
            stations: reports.map {
                DailyDTO.Station(
                    station: $0.station, currency: $0.currency, settlements: $0.settlements, captured: $0.captured,
                    refunded: $0.refunded, voided: $0.voided, expired_holds: $0.expiredHolds)
            })
    }

    struct ExportDTO: ResponseEncodable {
        struct Entry: Encodable {
            var seq: Int64
            var at: String
            var coupon_id: String
            var kind: String
            var amount: Int64
            var currency: String
            var balance_before: Int64
            var balance_after: Int64
            var actor: String
            var settlement_id: String?
        }

        var entries: [Entry]
        /// Pass as `after` for the next page; absent on the last.
        var next: Int64?
    }

    /// `GET /v1/export?since=2026-11-01&after=SEQ&limit=N`: the ledger from the start of that day.
    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> ExportDTO {
        _ = try context.require(.admin)
        guard let since = request.uri.queryParameters.get("since") else {
            throw APIError(.badRequest, "missing_field", "give since, YYYY-MM-DD")
        }
        let start = Instant(
            secondsSince1970: try configuration.endOfDay(since, errorCode: "bad_date").secondsSince1970 - 86400)
        let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 1000
        guard (1...10_000).contains(limit) else { throw APIError(.badRequest, "bad_limit", "limit is 1 to 10000") }
        let after = request.uri.queryParameters.get("after", as: Int64.self) ?? 0
        let rows = try await store.export(since: start, after: after, limit: limit)
        return ExportDTO(
            entries: rows.map {
                .init(
                    seq: $0.seq, at: $0.at.iso8601, coupon_id: $0.couponID, kind: $0.kind, amount: $0.amount,
                    currency: $0.currency, balance_before: $0.balanceBefore, balance_after: $0.balanceAfter,
                    actor: $0.actor, settlement_id: $0.settlementID)
            }, next: rows.count == limit ? rows.last?.seq : nil)
    }
}
