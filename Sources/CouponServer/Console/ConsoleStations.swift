import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird

/// Stations and keys in the console: add a station (its key shown once), revoke a key.
extension ConsoleRoutes {
    func registerStations(on console: RouterGroup<AppRequestContext>) {
        console.get("stations") { request, context in
            try await signedIn(request, context, admin: true) { _, page in try await stations(page: page) }
        }
        console.post("stations") { request, context in
            try await signedIn(request, context, admin: true) { request, page in
                try await addStation(page: page, path: request.uri.path)
            }
        }
        console.post("keys/:id/revoke") { request, context in
            let id = try context.parameters.require("id")
            return try await signedIn(request, context, admin: true) { _, page in try await revoke(id, page: page) }
        }
    }

    func stations(page: ConsolePage) async throws -> Response {
        var values = page.session.values.merging(ConsoleFormat.formKeys(page.session)) { $1 }
        values["title"] = "Stations and keys"
        values["keys"] = try await store.keys().map { key -> [String: Any] in
            [
                "id": key.id, "role": key.role.rawValue, "holder": key.station ?? key.name ?? "(first admin key)",
                "created": ConsoleFormat.time(key.createdAt), "revoked": key.revokedAt.map(ConsoleFormat.time) ?? "",
                "active": key.revokedAt == nil, "csrf": page.session.csrf,
            ]
        }
        values["users"] = try await store.consoleUsers().map { ["name": $0.name, "role": $0.role.rawValue] }
        return view.page("stations", values)
    }

    func addStation(page: ConsolePage, path: String) async throws -> Response {
        let name = try page.form.require("name", "the station's name")
        guard name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ConsoleRefusal.bad("A station name has 1 to 64 letters, digits, '-', '_' or '.'.", back: "/console/stations")
        }
        let key = try page.idempotency(path: path)
        let result = try await store.createKey(
            role: .station, station: name, name: nil, now: configuration.clock(), idempotency: key
        ) { key, _ in StoredResponse(status: 201, body: Array(key.utf8)) }
        guard case .fresh(let principal, let stored) = result else { return alreadyShown("", page: page) }
        try await store.logConsole(
            ConsoleEvent(at: configuration.clock(), actor: page.session.actor, action: "add-station", target: name, detail: principal.keyID))
        var values = page.session.values
        values["title"] = "Station added"
        values["station"] = name
        values["keyID"] = principal.keyID
        values["key"] = String(decoding: stored.body, as: UTF8.self)
        return view.page("station-key", values)
    }

    func revoke(_ id: String, page: ConsolePage) async throws -> Response {
        guard try await store.revokeKey(id: id, now: configuration.clock()) else {
            throw ConsoleRefusal.bad("No such key, or it was revoked already.", back: "/console/stations")
        }
        keys.clear()
        try await store.logConsole(
            ConsoleEvent(at: configuration.clock(), actor: page.session.actor, action: "revoke-key", target: id))
        return ConsoleView.redirect("/console/stations")
    }
}
