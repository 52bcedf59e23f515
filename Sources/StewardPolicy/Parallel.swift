import Dispatch

/// Independent searches over a large text, run side by side. The policy engine stays pure:
/// each search reads the message and writes only its own slot, and `run` returns when all
/// have finished. Small messages (nearly all mail) are searched in turn: starting threads
/// would cost more than it saves.
enum Parallel {
    /// Text past which splitting the work pays (a few milliseconds of searching).
    static let threshold = 256 * 1024

    static func worthIt(textBytes: Int) -> Bool { textBytes >= threshold }

    /// Runs `body(0..<count)`, spread over the machine's cores; returns when all are done.
    static func run(_ count: Int, _ body: (Int) -> Void) {
        // concurrentPerform wants a Sendable closure; the searches only read shared values and
        // write their own slot, and it returns only when every iteration has finished.
        withoutActuallyEscaping(body) { body in
            let work = Unchecked(body)
            DispatchQueue.concurrentPerform(iterations: count) { work.value($0) }
        }
    }

    private struct Unchecked<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    /// Result slots that concurrent iterations write, each only its own index.
    struct Slots<Element>: @unchecked Sendable {
        private let buffer: UnsafeMutableBufferPointer<Element>
        init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
        subscript(index: Int) -> Element {
            get { buffer[index] }
            nonmutating set { buffer[index] = newValue }
        }
    }
}
