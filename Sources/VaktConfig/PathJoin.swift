/// Joins and tidies file paths lexically, so errors name files the way the operator wrote them.
enum PathJoin {
    /// `base` + `/` + `relative`, or `relative` alone when it is absolute; `.` and `..` are
    /// resolved where the text allows (`Config/demo/../../Devices` becomes `Devices`).
    static func resolve(_ relative: String, against base: String) -> String {
        if relative.hasPrefix("/") { return normalize(relative) }
        return normalize(join(base, relative))
    }

    /// Plain `base/name`, without a doubled slash.
    static func join(_ base: String, _ name: String) -> String {
        if base.isEmpty { return name }
        return base.hasSuffix("/") ? base + name : base + "/" + name
    }

    /// Removes `.` parts and folds `name/..` pairs; keeps leading `..` of relative paths.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute, parts.isEmpty {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
