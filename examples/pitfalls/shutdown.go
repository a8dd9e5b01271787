package main

// shutdownPatterns returns the leak patterns that package shutdown removes.
func shutdownPatterns() []pattern { return nil }
