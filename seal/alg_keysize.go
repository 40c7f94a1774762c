package seal

// AEADKeySize is the key length, in bytes, of the alg's HPKE AEAD: 16 for
// AES-128-GCM, 32 for AES-256-GCM and ChaCha20Poly1305, 0 for an unknown
// alg. Protocols that derive further keys from the HPKE context (the
// transport's body streams) use it to match the suite's strength.
func (a Alg) AEADKeySize() int {
	sp, ok := lookupAlg(a)
	switch {
	case !ok:
		return 0
	case sp.suite.aead == aeadAES128GCM:
		return 16
	default:
		return 32
	}
}
