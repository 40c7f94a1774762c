package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
)

const testSecret = "a shared secret of at least 32 bytes!!"

func runReceiver(ctx context.Context, args ...string) (int, string) {
	var out, errb bytes.Buffer
	code := run(ctx, args, &out, &errb)
	return code, errb.String()
}

// TestSignedOnlyRefusesPlainHTTPBeyondLoopback: bearer tokens in plain
// HTTP on an address other than loopback are refused (exit 2) unless
// --insecure; TLS flags must come in pairs; lifetime flags are checked.
func TestSignedOnlyRefusesPlainHTTPBeyondLoopback(t *testing.T) {
	t.Setenv(cli.SecretEnv, testSecret)
	for args, says := range map[string]string{
		"--signed-only --addr 0.0.0.0:0":  "--signed-only on 0.0.0.0:0 would send tokens in plain HTTP beyond this machine",
		"--signed-only --addr :0":         "expected a loopback --addr, or --tls-cert and --tls-key, or --insecure",
		"--signed-only --tls-cert c.pem":  "--tls-cert and --tls-key go together",
		"--signed-only --max-lifetime 0s": "--max-lifetime must be 1s to 24h0m0s, got 0s",
	} {
		code, errs := runReceiver(context.Background(), strings.Fields(args)...)
		if code != cli.ExitUsage || !strings.Contains(errs, says) {
			t.Errorf("%s: exit %d, %q; want 2 saying %q", args, code, errs, says)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	for _, args := range [][]string{{"--signed-only", "--addr", "0.0.0.0:0", "--insecure"}, {"--signed-only", "--addr", "127.0.0.1:0"}} {
		if code, errs := runReceiver(ctx, args...); code != 0 {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
}

// TestReceiverServesTLS serves the signed-only flow over HTTPS on a
// non-loopback address, with a certificate made here.
func TestReceiverServesTLS(t *testing.T) {
	t.Setenv(cli.SecretEnv, testSecret)
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan string, 1)
	go func() {
		_, errs := runReceiver(ctx, "--signed-only", "--addr", "0.0.0.0:"+addr[strings.LastIndexByte(addr, ':')+1:],
			"--tls-cert", certFile, "--tls-key", keyFile)
		done <- errs
	}()
	defer func() { cancel(); <-done }()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	var resp *http.Response
	for range 50 {
		if resp, err = client.Get("https://" + addr + "/"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("HTTPS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.TLS == nil {
		t.Fatalf("status %d, TLS %v; want 401 over TLS for a request without a token", resp.StatusCode, resp.TLS != nil)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their files and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_ = os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
