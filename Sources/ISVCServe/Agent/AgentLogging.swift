import Foundation
import NIOCore

/// One request through the agent's logger (`LoggerHandler.ServeHTTP`): its id (the request's `Ce-Id`
/// or a new UUID, shared by the request and response events), its Content-Type (both events carry
/// the request's), and the metadata headers the logger copies.
struct AgentLogging: Sendable {
    let settings: AgentSettings.Logger
    let workload: String
    let id: String
    let contentType: String?
    let metadata: [String: [String]]

    init(settings: AgentSettings.Logger, workload: String, request: GatewayRouter.Request, body: ByteBuffer) {
        self.settings = settings
        self.workload = workload
        func header(_ name: String) -> String? {
            request.headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        id = header("ce-id").flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString.lowercased()
        contentType = header("content-type")
        var metadata: [String: [String]] = [:]
        if !settings.metadataHeaders.isEmpty {
            let wanted = Set(settings.metadataHeaders)
            for (name, value) in request.headers {
                let canonical = HeaderPropagation.canonical(name)
                if wanted.contains(canonical) { metadata[canonical, default: []].append(value) }
            }
        }
        self.metadata = metadata
    }

    func event(_ kind: RequestLogger.Event.Kind, body: ByteBuffer) -> RequestLogger.Event {
        RequestLogger.Event(
            settings: settings, workload: workload, kind: kind, id: id, time: Date(), contentType: contentType,
            metadata: metadata, body: Array(body.readableBytesView))
    }
}
