import ArgumentParser
import Foundation
import VaktConfig
import VaktCore
import VaktDevices
import VaktRuntime

/// `vakt simulate --config DIR SCENARIO`
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play a scenario of device messages against a running hub.",
        discussion: """
            Publishes real-format device payloads on the broker, and writes real receiver and \
            dispenser frames to pseudo-terminals that stand in for the serial ports named in \
            the configuration (each port path becomes a symlink to one, as udev links \
            /dev/serial/by-id/...). Frames the format acknowledges are resent until the hub \
            acknowledges them, as a real receiver does.

            SCENARIO is a file, or the name of one in the config's scenarios/ folder. Without \
            it, the scenarios there are listed. A scenario is `description:` and `steps:`, one \
            mapping per step:
              {device: ID, sample: KIND}     a recorded sample of its profile
              {device: ID, payload: TEXT}    as written: JSON, a vakt-line, or
                                             Contact ID as AAAA 18 QXYZ GG CCC
              {device: ID, fields: {K: V}}   a vakt-line frame, or JSON
              {device: ID, availability: online|offline}
              {bridge: ID, state: online|offline}
              {garbage: ID, text: TEXT}      no frame, on that serial port
              {wait: DURATION}

            With --keep-open the serial ports stay after the last step, with Sur-Gard \
            heartbeats every 30 s, until Ctrl-C or SIGTERM: the hub would otherwise see its \
            receiver unplugged. Meanwhile each line read from standard input (when it is not \
            a terminal) names a further scenario to play on the same ports.
            """)

    @OptionGroup var config: ConfigOption

    @Argument(help: "A scenario file, or a name from <config>/scenarios/.")
    var scenario: String?

    @Option(help: ArgumentHelp("Broker URL; defaults to the config's broker.", valueName: "url"))
    var broker: String?

    @Flag(help: "Keep the serial ports open after the last step, until interrupted.")
    var keepOpen = false

    func run() throws {
        let site = try HubRunner.loadSiteOrExit(config.directory)
        let folder = (config.directory as NSString).appendingPathComponent("scenarios")
        guard let scenario else {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
            say(names.isEmpty ? "No scenarios in \(folder)." : names.joined(separator: "\n"))
            return
        }
        let path = resolve(scenario, folder: folder)
        let script: Scenario
        do {
            script = try ScenarioLoader.load(path: path, site: site)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        let address = try HubRunner.brokerAddressOrExit(broker ?? site.broker.url, command: "simulate")
        let logger = LogSetup.bootstrap(level: .error)
        // With --keep-open later scenarios may publish too, so the broker is always wanted then.
        let needsBroker =
            keepOpen
            || script.steps.contains {
                switch $0 {
                case .publish, .availability: true
                case .bridge(let id, _): site.bridge(id)?.baseTopic != nil
                default: false
                }
            }
        let simulator: Simulator
        do {
            simulator = try Simulator(site: site, address: needsBroker ? address : nil, logger: logger) { say($0) }
            try simulator.openPorts()
        } catch let error as StartupError {
            printError("vakt simulate: \(error)")
            throw ExitCode(error.exitCode)
        }
        defer { simulator.close() }
        if !script.description.isEmpty { say(script.description) }
        do {
            try simulator.run(script)
        } catch {
            printError("vakt simulate: \(error)")
            throw ExitCode(1)
        }
        if keepOpen {
            say("serial ports stay open; Ctrl-C to stop")
            StopSignal.install()
            let requests = ScenarioRequests()
            if isatty(STDIN_FILENO) == 0 { requests.startReading() }
            simulator.hold {
                while let name = requests.next() {
                    do {
                        let more = try ScenarioLoader.load(path: resolve(name, folder: folder), site: site)
                        if !more.description.isEmpty { say(more.description) }
                        try simulator.run(more)
                    } catch {
                        printError("vakt simulate: \(name): \(error)")
                    }
                }
                return StopSignal.received
            }
        }
    }

    private func resolve(_ name: String, folder: String) -> String {
        FileManager.default.fileExists(atPath: name)
            ? name : (folder as NSString).appendingPathComponent(name + ".yaml")
    }
}

/// SIGINT/SIGTERM as a flag the hold loop polls.
private enum StopSignal {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0
    static var received: Bool { flag != 0 }

    static func install() {
        signal(SIGINT) { _ in StopSignal.flag = 1 }
        signal(SIGTERM) { _ in StopSignal.flag = 1 }
    }
}

/// Scenario names read from standard input on a thread of their own.
private final class ScenarioRequests: @unchecked Sendable {
    private let lock = NSLock()
    private var queue: [String] = []

    func startReading() {
        Thread.detachNewThread { [self] in
            while let line = readLine() {
                let name = line.trimmingCharacters(in: .whitespaces)
                if !name.isEmpty { lock.withLock { queue.append(name) } }
            }
        }
    }

    func next() -> String? {
        lock.withLock { queue.isEmpty ? nil : queue.removeFirst() }
    }
}

/// Writes a line to standard output at once (unbuffered), so people and scripts reading
/// through a pipe see each step as it happens.
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
