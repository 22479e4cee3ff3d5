package settings

import (
	"fmt"
	"path/filepath"

	"github.com/vaksam/vaksam/engine/sign"
)

// DemoSigningKeyFile is the demo's signing key, in its data directory.
const DemoSigningKeyFile = "signing.key"

// Signer returns the key serve signs with: key_file's; for the demo
// without one (demoData its data directory), the data directory's, made
// at the first start. Without either it is ErrNoSigningKey.
func (c Signing) Signer(demoData string) (*sign.Signer, error) {
	if c.KeyFile != "" {
		s, err := sign.LoadSigner(c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("signing.key_file: %w", err)
		}
		return s, nil
	}
	if demoData == "" {
		return nil, ErrNoSigningKey
	}
	s, _, err := sign.LoadOrWriteKeyFile(filepath.Join(demoData, DemoSigningKeyFile))
	return s, err
}

// Trust adds to keys the public keys a consumer of Vaksam's messages
// (check, watch) verifies with by this configuration: trusted_keys and
// key_file's.
func (c Signing) Trust(keys *sign.Keys) error {
	for i, t := range c.TrustedKeys {
		pub, err := sign.ParsePublicKey(t)
		if err != nil {
			return fmt.Errorf("signing.trusted_keys[%d]: %w", i, err)
		}
		keys.Add(pub)
	}
	if c.KeyFile != "" {
		s, err := sign.LoadSigner(c.KeyFile)
		if err != nil {
			return fmt.Errorf("signing.key_file: %w", err)
		}
		keys.Add(s.PublicKey())
	}
	return nil
}

// Summary says which key signs and how many more check and watch trust,
// or why the key does not load.
func (c Signing) Summary() string {
	s, err := sign.LoadSigner(c.KeyFile)
	if err != nil {
		return err.Error()
	}
	line := s.Description()
	if n := len(c.TrustedKeys); n > 0 {
		line += fmt.Sprintf("; check and watch also trust %s", Count(n, "more key"))
	}
	return line
}
