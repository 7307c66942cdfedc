import Dispatch
import Foundation
import ISVCCore
import ISVCServe
import Logging

/// `isvc serve --watch` and SIGHUP: each edit of the input files is read again, compiled against
/// what runs and applied (ServeSession), one at a time, and logged with its `isvc diff --summary`.
struct EditLoop: Sendable {
    let session: ServeSession
    let files: [String]
    let logger: Logger

    /// Applies edits until cancelled: on every change of the files with `watch`, and on every SIGHUP.
    func run(watch: Bool) async {
        let (triggers, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangup.setEventHandler { continuation.yield("SIGHUP") }
        hangup.resume()
        defer { hangup.cancel() }
        let watcher = Task {
            guard watch else { return }
            logger.info("watching \(files.joined(separator: ", ")) for edits")
            await InputWatcher(paths: files).run { continuation.yield("edit") }
        }
        defer { watcher.cancel() }
        await withTaskCancellationHandler {
            for await trigger in triggers { await apply(because: trigger) }
        } onCancel: {
            continuation.finish()
        }
    }

    func apply(because trigger: String) async {
        var sources: [InputLoader.Source] = []
        for path in files {
            switch InputFiles.read(path) {
            case .success(let source): sources.append(source)
            case .failure(let failure):
                logger.error("\(trigger): \(failure.formatted); the running plan stays")
                return
            }
        }
        switch await session.apply(sources) {
        case .unchanged:
            logger.info("\(trigger): the compiled objects are the same; nothing to apply")
        case .rejected(let problems):
            logger.error("\(trigger): the edit does not pass check; the running plan stays")
            for line in problems { logger.error("\(line)") }
        case .applied(let summary, let applied, let warnings):
            for line in warnings { logger.warning("\(line)") }
            logger.info("\(trigger): applied")
            for line in summary.split(separator: "\n") { logger.info("  \(line)") }
            let kept = applied.kept.isEmpty ? "" : "kept \(applied.kept.joined(separator: ", "))"
            let started = applied.started.isEmpty ? "" : "started \(applied.started.joined(separator: ", "))"
            let drained = applied.removed.isEmpty ? "" : "draining \(applied.removed.joined(separator: ", "))"
            logger.info("workloads: \([kept, started, drained].filter { !$0.isEmpty }.joined(separator: "; "))")
            for line in session.gateway.plan.traffic { logger.info("\(line)") }
            for line in session.gateway.plan.warnings { logger.warning("\(line)") }
        }
    }
}
