import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird

/// `/v1/products`: the catalogue the provider prices baskets from.
struct ProductRoutes<Store: CouponStore> {
    let store: Store
    let configuration: ServerConfiguration

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("products", use: list)
        group.post("products/import", use: importCSV)
        group.put("products/:code", use: put)
        group.get("products/:code", use: get)
    }

    @Sendable func put(_ request: Request, context: AppRequestContext) async throws -> ProductInfo {
        _ = try context.require(.admin)
        let code = try ProductCode(try context.parameters.require("code"))
        let body = try await request.json(ProductBody.self, upTo: configuration.limits.maxBody)
        let name = try PlainText.check(body.name, field: "product name", maxLength: 200)
        let price = try body.price.checkedMoney()
        guard price.minorUnits <= configuration.limits.maxPrice else {
            throw LimitError.price(
                limit: Money(minorUnits: configuration.limits.maxPrice, currency: price.currency), given: price)
        }
        let product = Product(code: code, name: name, price: price)
        try await store.putProduct(product)
        return ProductInfo(product)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> ProductInfo {
        _ = try context.requireKey()
        let code = try ProductCode(try context.parameters.require("code"))
        guard let product = try await store.product(code) else { throw APIError.notFound("product") }
        return ProductInfo(product)
    }

    /// `GET /v1/products?after=CODE&limit=N`, in code order.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ProductList {
        _ = try context.requireKey()
        let limit = try request.uri.queryParameters.limit(default: 500, max: 1000)
        let after = request.uri.queryParameters.get("after")
        // One more than asked says whether another page exists: `next` only when it does.
        let products = try await store.products(after: after, limit: limit + 1)
        let page = products.prefix(limit)
        return ProductList(
            products: page.map(ProductInfo.init), next: products.count > limit ? page.last?.code.value : nil)
    }

    /// `POST /v1/products/import` with a CSV body (`code,name,price,currency`): all rows or none.
    @Sendable func importCSV(_ request: Request, context: AppRequestContext) async throws -> Imported {
        _ = try context.require(.admin)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBulkBody)
        guard let text = String(data: Data(buffer: raw), encoding: .utf8) else {
            throw APIError(.badRequest, .badCSV, "the catalogue must be UTF-8 text")
        }
        let products: [Product]
        do {
            products = try CatalogCSV.parse(text)
        } catch {
            throw APIError(.badRequest, .badCSV, error.description)
        }
        guard !products.isEmpty else { throw APIError(.badRequest, .badCSV, "the catalogue has no products") }
        if let index = products.firstIndex(where: { $0.price.minorUnits > configuration.limits.maxPrice }) {
            let limit = Money(minorUnits: configuration.limits.maxPrice, currency: products[index].price.currency)
            throw APIError(
                .unprocessableContent, .overLimit,
                "product \(products[index].code): "
                    + LimitError.price(limit: limit, given: products[index].price).description)
        }
        try await store.putProducts(products)
        return Imported(imported: products.count)
    }
}
