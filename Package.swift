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
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // The layers, each importing only those below it.
        library("Postgres", ["CLibPQ"]),
        library("CSV"),
        library("CollectionsSchema", ["Postgres", crypto]),
        library("CollectionsService", ["Postgres", crypto, logging, metrics]),
        library("CollectionsImport", ["CollectionsService", "CSV", "Postgres"]),
        library("CollectionsDemo", ["CollectionsService", "CollectionsImport", "CSV", "Postgres"]),
        library("CollectionsCommandLine", ["CollectionsService", "CSV", "Postgres", argumentParser]),
        // The executables carry only what they use: the worker no schema, importer or demo.
        executable("collections-admin", [
            "CollectionsService", "CollectionsSchema", "CollectionsImport", "CollectionsDemo", "Postgres",
            "CollectionsCommandLine", argumentParser, logging,
        ]),
        executable("collections-worker", [
            "CollectionsService", "Postgres", "CollectionsCommandLine", argumentParser, logging, metrics,
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        executable("collections-bench", ["Postgres", argumentParser]),
        library("TestSupport", ["Postgres", "CollectionsService", "CollectionsSchema"], path: "Tests/TestSupport"),
        // Suites that need no server, apart from the integration suites below.
        tests("UnitTests", ["CSV", "CollectionsService", "CollectionsImport", "Postgres"]),
        tests("PostgresTests", ["Postgres", "TestSupport"]),
        tests("CollectionsServiceTests", [
            "CollectionsService", "CollectionsImport", "CollectionsDemo", "CSV", "Postgres", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        tests("WorkerTests", ["CollectionsService", "Postgres", "TestSupport"]),
        tests("AdminTests", [
            "CollectionsService", "CollectionsSchema", "CollectionsImport", "CollectionsDemo", "Postgres", "TestSupport",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
