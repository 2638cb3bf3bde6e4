import CMosquitto

/// libmosquitto's process-wide setup, done once before the first client is made.
enum MosquittoLibrary {
    /// `mosquitto_lib_init`'s result; Swift runs a static initialiser exactly once.
    static let initialized: Int32 = mosquitto_lib_init()
}
