import CouponCore
import CouponStore
import Foundation
import Hummingbird

/// `/v1/products/{code}`: the catalogue the provider prices baskets from.
struct ProductRoutes<Store: CouponStore> {
    let store: Store

    func register(on group: RouterGroup<AppRequestContext>) {
        group.put("products/:code", use: put)
        group.get("products/:code", use: get)
    }

    @Sendable func put(_ request: Request, context: AppRequestContext) async throws -> ProductDTO {
        _ = try context.require(.admin)
        let code = try ProductCode(try context.parameters.require("code"))
        let body = try await request.decode(as: ProductBody.self, context: context)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else {
            throw APIError(.badRequest, "bad_name", "a product name has 1 to 200 characters")
        }
        let product = Product(code: code, name: name, price: try body.price.money())
        try await store.putProduct(product)
        return ProductDTO(product)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> ProductDTO {
        _ = try context.requireKey()
        let code = try ProductCode(try context.parameters.require("code"))
        guard let product = try await store.product(code) else { throw APIError.notFound("product") }
        return ProductDTO(product)
    }
}
