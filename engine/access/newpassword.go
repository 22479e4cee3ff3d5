package access

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/term"
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

// ReadPasswordTerminal asks for a new password twice on the terminal fd,
// without echo, prompting on prompt; the two must be the same.
func ReadPasswordTerminal(fd int, prompt io.Writer) (string, error) {
	fmt.Fprint(prompt, "Password: ")
	pw, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	fmt.Fprint(prompt, "Again: ")
	again, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	if string(pw) != string(again) {
		return "", errors.New("the passwords differ")
	}
	return string(pw), nil
}
