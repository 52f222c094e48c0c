package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestOperatorCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, stdin string
		args        []string
		want        int
		say         string
	}{
		{"add", "a long passphrase\n", []string{"operator", "add", "--name", "anne"}, 0, "operator anne added"},
		{"add twice", "another passphrase\n", []string{"operator", "add", "--name", "anne"}, 1, "already exists"},
		{"short password", "short\n", []string{"operator", "add", "--name", "bert"}, 1, "shorter than 12"},
		{"no password", "", []string{"operator", "add", "--name", "bert"}, 2, "no password on standard input"},
		{"bad name", "a long passphrase\n", []string{"operator", "add", "--name", "bert smith"}, 1, "operator name"},
		{"no name", "a long passphrase\n", []string{"operator", "add"}, 2, "name"},
		{"second", "bert's passphrase\r\n", []string{"operator", "add", "--name", "bert"}, 0, "operator bert added"},
		{"list", "", []string{"operator", "list"}, 0, "anne"},
		{"remove", "", []string{"operator", "remove", "bert"}, 0, "operator bert removed"},
		{"remove twice", "", []string{"operator", "remove", "bert"}, 1, "not found"},
	}
	for _, tc := range tests {
		code, out, errs := cliIn(t, dir, tc.stdin, tc.args...)
		if code != tc.want || !strings.Contains(out+errs, tc.say) {
			t.Errorf("%s: %v = %d %q %q, want %d saying %q", tc.name, tc.args, code, out, errs, tc.want, tc.say)
		}
		if strings.Contains(out+errs, "passphrase") {
			t.Errorf("%s: the password is printed", tc.name)
		}
	}
	code, out, _ := cliIn(t, dir, "", "operator", "list", "--json")
	var v struct {
		Operators []struct {
			Name     string `json:"name"`
			Sessions int    `json:"sessions"`
		} `json:"operators"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || len(v.Operators) != 1 || v.Operators[0].Name != "anne" {
		t.Errorf("operator list --json = %d %s", code, out)
	}
}

// TestServeConsole: pickup-registry serve answers /console/, and an
// operator made with operator add signs in there (the password read
// from standard input, as piped).
func TestServeConsole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, errs := cliIn(t, dir, "correct horse battery\n", "operator", "add", "--name", "anne"); code != 0 {
		t.Fatal(errs)
	}
	srv := serve(t, dir)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(srv.url + "/console/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") == "" || !strings.Contains(string(body), `name="password"`) {
		t.Fatalf("GET /console/ = %d, want the login page", resp.StatusCode)
	}
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(body))
	if tok == nil {
		t.Fatal("no CSRF token on the login page")
	}
	resp, err = c.PostForm(srv.url+"/console/login", url.Values{"csrf": {tok[1]}, "name": {"anne"}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="fig-expected"`) {
		t.Errorf("after signing in = %d, want the progress page:\n%.400s", resp.StatusCode, body)
	}
	// The sync protocol is still there beside it.
	if resp, err := http.Get(srv.url + "/v1/time"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v1/time = %v, %v", resp, err)
	}
}
