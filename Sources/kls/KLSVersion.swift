/// The version `kls --version` prints.
enum KLSVersion {
    static let current = "0.1.0"
}
