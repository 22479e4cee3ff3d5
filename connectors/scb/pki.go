package scb

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// PKI is a throwaway certificate authority with a server certificate (for
// 127.0.0.1, ::1 and localhost) and a client certificate, written as files,
// for tests and demos of the fake SCB server. Never use it for anything
// real.
type PKI struct {
	Dir string

	CAFile string // CA certificate, PEM: the client's CAFile

	ServerCertFile, ServerKeyFile string // PEM

	ClientCertFile, ClientKeyFile string // PEM
	ClientPKCS12File              string // the same key and certificate as PKCS#12
	PKCS12Password                string

	CA     *x509.Certificate
	Server tls.Certificate
	Client tls.Certificate

	caKey *ecdsa.PrivateKey
	now   time.Time
}

// PKIOptions shape NewPKI's certificates.
type PKIOptions struct {
	// Now is the reference time (default time.Now()): certificates are
	// valid from a day before it until a year after it.
	Now time.Time
	// Password protects the PKCS#12 file (default "vaksam-demo").
	Password string
	// Name goes into the subjects (default "vaksam test").
	Name string
}

// NewPKI generates a CA, a server and a client certificate and writes them
// into dir: ca.pem, server.pem, server-key.pem, client.pem,
// client-key.pem and client.p12.
func NewPKI(dir string, opt PKIOptions) (*PKI, error) {
	if opt.Now.IsZero() {
		return nil, errors.New("scb: PKI: no time given (PKIOptions.Now)")
	}
	if opt.Password == "" {
		opt.Password = "vaksam-demo"
	}
	if opt.Name == "" {
		opt.Name = "vaksam test"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("scb: pki: %w", err)
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("scb: pki: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: opt.Name + " CA", Organization: []string{"Vaksam test PKI"}},
		NotBefore:             opt.Now.Add(-24 * time.Hour),
		NotAfter:              opt.Now.AddDate(2, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("scb: pki: CA: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("scb: pki: CA: %w", err)
	}
	p := &PKI{Dir: dir, CA: ca, caKey: caKey, now: opt.Now, PKCS12Password: opt.Password}
	p.CAFile = filepath.Join(dir, "ca.pem")
	if err := writePEM(p.CAFile, "CERTIFICATE", caDER); err != nil {
		return nil, err
	}

	p.ServerCertFile, p.ServerKeyFile = filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")
	srv, err := p.issue(opt.Name+" server", true, opt.Now.Add(-24*time.Hour), opt.Now.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	if err := writePair(p.ServerCertFile, p.ServerKeyFile, srv); err != nil {
		return nil, err
	}
	p.Server = srv

	p.ClientCertFile = filepath.Join(dir, "client.pem")
	p.ClientKeyFile = filepath.Join(dir, "client-key.pem")
	p.ClientPKCS12File = filepath.Join(dir, "client.p12")
	cl, err := p.IssueClient(opt.Name+" client", opt.Now.Add(-24*time.Hour), opt.Now.AddDate(1, 0, 0), p.ClientCertFile, p.ClientKeyFile, p.ClientPKCS12File)
	if err != nil {
		return nil, err
	}
	p.Client = cl
	return p, nil
}

// IssueClient issues another client certificate from the CA, valid from
// notBefore to notAfter, and writes it as PEM (certFile, keyFile) and, if
// p12File is not empty, as PKCS#12 with the PKI's password.
func (p *PKI) IssueClient(name string, notBefore, notAfter time.Time, certFile, keyFile, p12File string) (tls.Certificate, error) {
	c, err := p.issue(name, false, notBefore, notAfter)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := writePair(certFile, keyFile, c); err != nil {
		return tls.Certificate{}, err
	}
	if p12File != "" {
		data, err := pkcs12.Modern.Encode(c.PrivateKey, c.Leaf, []*x509.Certificate{p.CA}, p.PKCS12Password)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("scb: pki: PKCS#12: %w", err)
		}
		if err := os.WriteFile(p12File, data, 0o600); err != nil {
			return tls.Certificate{}, fmt.Errorf("scb: pki: %w", err)
		}
	}
	return c, nil
}

// ClientCAs is a pool holding the CA, for a server verifying clients.
func (p *PKI) ClientCAs() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.CA)
	return pool
}

func (p *PKI) issue(name string, server bool, notBefore, notAfter time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("scb: pki: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: name, Organization: []string{"Vaksam test PKI"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.CA, &key.PublicKey, p.caKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("scb: pki: %s: %w", name, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("scb: pki: %s: %w", name, err)
	}
	return tls.Certificate{Certificate: [][]byte{der, p.CA.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

func writePair(certFile, keyFile string, c tls.Certificate) error {
	var certPEM []byte
	for _, der := range c.Certificate {
		certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		return fmt.Errorf("scb: pki: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		return fmt.Errorf("scb: pki: %w", err)
	}
	return writePEM(keyFile, "PRIVATE KEY", keyDER)
}

func writePEM(file, typ string, der []byte) error {
	mode := os.FileMode(0o644)
	if typ == "PRIVATE KEY" {
		mode = 0o600
	}
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode); err != nil {
		return fmt.Errorf("scb: pki: %w", err)
	}
	return nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err)
	}
	return n
}
