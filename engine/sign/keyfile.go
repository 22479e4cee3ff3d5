package sign

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// A private key is kept in a file as PKCS#8 in PEM ("PRIVATE KEY"), the
// form `openssl genpkey -algorithm ed25519` writes and `vaksam config
// signing-key` makes.

// GenerateKey makes a new private key.
func GenerateKey() (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sign: generate key: %w", err)
	}
	return key, nil
}

// MarshalPrivateKey writes a private key as PKCS#8 PEM.
func MarshalPrivateKey(key ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePrivateKey reads an Ed25519 private key in PKCS#8 PEM.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("no PEM block: want an Ed25519 private key in PKCS#8 PEM (BEGIN PRIVATE KEY)")
	}
	if block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("PEM block %q: want an Ed25519 private key in PKCS#8 PEM (BEGIN PRIVATE KEY)", excerpt(block.Type))
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("PKCS#8: %w", err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, want an Ed25519 key", k)
	}
	return key, nil
}

// LoadSigner reads a private key file and returns its Signer.
func LoadSigner(path string) (*Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	key, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	return NewSigner(key)
}

// WriteKeyFile makes a new private key in a new file (mode 0600; an
// existing file is an error) and returns its Signer.
func WriteKeyFile(path string) (*Signer, error) {
	key, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	pemBytes, err := MarshalPrivateKey(key)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if _, err := f.Write(pemBytes); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	return NewSigner(key)
}

// LoadOrWriteKeyFile reads the private key file at path, or makes it
// (WriteKeyFile) when there is none; made says which. An existing file is
// never overwritten.
func LoadOrWriteKeyFile(path string) (s *Signer, made bool, err error) {
	s, err = LoadSigner(path)
	if errors.Is(err, fs.ErrNotExist) {
		s, err = WriteKeyFile(path)
		return s, err == nil, err
	}
	return s, false, err
}

// Description says which key signs: its text (FormatPublicKey) and id.
func (s *Signer) Description() string {
	return fmt.Sprintf("%s (key id %s)", FormatPublicKey(s.PublicKey()), s.KeyID())
}
