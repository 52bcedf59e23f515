extension String {
    /// The string without the trailing characters `predicate` accepts (a file name's trailing
    /// dots and spaces, which Windows drops when it saves the file).
    public func trimmingTrailing(while predicate: (Character) -> Bool) -> String {
        var result = self
        while let last = result.last, predicate(last) { result.removeLast() }
        return result
    }
}
