import CMosquitto

#if canImport(Glibc)
    import Glibc
#endif

/// A libmosquitto failure: a struct over the raw `MOSQ_ERR_*` code.
///
/// Catch a kind with its static member (`catch MosquittoError.noConnection`). When the code is
/// `MOSQ_ERR_ERRNO` the system error number is kept too (`ECONNREFUSED` for a broker that is
/// not listening) and named in the description. Two errors are equal when their codes are.
public struct MosquittoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `MOSQ_ERR_*` value.
    public let code: Int32
    /// `errno` at the time of the failure, when `code` is `MOSQ_ERR_ERRNO`.
    public let systemErrno: Int32?

    public init(code: Int32, systemErrno: Int32? = nil) {
        self.code = code
        self.systemErrno = systemErrno
    }

    /// Wraps a libmosquitto return code, capturing `errno` when the code says to.
    init(returnCode: Int32) {
        self.init(code: returnCode, systemErrno: returnCode == MOSQ_ERR_ERRNO.rawValue ? errno : nil)
    }

    /// Throws unless `returnCode` is `MOSQ_ERR_SUCCESS`.
    static func check(_ returnCode: Int32) throws(MosquittoError) {
        guard returnCode == MOSQ_ERR_SUCCESS.rawValue else { throw MosquittoError(returnCode: returnCode) }
    }

    public static let noMemory = MosquittoError(code: MOSQ_ERR_NOMEM.rawValue)
    public static let protocolError = MosquittoError(code: MOSQ_ERR_PROTOCOL.rawValue)
    public static let invalid = MosquittoError(code: MOSQ_ERR_INVAL.rawValue)
    /// Not connected to a broker (publish or subscribe while the connection is down).
    public static let noConnection = MosquittoError(code: MOSQ_ERR_NO_CONN.rawValue)
    /// The broker refused the connection in its CONNACK (bad credentials, client id).
    public static let connectionRefused = MosquittoError(code: MOSQ_ERR_CONN_REFUSED.rawValue)
    public static let notFound = MosquittoError(code: MOSQ_ERR_NOT_FOUND.rawValue)
    public static let connectionLost = MosquittoError(code: MOSQ_ERR_CONN_LOST.rawValue)
    public static let tls = MosquittoError(code: MOSQ_ERR_TLS.rawValue)
    public static let payloadSize = MosquittoError(code: MOSQ_ERR_PAYLOAD_SIZE.rawValue)
    public static let notSupported = MosquittoError(code: MOSQ_ERR_NOT_SUPPORTED.rawValue)
    public static let auth = MosquittoError(code: MOSQ_ERR_AUTH.rawValue)
    public static let aclDenied = MosquittoError(code: MOSQ_ERR_ACL_DENIED.rawValue)
    public static let unknown = MosquittoError(code: MOSQ_ERR_UNKNOWN.rawValue)
    /// A system call failed; see `systemErrno` (a refused TCP connection lands here).
    public static let systemError = MosquittoError(code: MOSQ_ERR_ERRNO.rawValue)
    /// The host name could not be resolved.
    public static let lookup = MosquittoError(code: MOSQ_ERR_EAI.rawValue)
    public static let malformedUTF8 = MosquittoError(code: MOSQ_ERR_MALFORMED_UTF8.rawValue)
    public static let keepAlive = MosquittoError(code: MOSQ_ERR_KEEPALIVE.rawValue)

    public static func == (lhs: MosquittoError, rhs: MosquittoError) -> Bool { lhs.code == rhs.code }

    /// Lets `catch MosquittoError.noConnection` match any thrown error with that code.
    public static func ~= (pattern: MosquittoError, error: any Error) -> Bool {
        (error as? MosquittoError)?.code == pattern.code
    }

    public var description: String {
        if let systemErrno {
            return "\(String(cString: strerror(systemErrno))) (errno \(systemErrno))"
        }
        return "\(String(cString: mosquitto_strerror(code))) (MOSQ_ERR \(code))"
    }
}
