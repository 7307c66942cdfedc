/// A value stored out of line, copied on write: a large struct field behind one pointer.
///
/// The typed spec's components are kilobytes inline (every `Located` field carries its position), and
/// InferenceServices are held in several arrays at once while a large input is validated (the inputs,
/// the parallel stage's slots, the validated services). Boxed fields make those copies share one
/// storage until one of them is changed.
@propertyWrapper
public struct Boxed<T: Sendable>: Sendable {
    /// Mutated only through a unique reference (see `wrappedValue`), so sharing it across threads is safe.
    final class Storage: @unchecked Sendable {
        var value: T
        init(_ value: T) { self.value = value }
    }

    private var storage: Storage

    public init(wrappedValue: T) {
        storage = Storage(wrappedValue)
    }

    public var wrappedValue: T {
        get { storage.value }
        set {
            if isKnownUniquelyReferenced(&storage) {
                storage.value = newValue
            } else {
                storage = Storage(newValue)
            }
        }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.value) }
            yield &storage.value
        }
    }
}
