// swift-tools-version: 6.1
import PackageDescription

/// Every target: `any` spelled out; a file uses only what it imports itself; an
/// import is internal unless written `public import`, so a module's public
/// interface names exactly the modules it exposes.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "collections",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "collections-admin", targets: ["collections-admin"]),
        .executable(name: "collections-worker", targets: ["collections-worker"]),
        .executable(name: "collections-bench", targets: ["collections-bench"]),
        .executable(name: "collections-server", targets: ["collections-server"]),
        .library(name: "Postgres", targets: ["Postgres"]),
        .library(name: "CollectionsService", targets: ["CollectionsService"]),
        .library(name: "CollectionsSchema", targets: ["CollectionsSchema"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // The layers, each importing only those below it.
        .target(name: "Postgres", dependencies: ["CLibPQ"], swiftSettings: strict),
        .target(name: "CSV", swiftSettings: strict),
        .target(
            name: "CollectionsSchema",
            dependencies: ["Postgres", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "CollectionsService",
            dependencies: [
                "Postgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .target(name: "CollectionsImport", dependencies: ["CollectionsService", "CSV", "Postgres"], swiftSettings: strict),
        .target(
            name: "CollectionsDemo",
            dependencies: ["CollectionsService", "CollectionsImport", "CSV", "Postgres"],
            swiftSettings: strict
        ),
        .target(
            name: "CollectionsCommandLine",
            dependencies: [
                "CollectionsService", "CSV", "Postgres", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The executables carry only what they use: the worker no schema, importer or demo.
        .executableTarget(
            name: "collections-admin",
            dependencies: [
                "CollectionsService", "CollectionsSchema", "CollectionsImport", "CollectionsDemo", "Postgres",
                "CollectionsCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "collections-worker",
            dependencies: [
                "CollectionsService", "Postgres", "CollectionsCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "collections-bench",
            dependencies: [
                "Postgres", "CollectionsService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The lender HTTP API: routes and types generated from openapi/openapi.yaml.
        .target(
            name: "CollectionsHTTP",
            dependencies: [
                "CollectionsService", "CollectionsImport", "CSV", "Postgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .executableTarget(
            name: "collections-server",
            dependencies: [
                "CollectionsHTTP", "CollectionsService", "CollectionsCommandLine", "Postgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport", dependencies: ["Postgres", "CollectionsService", "CollectionsSchema"],
            path: "Tests/TestSupport", swiftSettings: strict),
        // Suites that need no server, apart from the integration suites below.
        .testTarget(
            name: "UnitTests", dependencies: ["CSV", "CollectionsService", "CollectionsImport", "Postgres"], swiftSettings: strict),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "CollectionsServiceTests",
            dependencies: [
                "CollectionsService", "CollectionsImport", "CollectionsDemo", "CSV", "Postgres", "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WorkerTests",
            dependencies: ["CollectionsService", "Postgres", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AdminTests",
            dependencies: [
                "CollectionsService", "CollectionsSchema", "CollectionsImport", "CollectionsDemo", "Postgres", "TestSupport",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HTTPTests",
            dependencies: [
                "CollectionsHTTP", "CollectionsService", "CollectionsImport", "CollectionsDemo", "Postgres", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
