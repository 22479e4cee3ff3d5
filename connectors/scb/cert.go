package scb

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// loadClientCertificate loads the client certificate SCB issued, from a
// PEM pair (CertFile and KeyFile) or from a PKCS#12 file (PKCS12File and
// PKCS12Password), and checks that it is valid at now. Every error names
// the file and the problem.
func loadClientCertificate(cfg Config, now time.Time) (tls.Certificate, error) {
	pem := cfg.CertFile != "" || cfg.KeyFile != ""
	p12 := cfg.PKCS12File != ""
	var (
		cert tls.Certificate
		file string
		err  error
	)
	switch {
	case pem && p12:
		return tls.Certificate{}, errors.New("scb: client certificate: give either CertFile and KeyFile (PEM) or PKCS12File, not both")
	case pem:
		if cfg.CertFile == "" || cfg.KeyFile == "" {
			return tls.Certificate{}, fmt.Errorf("scb: client certificate: PEM needs both CertFile and KeyFile (got cert %q, key %q)", cfg.CertFile, cfg.KeyFile)
		}
		file = cfg.CertFile
		cert, err = loadPEM(cfg.CertFile, cfg.KeyFile)
	case p12:
		file = cfg.PKCS12File
		cert, err = loadPKCS12(cfg.PKCS12File, cfg.PKCS12Password)
	default:
		return tls.Certificate{}, errors.New("scb: no client certificate configured (SCB's API requires one: set CertFile and KeyFile, or PKCS12File and PKCS12Password)")
	}
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := checkValidity(file, cert.Leaf, now); err != nil {
		return tls.Certificate{}, err
	}
	return cert, nil
}

func loadPEM(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("scb: client certificate %s: %w", certFile, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("scb: client key %s: %w", keyFile, err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("scb: client certificate %s with key %s: %w", certFile, keyFile, err)
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return tls.Certificate{}, fmt.Errorf("scb: client certificate %s: %w", certFile, err)
		}
	}
	return cert, nil
}

// loadPKCS12 reads a .p12/.pfx file: the key, the client certificate and
// any intermediate certificates, which are sent along in the handshake.
func loadPKCS12(file, password string) (tls.Certificate, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("scb: PKCS#12 file %s: %w", file, err)
	}
	key, leaf, chain, err := pkcs12.DecodeChain(data, password)
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return tls.Certificate{}, fmt.Errorf("scb: PKCS#12 file %s: wrong password (PKCS12Password)", file)
	}
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("scb: PKCS#12 file %s: cannot read it (not a PKCS#12 file, damaged, or not one key with its certificate): %w", file, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return tls.Certificate{}, fmt.Errorf("scb: PKCS#12 file %s: private key of type %T cannot sign", file, key)
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		return tls.Certificate{}, fmt.Errorf("scb: PKCS#12 file %s: private key does not match the certificate %q", file, leaf.Subject.CommonName)
	}
	cert := tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	return cert, nil
}

// checkValidity refuses a certificate outside its validity period at now:
// SCB would reject it in the handshake, with a less helpful message.
func checkValidity(file string, leaf *x509.Certificate, now time.Time) error {
	if leaf == nil {
		return nil
	}
	if now.After(leaf.NotAfter) {
		return fmt.Errorf("scb: client certificate %s (%q) expired on %s; ask SCB for a new one", file, leaf.Subject.CommonName, leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	if now.Before(leaf.NotBefore) {
		return fmt.Errorf("scb: client certificate %s (%q) is not valid until %s", file, leaf.Subject.CommonName, leaf.NotBefore.UTC().Format(time.RFC3339))
	}
	return nil
}

// loadCA reads a PEM bundle of CA certificates for the server; an empty
// name means the system's roots.
func loadCA(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("scb: CA bundle %s: %w", file, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("scb: CA bundle %s: no PEM certificates found", file)
	}
	return pool, nil
}
