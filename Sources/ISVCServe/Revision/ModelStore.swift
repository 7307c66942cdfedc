import AsyncHTTPClient
import Foundation
import NIOCore

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
        let dir = workDirectory.appendingPathComponent(workload).appendingPathComponent("models")
        let fm = FileManager.default
        try fm.createDirectory(at: dir.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard let uri, !uri.isEmpty else {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            return dir
        }
        let staging = dir.deletingLastPathComponent().appendingPathComponent(".models-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: staging) }
        if uri.hasPrefix("http://") || uri.hasPrefix("https://") {
            guard let url = URL(string: uri) else { throw Failure(description: "storageUri \(uri) is not a valid URL") }
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            let data = try await download(url)
            let name = url.lastPathComponent.isEmpty ? "model" : url.lastPathComponent
            try data.write(to: staging.appendingPathComponent(name))
        } else if uri.hasPrefix("file://") || !uri.contains("://") {
            let path = uri.hasPrefix("file://") ? String(uri.dropFirst("file://".count)) : uri
            let source = URL(fileURLWithPath: path)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: source.path, isDirectory: &isDir) else {
                throw Failure(description: "storageUri \(uri): \(source.path) does not exist")
            }
            if isDir.boolValue {
                try fm.copyItem(at: source, to: staging)
            } else {
                try fm.createDirectory(at: staging, withIntermediateDirectories: true)
                try fm.copyItem(at: source, to: staging.appendingPathComponent(source.lastPathComponent))
            }
        } else {
            let scheme = uri.components(separatedBy: "://").first ?? uri
            throw Failure(description: "storageUri \(uri): isvc serve cannot fetch \(scheme):// models; download the model and use a local path, a file:// URI or an http(s):// URL")
        }
        if fm.fileExists(atPath: dir.path) { try fm.removeItem(at: dir) }
        try fm.moveItem(at: staging, to: dir)
        return dir
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
