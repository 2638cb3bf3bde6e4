import Foundation

/// A certificate authority, a broker certificate for 127.0.0.1 signed by it, and a mosquitto
/// password file, made with the real `openssl` and `mosquitto_passwd` for one test.
public struct BrokerSecurity: Sendable {
    public let directory: TemporaryDirectory
    /// The CA certificate clients trust.
    public let caFile: String
    public let certFile: String
    public let keyFile: String
    public let passwordFile: String
    /// Another CA, which did not sign the broker's certificate.
    public let otherCAFile: String

    /// - Parameter users: Logins the broker accepts, name to password.
    public init(users: [String: String]) throws {
        let directory = try TemporaryDirectory(prefix: "vakt-tls")
        self.directory = directory
        let path = { (name: String) in directory.appending(name).path }
        caFile = path("ca.crt")
        certFile = path("broker.crt")
        keyFile = path("broker.key")
        passwordFile = path("passwords")
        otherCAFile = path("other-ca.crt")
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(
            toFile: path("san.cnf"), atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.run(
            "/usr/bin/openssl",
            ["req", "-x509"] + ec + [
                "-keyout", path("ca.key"), "-out", caFile, "-days", "2", "-subj", "/CN=Vakt test CA",
            ])
        try Self.run(
            "/usr/bin/openssl",
            ["req", "-x509"] + ec
                + ["-keyout", path("other-ca.key"), "-out", otherCAFile, "-days", "2", "-subj", "/CN=Someone else"])
        try Self.run(
            "/usr/bin/openssl",
            ["req"] + ec + ["-keyout", keyFile, "-out", path("broker.csr"), "-subj", "/CN=127.0.0.1"])
        try Self.run(
            "/usr/bin/openssl",
            [
                "x509", "-req", "-in", path("broker.csr"), "-CA", caFile, "-CAkey", path("ca.key"), "-CAcreateserial",
                "-out", certFile, "-days", "2", "-extfile", path("san.cnf"),
            ])
        try "".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        for (user, password) in users.sorted(by: { $0.key < $1.key }) {
            try Self.run("/usr/bin/mosquitto_passwd", ["-b", passwordFile, user, password])
        }
        // mosquitto reads these as whichever user it runs as.
        for file in [keyFile, passwordFile] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        }
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        let child = try ChildProcess(executable, arguments)
        let status = child.wait()
        guard status == 0 else {
            throw TestSupportError("\(executable) \(arguments.first ?? "") exited \(status): \(child.output.suffix(5))")
        }
    }

    public func remove() { directory.remove() }
}
