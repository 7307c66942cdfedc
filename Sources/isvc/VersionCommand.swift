import ArgumentParser
import ISVCCore

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print isvc's version and the upstream versions its output mirrors (KServe, Knative, net-istio, Istio, Envoy).")

    func run() {
        print(Mirrored.text, terminator: "")
    }
}
