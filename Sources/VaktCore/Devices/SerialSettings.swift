/// How a serial line is driven: speed and character framing, from a device profile.
public struct SerialSettings: Sendable, Equatable, CustomStringConvertible {
    public var baud: Int
    /// 5 to 8.
    public var dataBits: Int
    public var parity: Parity
    /// 1 or 2.
    public var stopBits: Int

    public enum Parity: String, Sendable, Equatable, CaseIterable {
        case none
        case even
        case odd
    }

    /// The speeds termios offers on Linux that receivers and dispensers use.
    public static let supportedBauds = [
        300, 600, 1200, 2400, 4800, 9600, 19_200, 38_400, 57_600, 115_200, 230_400,
    ]

    public init(baud: Int = 9600, dataBits: Int = 8, parity: Parity = .none, stopBits: Int = 1) {
        self.baud = baud
        self.dataBits = dataBits
        self.parity = parity
        self.stopBits = stopBits
    }

    /// `9600 8N1`.
    public var description: String {
        let letter =
            switch parity {
            case .none: "N"
            case .even: "E"
            case .odd: "O"
            }
        return "\(baud) \(dataBits)\(letter)\(stopBits)"
    }
}
