import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// The storage initializer on one machine: copies `file://` and plain paths, downloads `http(s)://`,
/// into a per-workload model directory under the work dir. Nothing is half-written: a download goes
/// to a temporary name and is renamed when complete. Other schemes are a clear error.
public struct ModelStore: Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public let workDirectory: URL
    public let maxDownloadBytes: Int

    public init(workDirectory: URL, maxDownloadBytes: Int = 2 << 30) {
        self.workDirectory = workDirectory
        self.maxDownloadBytes = maxDownloadBytes
    }

    /// Provides the model for a workload; returns the local directory standing for /mnt/models.
    public func provide(_ uri: String?, for workload: String) async throws -> URL {
        try await provide(uri, at: workDirectory.appendingPathComponent(workload).appendingPathComponent("models"))
    }

    /// Provides the model at `uri` in the directory `dir` (replaced when complete).
    public func provide(_ uri: String?, at dir: URL) async throws -> URL {
        guard let uri, !uri.isEmpty else {
            return try await Self.blocking {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                return dir
            }
        }
        if uri.hasPrefix("http://") || uri.hasPrefix("https://") {
            guard let url = URL(string: uri) else { throw Failure(description: "storageUri \(uri) is not a valid URL") }
            let data = try await download(url)
            let name = url.lastPathComponent.isEmpty ? "model" : url.lastPathComponent
            return try await Self.blocking { try Self.install(into: dir) { try data.write(to: $0.appendingPathComponent(name)) } }
        }
        guard uri.hasPrefix("file://") || !uri.contains("://") else {
            let scheme = uri.components(separatedBy: "://").first ?? uri
            throw Failure(
                description:
                    "storageUri \(uri): isvc serve cannot fetch \(scheme):// models; download the model and use a local path, a file:// URI or an http(s):// URL"
            )
        }
        let source = URL(fileURLWithPath: uri.hasPrefix("file://") ? String(uri.dropFirst("file://".count)) : uri)
        return try await Self.blocking {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDir) else {
                throw Failure(description: "storageUri \(uri): \(source.path) does not exist")
            }
            let directory = isDir.boolValue
            return try Self.install(into: dir) { staging in
                try FileManager.default.removeItem(at: staging)
                if directory {
                    try FileManager.default.copyItem(at: source, to: staging)
                } else {
                    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
                    try FileManager.default.copyItem(at: source, to: staging.appendingPathComponent(source.lastPathComponent))
                }
            }
        }
    }

    /// Fills a staging directory beside `dir` and renames it to `dir` when complete.
    static func install(into dir: URL, _ fill: (URL) throws -> Void) throws -> URL {
        let fm = FileManager.default
        try fm.createDirectory(at: dir.deletingLastPathComponent(), withIntermediateDirectories: true)
        let staging = dir.deletingLastPathComponent().appendingPathComponent(".models-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: staging) }
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        try fill(staging)
        if fm.fileExists(atPath: dir.path) { try fm.removeItem(at: dir) }
        try fm.moveItem(at: staging, to: dir)
        return dir
    }

    /// File work on NIO's blocking pool: isvc serve runs Swift concurrency on the event loops, and a
    /// model copy there would stall every connection of that loop.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    func download(_ url: URL) async throws -> Data {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(300))
            guard (200..<300).contains(Int(response.status.code)) else {
                throw Failure(description: "downloading \(url) failed: HTTP \(response.status.code)")
            }
            let body = try await response.body.collect(upTo: maxDownloadBytes)
            return Data(buffer: body)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "downloading \(url) failed: \(error)")
        }
    }
}
