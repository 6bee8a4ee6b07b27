// swift-tools-version:6.0
// An app that runs an m2c-generated model from Swift. `scripts/link-model.sh MODEL_DIR` puts the generated
// C sources into the CModel target and the generated Swift wrapper into the app (see README.md).
import Foundation
import PackageDescription

let linkedHeaders = Context.packageDirectory + "/Sources/CModel/include"
guard FileManager.default.fileExists(atPath: linkedHeaders) else {
    FileHandle.standardError.write(Data("""
        error: no model linked yet: run `scripts/link-model.sh MODEL_DIR` first (MODEL_DIR: the directory \
        `m2c compile --target cpu` wrote)\n
        """.utf8))
    exit(1)
}

let package = Package(
    name: "swift-app",
    targets: [
        // The generated NAME.c / include/NAME.h, copied in by scripts/link-model.sh.
        .target(name: "CModel"),
        // main.swift plus the generated NAME.swift wrapper and LinkedModel.swift.
        .executableTarget(name: "SwiftApp", dependencies: ["CModel"]),
    ]
)
