// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "isvc",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "isvc", targets: ["isvc"]),
        .library(name: "ISVCCore", targets: ["ISVCCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // The compiler: read, decode, validate, expand, render. No HTTP in here.
        .target(name: "ISVCCore", dependencies: [
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The thin command-line shell.
        .executableTarget(name: "isvc", dependencies: [
            "ISVCCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "ISVCCoreTests", dependencies: ["ISVCCore", "isvc"]),
    ]
)
