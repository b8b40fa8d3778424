// swift-tools-version:6.0
import PackageDescription

// A package of its own that depends on Torus: one new pass and an opt tool that includes it.
let package = Package(
  name: "CustomPass",
  platforms: [.macOS(.v14)],
  dependencies: [
    .package(name: "Torus", path: "../..")
  ],
  targets: [
    .target(
      name: "LookupFusion",
      dependencies: [
        .product(name: "TorusIR", package: "Torus"),
        .product(name: "TorusPasses", package: "Torus"),
        .product(name: "TorusFHE", package: "Torus"),
      ]),
    .executableTarget(
      name: "custom-opt",
      dependencies: [
        "LookupFusion",
        .product(name: "TorusOpt", package: "Torus"),
        .product(name: "TorusTools", package: "Torus"),
      ]),
    .testTarget(
      name: "LookupFusionTests",
      dependencies: ["LookupFusion", .product(name: "TorusOpt", package: "Torus"), .product(name: "TorusFHE", package: "Torus")]),
  ]
)
