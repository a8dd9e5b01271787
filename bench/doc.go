// Package bench compares leakproof's packages with the raw-channel code they
// replace and with the peer libraries users compare them to. It is a separate
// module so that the peers never become dependencies of the library.
package bench
