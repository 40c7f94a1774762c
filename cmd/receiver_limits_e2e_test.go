package cmd_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestReceiverRefusesOtherHostsAndSlowClients runs the demo receiver with
// its defaults: a request naming a Host it does not answer for gets 421
// before anything is read, and a client that sends its headers too slowly
// is cut off at --read-header-timeout.
func TestReceiverRefusesOtherHostsAndSlowClients(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "", "sealjwt", "keygen", "--alg", "HPKE-3", "--out", "receiver")
	mustRun(t, dir, "", "sealjwt", "keygen", "--alg", "EdDSA", "--out", "sender")
	addr := freeAddr(t)
	startReceiver(t, dir, nil, "http://"+addr+"/.well-known/jwks.json", "--addr", addr, "--id", "billing",
		"--key", "receiver.jwk", "--trust", "orders=sender.pub.jwk", "--read-header-timeout", "300ms")

	for host, want := range map[string]int{"evil.example": http.StatusMisdirectedRequest, addr: http.StatusBadRequest} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/messages", strings.NewReader("x"))
		req.Host = host
		req.Header.Set("Content-Type", "application/jose")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: status %d, want %d", host, resp.StatusCode, want)
		}
	}

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	_, _ = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: "+addr+"\r\n") // and no more
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if took := time.Since(start); err == nil || took > 3*time.Second {
		t.Fatalf("slow headers: err %v after %v, want the connection closed within the timeout", err, took)
	}
}
