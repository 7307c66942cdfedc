/// The parts of `metadata` the compiler reads.
public struct ObjectMeta: Sendable {
    public var name: Located<String>?
    public var namespace: Located<String>?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var annotationLocations: [String: SourceLocation]
    public var labelLocations: [String: SourceLocation]
    /// Where `metadata` is, or the document when it has none.
    public var location: SourceLocation

    init(_ document: Node) {
        let meta = document["metadata"]
        name = meta?.located("name")
        namespace = meta?.located("namespace")
        labels = meta?.stringMap("labels") ?? [:]
        annotations = meta?.stringMap("annotations") ?? [:]
        annotationLocations = meta?.keyLocations("annotations") ?? [:]
        labelLocations = meta?.keyLocations("labels") ?? [:]
        location = meta?.location ?? document.location
    }

    /// The location of an annotation's value, else of metadata.
    public func location(ofAnnotation key: String) -> SourceLocation {
        annotationLocations[key] ?? location
    }
}
