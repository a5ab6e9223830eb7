// The request and response bodies of docs/api.md; docs/openapi.yaml names each one.

/// `PUT /v1/products/{code}`.
public struct ProductBody: Codable, Sendable, Equatable {
    public var name: String
    public var price: Amount

    public init(name: String, price: Amount) {
        self.name = name
        self.price = price
    }
}

/// A product of the catalogue.
public struct ProductInfo: Codable, Sendable, Equatable {
    public var code: String
    public var name: String
    public var price: Amount

    public init(code: String, name: String, price: Amount) {
        self.code = code
        self.name = name
        self.price = price
    }
}

/// `GET /v1/products`: a page in code order; `next` is the `after` of the next page.
public struct ProductList: Codable, Sendable, Equatable {
    public var products: [ProductInfo]
    public var next: String?

    public init(products: [ProductInfo], next: String? = nil) {
        self.products = products
        self.next = next
    }
}

/// `POST /v1/products/import`.
public struct Imported: Codable, Sendable, Equatable {
    public var imported: Int

    public init(imported: Int) {
        self.imported = imported
    }
}
