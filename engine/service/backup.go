package service

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/vaksam/vaksam/engine/store"
)

// WriteBackup writes the backup src writes (a store's Backup, or a
// running serve's over its control socket) to file, or to stdout when
// file is "-", checking it as it passes (CopyBackup). A file is written
// under a temporary name, checked as a whole, synced and then renamed
// (WriteFileAtomic), so it is never half a backup. It returns what the
// backup says of itself and the SHA-256 of its bytes.
func WriteBackup(file string, stdout io.Writer, src func(w io.Writer) error) (info store.BackupInfo, sum string, err error) {
	if file == "-" {
		return CopyBackup(stdout, src)
	}
	err = WriteFileAtomic(file, func(w io.Writer) error {
		var err error
		info, sum, err = CopyBackup(w, src)
		return err
	})
	return info, sum, err
}

// CopyBackup copies the backup src writes to w and checks it as it
// passes (store.ReadBackup, which reads to the end and so also refuses
// bytes after the backup): it returns what the backup says of itself and
// the SHA-256 of its bytes.
func CopyBackup(w io.Writer, src func(w io.Writer) error) (store.BackupInfo, string, error) {
	pr, pw := io.Pipe()
	checked := make(chan error, 1)
	var info store.BackupInfo
	go func() {
		var err error
		info, err = store.ReadBackup(pr)
		if err != nil {
			// The writer stops at its next write.
			pr.CloseWithError(checkError{err})
		}
		checked <- err
	}()
	h := sha256.New()
	bw := bufio.NewWriterSize(w, 256<<10)
	err := src(io.MultiWriter(bw, h, pw))
	if err == nil {
		err = bw.Flush()
	}
	pw.CloseWithError(err)
	cerr := <-checked
	var ce checkError
	switch {
	case err != nil && !errors.As(err, &ce):
		return info, "", err
	case cerr != nil:
		return info, "", fmt.Errorf("the backup read back is not whole: %w", cerr)
	}
	return info, hex.EncodeToString(h.Sum(nil)), nil
}

// checkError marks the check of a backup in CopyBackup failing, as the
// writer sees it.
type checkError struct{ err error }

func (e checkError) Error() string { return e.err.Error() }
