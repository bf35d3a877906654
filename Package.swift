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

/// The products several targets use, named once.
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")
let prometheus: Target.Dependency = .product(name: "Prometheus", package: "swift-prometheus")
let serviceLifecycle: [Target.Dependency] = [
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    .product(name: "UnixSignals", package: "swift-service-lifecycle"),
]
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let httpClient: Target.Dependency = .product(name: "AsyncHTTPClient", package: "async-http-client")

/// Our targets, each built with `strict`: no target can be added without it.
func library(_ name: String, _ dependencies: [Target.Dependency] = [], path: String? = nil) -> Target {
    .target(name: name, dependencies: dependencies, path: path, swiftSettings: strict)
}

func executable(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: dependencies, swiftSettings: strict)
}

func tests(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .testTarget(name: name, dependencies: dependencies, swiftSettings: strict)
}

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
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CLibCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // The layers, each importing only those below it.
        library("Postgres", ["CLibPQ"]),
        library("CSV"),
        library("CollectionsSchema", ["Postgres", crypto]),
        library("CollectionsService", ["Postgres", crypto, logging, metrics]),
        library("CollectionsImport", ["CollectionsService", "CSV", "Postgres"]),
        library("CollectionsDemo", ["CollectionsService", "CollectionsImport", "CSV", "Postgres"]),
        // The sender: the outbox's messages over SMTP (libcurl) and SMS (a provider's HTTP API),
        // rendered from the tenants' templates, and the lenders' webhooks.
        library("Delivery", [
            "CollectionsService", "Postgres", "CLibCurl", crypto, httpClient, logging, metrics, nioCore,
            .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "Mustache", package: "swift-mustache"),
        ]),
        library("CollectionsCommandLine", ["CollectionsService", "CSV", "Postgres", argumentParser]),
        // The lender HTTP API: routes and types generated from openapi/openapi.yaml.
        .target(
            name: "CollectionsHTTP",
            dependencies: [
                "CollectionsService", "CollectionsImport", "CSV", "Postgres", crypto, hummingbird, httpTypes, nioCore,
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                logging, metrics, prometheus, .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The executables carry only what they use: the worker no schema, importer or demo.
        executable("collections-admin", [
            "CollectionsService", "CollectionsSchema", "CollectionsImport", "CollectionsDemo", "Delivery", "Postgres",
            "CollectionsCommandLine", argumentParser, logging,
        ]),
        executable("collections-worker", [
            "CollectionsService", "Delivery", "Postgres", "CollectionsCommandLine", argumentParser, httpClient, logging,
            metrics, prometheus,
        ] + serviceLifecycle),
        executable("collections-server", [
            "CollectionsHTTP", "CollectionsService", "CollectionsCommandLine", "Postgres", argumentParser, hummingbird,
            logging, metrics, prometheus,
        ] + serviceLifecycle),
        executable("collections-bench", ["Postgres", "CollectionsService", argumentParser]),
        library("TestSupport", ["Postgres", "CollectionsService", "CollectionsSchema"], path: "Tests/TestSupport"),
        // Suites that need no server, apart from the integration suites below.
        tests("UnitTests", ["CSV", "CollectionsService", "CollectionsImport", "Postgres"]),
        tests("PostgresTests", ["Postgres", "TestSupport"]),
        tests("CollectionsServiceTests", [
            "CollectionsService", "CollectionsImport", "CollectionsDemo", "CSV", "Postgres", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        tests("WorkerTests", [
            "CollectionsService", "Postgres", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        tests("DeliveryTests", [
            "Delivery", "CollectionsHTTP", "CollectionsService", "Postgres", "TestSupport", hummingbird, httpClient, nioCore,
            crypto, .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        tests("AdminTests", [
            "CollectionsService", "CollectionsSchema", "CollectionsImport", "CollectionsDemo", "Postgres", "TestSupport",
        ]),
        tests("HTTPTests", [
            "CollectionsHTTP", "CollectionsService", "CollectionsImport", "CollectionsDemo", "Postgres", "TestSupport",
            hummingbird, .product(name: "HummingbirdTesting", package: "hummingbird"),
            httpClient, httpTypes, nioCore,
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
