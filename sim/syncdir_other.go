//go:build !unix

package sim

// syncDirectory does nothing: Windows cannot open a directory to flush it (its renames
// are made durable by the file system's journal), nor can wasm or plan9.
func syncDirectory(string) error { return nil }
