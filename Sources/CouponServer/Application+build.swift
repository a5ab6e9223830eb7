import CouponCore
import CouponStore
import Hummingbird
import HummingbirdCore
import Logging

/// Wires the routes over `store` into a Hummingbird application.
///
/// ```swift
/// let app = buildApplication(store: store, configuration: configuration)
/// try await app.runService()
/// ```
public func buildApplication<Store: CouponStore>(
    store: Store, configuration: ServerConfiguration, logger: Logger = Logger(label: "coupon-server"),
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    let routes = RouteTable()
    router.add(middleware: ErrorMiddleware(routes: routes))
    let keys = KeyCache()
    let failures = FailureLimiter(limit: configuration.failureLimit)
    router.add(
        middleware: AuthMiddleware(
            store: store, cache: keys, failures: failures, trustedProxies: configuration.trustedProxies,
            metricsKey: configuration.metricsKey))
    router.get("healthz") { _, _ in "ok" }
    // Ready only while the database answers: a load balancer sends no sale to a server that
    // cannot commit one.
    router.get("readyz") { _, _ -> Response in
        let ready = await store.isReady()
        return Response(
            status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: ready ? "ready\n" : "the database does not answer\n")))
    }
    let metrics = ServerMetrics()
    // Outstanding liability and open holds are the provider's business: an admin key or the
    // metrics key (`data/metrics.key`), not anyone who can reach the port.
    router.get("metrics") { _, context -> Response in
        if !context.metricsReader { _ = try context.require(.admin) }
        let holds = try await store.openHolds()
        let text = metrics.render(
            holdsOpen: holds.count, heldAmounts: holds.amounts, liability: try await store.liability(asOf: nil),
            outboxPending: try await store.pendingOutbox())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
    PublicRoutes(
        store: store, limiter: RateLimiter(limit: configuration.publicBalanceLimit),
        trustedProxies: configuration.trustedProxies, limits: configuration.limits
    ).register(on: router)
    ReceiptLinkRoutes(store: store, links: configuration.balanceLinks).register(on: router)
    CustomerPages.register(on: router)
    ConsoleRoutes(store: store, configuration: configuration, failures: failures, keys: keys).register(on: router)
    let v1 = router.group("v1")
    ProductRoutes(store: store, configuration: configuration).register(on: v1)
    let gate = IdempotencyGate()
    StationRoutes(store: store, configuration: configuration, gate: gate).register(on: v1)
    CouponRoutes(store: store, configuration: configuration, failures: failures, gate: gate).register(on: v1)
    SettlementRoutes(
        store: store, configuration: configuration, gate: gate, metrics: metrics, failures: failures
    ).register(on: v1)
    AdminRoutes(store: store, configuration: configuration, gate: gate).register(on: v1)
    OperationsRoutes(store: store, configuration: configuration, keys: keys, gate: gate).register(on: v1)
    PhoneStateRoutes(store: store, configuration: configuration).register(on: router, v1: v1)
    OfflineRoutes(store: store, configuration: configuration, gate: gate).register(on: v1)
    UserRoutes(store: store, configuration: configuration).register(on: v1)
    routes.load(router.routes.map { (path: $0.path.description, method: $0.method.rawValue) })
    let limits = configuration.connections
    let pending = PendingConnections(capacity: limits.maxPending)
    var http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [HeaderDeadline(pending: pending, timeout: limits.headerTimeout)],
        idleTimeout: limits.idleTimeout)
    // Header fields past 16 KiB, or more than 100 of them: 431 (NIO's parser refuses them).
    http1.httpDecoder = .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 32 * 1024, maxHeaderFieldCount: 100)
    var app = Application(
        router: router,
        server: configuration.serverBuilder(http1),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "coupon-server",
            backlog: 1024, availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger)
    if let tls = configuration.tls { app.addServices(TLSReloadService(reloader: tls, logger: logger)) }
    if let webhook = configuration.outboxWebhook {
        app.addServices(
            WebhookDeliveryService(
                store: store, webhook: webhook, baseURL: configuration.publicBaseURL, clock: configuration.clock,
                logger: logger))
    }
    app.addServices(
        HoldExpiryService(
            store: store, clock: configuration.clock, interval: .seconds(5),
            phoneRetention: Int64(configuration.phoneRetentionDays) * 86400, logger: logger))
    return app
}
