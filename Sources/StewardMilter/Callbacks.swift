import CStewardMilter
import Foundation
import Logging
import StewardCore
import StewardEngine
import Synchronization

// The C callbacks libmilter calls, one thread per MTA connection. Each is a thin adapter: read
// the arguments and macros, drive `Connection`, and answer. Every step before end-of-message is
// negotiated to need no reply (see ProtocolNegotiation).

/// The connection for `ctx`, created on first use (negotiate comes before connect).
private func connection(_ ctx: OpaquePointer?) -> Connection? {
    if let raw = smfi_getpriv(ctx) {
        return Unmanaged<Connection>.fromOpaque(raw).takeUnretainedValue()
    }
    guard let runtime = currentRuntime.withLock({ $0 }) else { return nil }
    let created = Connection(runtime: runtime)
    smfi_setpriv(ctx, Unmanaged.passRetained(created).toOpaque())
    return created
}

private func macro(_ ctx: OpaquePointer?, _ name: String) -> String? {
    guard let value = steward_getsymval(ctx, name) else { return nil }
    let text = String(cString: value)
    return text.isEmpty ? nil : text
}

/// Macros Steward reads, all with MAIL FROM (connect is negotiated away), plus the queue id at
/// the end; no macros with recipients, which would cost a packet per recipient.
private let macrosByStage: [(Int32, String)] = [
    (SMFIM_ENVFROM, "i {auth_authen} {client_addr} {client_name} {daemon_name} j"),
    (SMFIM_ENVRCPT, ""),
    (SMFIM_EOM, "i"),
]

let negotiateCallback: @convention(c) (
    OpaquePointer?, UInt, UInt, UInt, UInt,
    UnsafeMutablePointer<UInt>?, UnsafeMutablePointer<UInt>?, UnsafeMutablePointer<UInt>?, UnsafeMutablePointer<UInt>?
) -> sfsistat = { ctx, f0, f1, _, _, pf0, pf1, pf2, pf3 in
    guard let conn = connection(ctx), !conn.runtime.isDraining,
        let chosen = ProtocolNegotiation.negotiate(offeredActions: f0, offeredSteps: f1)
    else {
        // Stopping, or an MTA that cannot do what Steward needs: refuse the connection, and the
        // MTA applies milter_default_action (tempfail).
        return sfsistat(SMFIS_REJECT)
    }
    conn.negotiation = chosen
    pf0?.pointee = chosen.actions
    pf1?.pointee = chosen.steps
    pf2?.pointee = 0
    pf3?.pointee = 0
    if chosen.canSetMacros {
        for (stage, names) in macrosByStage { _ = steward_setsymlist(ctx, stage, names) }
    }
    return sfsistat(SMFIS_CONTINUE)
}

let connectCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<sockaddr>?) -> sfsistat = {
    ctx, hostname, _ in
    guard let conn = connection(ctx) else { return sfsistat(SMFIS_TEMPFAIL) }
    conn.state.connect(
        clientName: macro(ctx, "{client_name}") ?? hostname.map { String(cString: $0) },
        clientAddress: macro(ctx, "{client_addr}"),
        daemonName: macro(ctx, "{daemon_name}"),
        mtaHostName: macro(ctx, "j"))
    return conn.stepReply(SMFIP_NR_CONN)
}

let heloCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?) -> sfsistat = { ctx, name in
    guard let conn = connection(ctx) else { return sfsistat(SMFIS_TEMPFAIL) }
    if let name { conn.state.helo(String(cString: name)) }
    return conn.stepReply(SMFIP_NR_HELO)
}

let envfromCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> sfsistat = {
    ctx, argv in
    guard let conn = connection(ctx) else { return sfsistat(SMFIS_TEMPFAIL) }
    let sender = argv?.pointee.map { String(cString: $0) } ?? ""
    if let clientAddress = macro(ctx, "{client_addr}") {
        conn.state.connect(
            clientName: macro(ctx, "{client_name}"), clientAddress: clientAddress,
            daemonName: macro(ctx, "{daemon_name}"), mtaHostName: macro(ctx, "j"))
    }
    conn.startMessage(sender: sender, authUser: macro(ctx, "{auth_authen}"), queueID: macro(ctx, "i"))
    return conn.stepReply(SMFIP_NR_MAIL)
}

let envrcptCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> sfsistat = {
    ctx, argv in
    guard let conn = connection(ctx) else { return sfsistat(SMFIS_TEMPFAIL) }
    if let recipient = argv?.pointee.map({ String(cString: $0) }) { conn.state.rcptTo(recipient) }
    return conn.stepReply(SMFIP_NR_RCPT)
}

let dataCallback: @convention(c) (OpaquePointer?) -> sfsistat = { ctx in
    guard let conn = connection(ctx) else { return sfsistat(SMFIS_TEMPFAIL) }
    return conn.stepReply(SMFIP_NR_DATA)
}

let headerCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<CChar>?) -> sfsistat = {
    ctx, name, value in
    guard let conn = connection(ctx) else { return sfsistat(SMFIS_TEMPFAIL) }
    let nameText = name.map { String(cString: $0) } ?? ""
    // The value as bytes, not String: 8-bit headers must reach the quarantine unchanged.
    let valueBytes: [UInt8] = value.map { pointer in
        Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
    } ?? []
    conn.write(conn.state.header(name: nameText, value: valueBytes, leadingSpaceKept: conn.negotiation?.leadingSpaceKept ?? false))
    return conn.stepReply(SMFIP_NR_HDR)
}

let eohCallback: @convention(c) (OpaquePointer?) -> sfsistat = { ctx in
    guard let conn = connection(ctx) else { return sfsistat(SMFIS_TEMPFAIL) }
    conn.startBodyIfNeeded()
    return conn.stepReply(SMFIP_NR_EOH)
}

let bodyCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, Int) -> sfsistat = { ctx, chunk, length in
    guard let conn = connection(ctx) else { return sfsistat(SMFIS_TEMPFAIL) }
    conn.startBodyIfNeeded()
    if let chunk, length > 0 { conn.write(UnsafeRawBufferPointer(start: chunk, count: length)) }
    return conn.stepReply(SMFIP_NR_BODY)
}

let eomCallback: @convention(c) (OpaquePointer?) -> sfsistat = { ctx in
    guard let conn = connection(ctx) else { return sfsistat(SMFIS_TEMPFAIL) }
    let queueID = macro(ctx, "i")
    let decision = conn.finishMessage(queueID: queueID)
    // Every line about a message names its queue id, so it can be found beside Postfix's.
    var logger = conn.runtime.logger
    logger[metadataKey: "milter.queue_id"] = "\(queueID ?? "-")"
    return MilterReply.apply(decision, ctx: ctx, logger: logger)
}

let abortCallback: @convention(c) (OpaquePointer?) -> sfsistat = { ctx in
    connection(ctx)?.abortMessage()
    return sfsistat(SMFIS_CONTINUE)
}

let closeCallback: @convention(c) (OpaquePointer?) -> sfsistat = { ctx in
    if let raw = smfi_getpriv(ctx) {
        let conn = Unmanaged<Connection>.fromOpaque(raw).takeRetainedValue()
        conn.abortMessage()
        smfi_setpriv(ctx, nil)
    }
    return sfsistat(SMFIS_CONTINUE)
}

let unknownCallback: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> sfsistat = { ctx, _ in
    guard let conn = connection(ctx) else { return sfsistat(SMFIS_TEMPFAIL) }
    return conn.stepReply(SMFIP_NR_UNKN)
}
