import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird

/// The catalogue in the console: paged list from a code, a price edit, a CSV import whose errors
/// name their line.
extension ConsoleRoutes {
    func registerCatalogue(on console: RouterGroup<AppRequestContext>) {
        console.get("products") { request, context in try await signedIn(request, context, render: products) }
        console.post("products/import") { request, context in
            try await signedIn(request, context, admin: true) { _, page in try await importProducts(page: page) }
        }
        console.post("products/:code") { request, context in
            let code = try context.parameters.require("code")
            return try await signedIn(request, context, admin: true) { _, page in try await editPrice(code, page: page) }
        }
    }

    /// `/console/products?from=CODE`: the catalogue in code order, from a code on.
    @Sendable func products(_ request: Request, page: ConsolePage) async throws -> Response {
        let query = page.query
        let from = query["from"]?.trimmingCharacters(in: .whitespaces) ?? ""
        var list: [Product] = []
        if let code = try? ProductCode(from), let product = try await store.product(code) { list.append(product) }
        let after = query["after"] ?? (list.first?.code.value ?? (from.isEmpty ? nil : from))
        list += try await store.products(after: after, limit: Self.pageSize + 1 - list.count)
        var values = page.session.values.merging(ConsoleFormat.formKeys(page.session)) { $1 }
        values["title"] = "Catalogue"
        values["from"] = from
        values["products"] = list.prefix(Self.pageSize).map { product -> [String: Any] in
            [
                "code": product.code.value, "name": product.name, "price": product.price.formatted,
                "currency": product.price.currency.code, "csrf": page.session.csrf,
            ]
        }
        if list.count > Self.pageSize, let last = list.prefix(Self.pageSize).last {
            values["next"] = "/console/products?" + Self.queryString(["after": last.code.value])
        }
        if let message = query["done"] { values["notice"] = message }
        return view.page("products", values)
    }

    func editPrice(_ text: String, page: ConsolePage) async throws -> Response {
        let code = try ProductCode(text)
        guard let product = try await store.product(code) else {
            throw ConsoleRefusal(status: .notFound, title: "No such product", text: "No product has the code \(text).")
        }
        let price = try Money(parsing: try page.form.require("price", "the price"), currency: product.price.currency)
        guard price.minorUnits <= configuration.limits.maxPrice else {
            throw ConsoleRefusal.bad("That price is over the limit of this server.", back: "/console/products")
        }
        try await store.putProduct(Product(code: code, name: product.name, price: price))
        try await store.logConsole(
            ConsoleEvent(
                at: configuration.clock(), actor: page.session.actor, action: "price", target: code.value,
                detail: "\(product.price.description) -> \(price.description)"))
        return ConsoleView.redirect("/console/products?" + Self.queryString(["from": code.value, "done": "Price of \(code.value) set to \(price.description)."]))
    }

    /// A CSV (`code,name,price,currency`): all rows or none; a bad row is named by its line.
    func importProducts(page: ConsolePage) async throws -> Response {
        guard let text = page.form.fields["file"], !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ConsoleRefusal.bad("Choose a CSV file to import.", back: "/console/products")
        }
        let products: [Product]
        do {
            products = try CatalogCSV.parse(text)
        } catch {
            throw ConsoleRefusal.bad("Nothing was imported. \(error.description)", back: "/console/products")
        }
        guard !products.isEmpty else { throw ConsoleRefusal.bad("The file has no products.", back: "/console/products") }
        if let over = products.first(where: { $0.price.minorUnits > configuration.limits.maxPrice }) {
            throw ConsoleRefusal.bad("Nothing was imported. Product \(over.code.value) costs more than this server allows.", back: "/console/products")
        }
        try await store.putProducts(products)
        try await store.logConsole(
            ConsoleEvent(at: configuration.clock(), actor: page.session.actor, action: "import", target: "catalogue", detail: "\(products.count) products"))
        return ConsoleView.redirect("/console/products?" + Self.queryString(["done": "Imported \(products.count) products."]))
    }
}
