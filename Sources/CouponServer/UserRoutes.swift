import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird

extension ConsoleUserInfo: ResponseEncodable {}
extension ConsoleUserList: ResponseEncodable {}

/// `/v1/users`: the console's named users (admin keys only). A password is hashed with scrypt
/// here and never stored or shown as it was given.
struct UserRoutes<Store: CouponStore> {
    let store: Store
    let configuration: ServerConfiguration

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("users", use: add)
        group.get("users", use: list)
    }

    @Sendable func add(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.require(.admin)
        let body = try await request.json(ConsoleUserBody.self, upTo: configuration.limits.maxBody)
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw APIError(.badRequest, .badName, "a user's name has 1 to 64 letters, digits, '-', '_' or '.'")
        }
        guard let role = ConsoleUser.Role(rawValue: body.role) else {
            throw APIError(.badRequest, .badRole, "a console user's role is admin or viewer, not '\(body.role)'")
        }
        guard (12...200).contains(body.password.count) else {
            throw APIError(.badRequest, .badPassword, "a password has 12 to 200 characters")
        }
        let hash = try PasswordHash.make(body.password)
        do {
            try await store.addConsoleUser(
                ConsoleUser(name: name, role: role, passwordHash: hash, createdBy: admin.actor), now: configuration.clock())
        } catch let exists as ConsoleUserExists {
            throw APIError(.conflict, .userExists, exists.description)
        }
        try await store.logConsole(
            ConsoleEvent(at: configuration.clock(), actor: admin.actor, action: "add-user", target: name, detail: role.rawValue))
        return try ConsoleUserInfo(name: name, role: role.rawValue).response(from: request, context: context).withStatus(.created)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ConsoleUserList {
        _ = try context.require(.admin)
        return ConsoleUserList(users: try await store.consoleUsers().map { ConsoleUserInfo(name: $0.name, role: $0.role.rawValue) })
    }
}

extension Response {
    func withStatus(_ status: HTTPResponse.Status) -> Response {
        var response = self
        response.status = status
        return response
    }
}
