// The review app: officials review their branch's quarantine in a browser (clauses 14 and 15).
// Routes, accounts, sessions and pages live in the files beside this one.
