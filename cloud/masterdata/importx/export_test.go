package importx

// WriteTable writes a table as Export does, for tests that make files.
var WriteTable = writeTable
