// swift-tools-version:6.0
import PackageDescription

// Layering (one-way): TorusIR ← dialects (TorusFHE, TorusQNN) ← passes and importers
// (TorusPasses, TorusFHETransforms, TorusQNNTransforms, TorusImport) ← TorusInterpreter ←
// TorusEncrypted ← executables. TFHE (with its C kernels, TFHEKernels) and TorusFormats depend on
// nothing of ours.

// TFHE's FFT and key switch need AVX2/FMA code generation (x86-64 baseline is SSE2 only).
#if arch(x86_64)
let tfheSwiftSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
let tfheCSettings: [CSetting] = [.unsafeFlags(["-mavx2", "-mfma"])]
#else
let tfheSwiftSettings: [SwiftSetting] = []
let tfheCSettings: [CSetting] = []
#endif

let package = Package(
  name: "Torus",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "TorusIR", targets: ["TorusIR"]),
    .library(name: "TorusPasses", targets: ["TorusPasses"]),
    .library(name: "TorusOpt", targets: ["TorusOpt"]),
    .library(name: "TFHE", targets: ["TFHE"]),
    .library(name: "TorusFormats", targets: ["TorusFormats"]),
    .library(name: "TorusONNX", targets: ["TorusONNX"]),
    .library(name: "TorusFHE", targets: ["TorusFHE"]),
    .library(name: "TorusFHETransforms", targets: ["TorusFHETransforms"]),
    .library(name: "TorusInterpreter", targets: ["TorusInterpreter"]),
    .library(name: "TorusQNN", targets: ["TorusQNN"]),
    .library(name: "TorusImport", targets: ["TorusImport"]),
    .library(name: "TorusQNNTransforms", targets: ["TorusQNNTransforms"]),
    .library(name: "TorusTools", targets: ["TorusTools"]),
    .executable(name: "torus-opt", targets: ["torus-opt"]),
    .executable(name: "torus", targets: ["torus"]),
    .executable(name: "torus-bench", targets: ["torus-bench"]),
    .executable(name: "torus-serve", targets: ["torus-serve"]),
    .library(name: "TorusServeClient", targets: ["TorusServeClient"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    // The server (torus-serve) only: HTTP, its database, hashing. The core CLI stays free of NIO.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
    .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
  ],
  targets: [
    .target(name: "TorusIR"),
    .target(name: "TorusPasses", dependencies: ["TorusIR"]),
    .target(
      name: "TorusOpt",
      dependencies: ["TorusIR", "TorusPasses", "TorusFormats"]),
    // AVX2 passes of the FFT the Swift compiler vectorizes badly (last two stages, inverse radix-4); part of TFHE.
    .target(name: "TFHEKernels", cSettings: tfheCSettings),
    .target(name: "TFHE", dependencies: ["TFHEKernels"], swiftSettings: tfheSwiftSettings),
    // zlib (Debian's zlib1g-dev, installed by scripts/setup.sh) for gzip-compressed circuits.
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
    .target(
      name: "TorusFormats",
      dependencies: ["CZlib", .product(name: "Yams", package: "Yams")]),
    .target(
      name: "TorusONNX",
      dependencies: [
        "TorusFormats",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]),
    .target(name: "TorusFHE", dependencies: ["TorusIR"]),
    .target(name: "TorusFHETransforms", dependencies: ["TorusIR", "TorusPasses", "TorusFHE"]),
    .target(name: "TorusInterpreter", dependencies: ["TorusIR", "TorusFHE", "TorusFormats"]),
    .target(
      name: "TorusEncrypted", dependencies: ["TorusIR", "TorusPasses", "TorusFHE", "TorusFormats", "TorusInterpreter", "TFHE"]),
    .target(name: "TorusQNN", dependencies: ["TorusIR"]),
    .target(
      name: "TorusImport",
      dependencies: ["TorusIR", "TorusPasses", "TorusQNN", "TorusQNNTransforms", "TorusONNX", "TorusFormats"]),
    .target(
      name: "TorusQNNTransforms",
      dependencies: ["TorusIR", "TorusPasses", "TorusQNN", "TorusFHE", "TorusFormats"]),
    // Circuit pictures (HTML/SVG through FoundationXML, i.e. libxml2 on Linux; DOT).
    .target(name: "TorusView", dependencies: ["TorusIR", "TorusPasses", "TorusEncrypted"]),
    // The torus-opt tool as a library: the executable and the .mlir file tests build it from here.
    .target(
      name: "TorusTools",
      dependencies: ["TorusOpt", "TorusFHE", "TorusFHETransforms", "TorusQNN", "TorusQNNTransforms", "TorusEncrypted", "TorusView"]),
    .executableTarget(name: "torus-opt", dependencies: ["TorusOpt", "TorusTools"]),
    .executableTarget(
      name: "torus",
      dependencies: [
        "TorusIR", "TorusPasses", "TorusFHE", "TorusFHETransforms", "TorusInterpreter", "TorusFormats",
        "TorusEncrypted", "TFHE", "TorusImport", "TorusQNN", "TorusQNNTransforms", "TorusView", "TorusServeClient",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // Encrypted inference over HTTP (Spec/Serving.md): Hummingbird, SQLite (GRDB) or PostgreSQL.
    .target(
      name: "TorusServe",
      dependencies: [
        "TorusEncrypted", "TorusFormats", "TFHE", "TorusServeClient",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]),
    .executableTarget(
      name: "torus-serve",
      dependencies: ["TorusServe", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    // The client of torus-serve (URLSession, no NIO): `torus client`, the chess engine.
    .target(
      name: "TorusServeClient",
      dependencies: ["TorusEncrypted", "TorusFormats", .product(name: "Crypto", package: "swift-crypto")]),
    // The measurements of torus-bench as a library (the tool parses flags and prints).
    .target(name: "TFHEBenchmarks", dependencies: ["TFHE"], swiftSettings: tfheSwiftSettings),
    .executableTarget(
      name: "torus-bench",
      dependencies: [
        "TFHE", "TFHEBenchmarks",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // The chess engine example (Examples/chess): rules and UCI in their own targets, the executable wires
    // them to Torus (simulate in process, encrypted through torus-serve).
    .target(name: "ChessRules", path: "Examples/chess/Sources/ChessRules"),
    .target(name: "ChessEngine", dependencies: ["ChessRules"], path: "Examples/chess/Sources/ChessEngine"),
    .executableTarget(
      name: "torus-chess",
      dependencies: [
        "ChessEngine", "ChessRules", "TorusImport", "TorusQNN", "TorusQNNTransforms", "TorusInterpreter", "TorusEncrypted",
        "TorusFormats", "TorusServeClient", "TFHE", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Examples/chess/Sources/torus-chess"),
    // Shared helpers of the test targets (locating ../shared, a seeded test generator); not a product.
    .target(name: "TorusTestSupport", dependencies: ["TorusIR"], path: "Tests/TorusTestSupport"),
    .testTarget(name: "TorusIRTests", dependencies: ["TorusTestSupport", "TorusIR", "TorusPasses", "TorusOpt"]),
    // Runs the built executables (exit codes, messages, files written).
    .testTarget(name: "TorusCLITests", dependencies: ["TorusTestSupport", "torus", "torus-opt"]),
    // Tests/mlir/**/*.mlir: RUN lines through torus-opt in-process, checked with CHECK lines.
    .testTarget(name: "TorusFileTests", dependencies: ["TorusTestSupport", "TorusTools", "TorusOpt"]),
    .testTarget(name: "TFHETests", dependencies: ["TorusTestSupport", "TFHE", "TFHEBenchmarks"]),
    .testTarget(name: "TorusFormatsTests", dependencies: ["TorusTestSupport", "TorusFormats"]),
    .testTarget(name: "TorusONNXTests", dependencies: ["TorusTestSupport", "TorusONNX", "TorusFormats"]),
    .testTarget(name: "TorusFHETests", dependencies: ["TorusTestSupport", "TorusFHE", "TorusFHETransforms", "TorusIR", "TorusPasses", "TorusOpt"]),
    .testTarget(
      name: "TorusEncryptedTests",
      dependencies: ["TorusTestSupport", "TorusEncrypted", "TorusFHE", "TorusFHETransforms", "TorusInterpreter", "TorusFormats", "TorusIR", "TorusPasses", "TFHE"]),
    .testTarget(name: "TorusInterpreterTests", dependencies: ["TorusTestSupport", "TorusInterpreter", "TorusFHE", "TorusIR", "TorusFormats"]),
    .testTarget(name: "TorusQNNTests", dependencies: ["TorusTestSupport", "TorusQNN", "TorusQNNTransforms", "TorusIR", "TorusFormats"]),
    .testTarget(
      name: "TorusImportTests",
      dependencies: [
        "TorusTestSupport", "TorusImport", "TorusQNN", "TorusQNNTransforms", "TorusIR", "TorusPasses", "TorusONNX",
        "TorusFormats", "TorusInterpreter",
      ]),
    .testTarget(name: "ChessRulesTests", dependencies: ["ChessRules", "ChessEngine"], path: "Examples/chess/Tests/ChessRulesTests"),
    .testTarget(
      name: "TorusServeTests",
      dependencies: [
        "TorusTestSupport", "TorusServe", "TorusServeClient", "TorusEncrypted", "TFHE", "TorusFormats", "torus-serve", "torus",
        .product(name: "Yams", package: "Yams"),
      ]),
  ]
)
