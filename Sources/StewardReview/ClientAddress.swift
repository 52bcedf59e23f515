import Foundation
public import StewardPolicy

/// The address of the person at the browser, for login throttling and logs. Behind a reverse
/// proxy every connection comes from the proxy, so the proxy's `X-Forwarded-For` is believed,
/// but only when the connection comes from a configured trusted proxy (anyone else could write
/// that header to dodge throttling).
public enum ClientAddress {
    /// `peer` is the TCP peer's IP; `forwardedFor` the X-Forwarded-For header, if any.
    public static func resolve(peer: String?, forwardedFor: String?, trustedProxies: [NetworkRange]) -> String {
        guard let peer else { return "unknown" }
        guard let forwardedFor, isTrusted(peer, trustedProxies) else { return peer }
        // Walk from the right (the hop nearest us): the first address not itself a trusted
        // proxy is the client; entries further left were written by the client and may be lies.
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard IPAddress(hop) != nil else { return peer }
            if !isTrusted(hop, trustedProxies) { return hop }
        }
        return hops.first ?? peer
    }

    private static func isTrusted(_ address: String, _ ranges: [NetworkRange]) -> Bool {
        guard let ip = IPAddress(address) else { return false }
        return ranges.contains { $0.contains(ip) }
    }
}
