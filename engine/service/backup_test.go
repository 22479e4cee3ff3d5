package service_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/store"
)

// What a backup writes (a serve over the socket, or the store) is checked
// as it passes: half a backup or one with junk after it is not written as
// a backup.
func TestCopyBackupChecksWhatPasses(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var whole bytes.Buffer
	wrote, err := st.Backup(&whole, store.BackupOptions{Created: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	broke := errors.New("connection reset")
	for _, tc := range []struct {
		name  string
		write []byte
		err   error
		want  string // in the error; "" for none
	}{
		{"whole", whole.Bytes(), nil, ""},
		{"half", whole.Bytes()[:whole.Len()/2], nil, "the backup read back is not whole"},
		{"junk after it", append(bytes.Clone(whole.Bytes()), "junk"...), nil, "the backup read back is not whole"},
		{"not a backup", []byte("<html>"), nil, "not a Vaksam backup"},
		{"the source fails", whole.Bytes()[:10], broke, "connection reset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			info, sum, err := service.CopyBackup(&out, func(w io.Writer) error {
				if _, err := w.Write(tc.write); err != nil {
					return err
				}
				return tc.err
			})
			if tc.want == "" {
				if err != nil || info.Keys != wrote.Keys || len(sum) != 64 || !bytes.Equal(out.Bytes(), whole.Bytes()) {
					t.Errorf("whole backup: %+v %q %v", info, sum, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
