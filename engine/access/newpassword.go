package access

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// HashNewPassword applies the password policy (ValidatePassword) to a
// password being set and hashes it (HashPassword), for users[].password_hash.
func HashNewPassword(pw string) (string, error) {
	if err := ValidatePassword(pw); err != nil {
		return "", err
	}
	return HashPassword(pw)
}

// ReadPasswordLine reads a password from the first line of r, without its
// line ending (LF or CRLF), reading no more than a password can be.
func ReadPasswordLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, MaxPasswordLen+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
